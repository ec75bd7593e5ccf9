import type { AffectedHistory } from '@lifeboat/protocol';
import { cleanStores } from 'nanostores';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  INCIDENT_ID,
  SERVER,
  SITE,
  fakeEventSource,
  fakeServer,
  memoryStorage,
} from '../../test/fakes.js';
import { createLifeboat, type LifeboatClient } from '../index.js';

const enc = encodeURIComponent(INCIDENT_ID);
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
let client: LifeboatClient;

const history = (counts: number[]): AffectedHistory => ({
  incidentId: INCIDENT_ID,
  bucketMinutes: 15,
  buckets: counts.map((count, i) => ({
    start: new Date(Date.UTC(2026, 0, 1, 0, i * 15)).toISOString(),
    count,
  })),
});

beforeEach(() => vi.useFakeTimers());
afterEach(() => {
  client.close();
  vi.useRealTimers();
});

describe('client.affectedHistory()', () => {
  it('loads on first listen and refetches once, debounced, after a burst of affected changes', async () => {
    const server = fakeServer();
    const ES = fakeEventSource();
    client = createLifeboat({
      server: SERVER,
      site: SITE,
      fetch: server.fetch,
      EventSource: ES,
      storage: memoryStorage(),
    });
    let n = 0;
    server.on(`GET /incidents/${enc}/affected/history`, () => ({
      body: history([0, 1, ++n]),
    }));
    // The stream starts from the status snapshot's sequence, as it does under a banner.
    server.on('GET /status', { body: { lastEventId: 10, incidents: [] } });
    const unlistenStatus = client.$status.listen(() => {});
    const $history = client.affectedHistory(INCIDENT_ID);
    expect(client.affectedHistory(INCIDENT_ID)).toBe($history);
    const unlisten = $history.listen(() => {});
    await tick();
    expect($history.get()).toMatchObject({
      state: 'ready',
      value: { buckets: [{}, {}, { count: 1 }] },
    });
    const stream = ES.last;
    stream.open();
    for (let i = 0; i < 5; i++)
      stream.send({
        type: 'affected.changed',
        seq: 20 + i,
        incidentId: INCIDENT_ID,
        count: 40 + i,
      });
    stream.send({ type: 'affected.changed', seq: 30, incidentId: 'other', count: 1 });
    await tick(100);
    expect($history.get().value?.buckets[2]!.count).toBe(1);
    await tick(3_000);
    expect($history.get().value?.buckets[2]!.count).toBe(2);
    expect(server.calls.filter((c) => c.path.includes('/affected/history'))).toHaveLength(2);
    unlisten();
    unlistenStatus();
    cleanStores($history, client.$status);
  });
});
