/**
 * Snapshots are cacheable (a browser for 2 s, a CDN for 5 s and longer while stale), so a snapshot
 * may be older than the point the stream is at. After `reset` the client refetches past the
 * caches and streams from the oldest sequence the snapshots hold; while polling, a cache's copy
 * older than the stream's position is dropped, so the stores never go back and no event is lost.
 */
import type { SiteStatus, ThreadPage } from '@lifeboat/protocol';
import { cleanStores } from 'nanostores';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BASE,
  INCIDENT_ID,
  SERVER,
  SITE,
  aPage,
  aPost,
  aStatus,
  anIncident,
  fakeEventSource,
  fakeServer,
  memoryStorage,
} from '../test/fakes.js';
import type { LifeboatClient } from './index.js';
import { createLifeboat } from './index.js';

const enc = encodeURIComponent(INCIDENT_ID);
const STATUS = 'GET /status';
const INCIDENT = `GET /incidents/${enc}`;
const THREAD = `GET /incidents/${enc}/thread`;

let client: LifeboatClient;
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

function setup() {
  const server = fakeServer();
  const ES = fakeEventSource();
  /** The fetch cache mode of every call, by route. */
  const modes: Array<{ route: string; cache: RequestCache | undefined }> = [];
  client = createLifeboat({
    server: SERVER,
    site: SITE,
    fetch: (url, init) => {
      const path = new URL(url).pathname.slice(new URL(BASE).pathname.length);
      modes.push({ route: `${init.method ?? 'GET'} ${path}`, cache: init.cache });
      return server.fetch(url, init);
    },
    EventSource: ES,
    storage: memoryStorage(),
  });
  server.on(STATUS, { body: aStatus(), headers: { etag: '"s10"' } });
  server.on(INCIDENT, { body: anIncident(), headers: { etag: '"i1"' } });
  server.on(THREAD, { body: aPage(), headers: { etag: '"t10"' } });
  return { server, ES, modes };
}

/** Status and thread mounted and loaded at sequence 10, the stream open. */
async function live() {
  const ctx = setup();
  client.$status.listen(() => {});
  client.thread(INCIDENT_ID).listen(() => {});
  await tick();
  ctx.ES.last.open();
  ctx.server.calls.length = 0;
  ctx.modes.length = 0;
  return ctx;
}

const ids = () =>
  client
    .thread(INCIDENT_ID)
    .get()
    .posts.map((p) => p.id);
const status = (lastEventId: number, extra: Partial<SiteStatus> = {}) => ({
  body: aStatus({ lastEventId, ...extra }),
  headers: { etag: `"s${lastEventId}"` },
});
const page = (lastEventId: number, extra: Partial<ThreadPage> = {}) => ({
  body: aPage({ lastEventId, ...extra }),
  headers: { etag: `"t${lastEventId}"` },
});

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  client.close();
  cleanStores(client.$status, client.incident(INCIDENT_ID), client.thread(INCIDENT_ID));
  vi.useRealTimers();
});

describe('after reset', () => {
  it('refetches past the caches and streams from a cached snapshot older than the reset point', async () => {
    const { ES, server, modes } = await live();
    // A cache still holds copies from 480 and 490: older than the point the server reset to.
    server.on(STATUS, status(490, { description: 'Cached' }));
    server.on(THREAD, page(480));
    const first = ES.last;
    first.dispatch('reset', { lastEventId: 500 });
    // Closed at once: no live event lands on a snapshot that is about to be replaced.
    expect(first.closed).toBe(true);
    expect(client.$connection.get()).toBe('reconnecting');
    await tick();
    expect(modes).toEqual([
      { route: STATUS, cache: 'no-cache' },
      { route: THREAD, cache: 'no-cache' },
    ]);
    expect(client.$status.get().value?.description).toBe('Cached');
    // From the oldest snapshot's sequence, so the replay covers what the cached copies lack.
    expect(ES.instances).toHaveLength(2);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=480`);
    ES.last.open();
    ES.last.send({ type: 'post.created', seq: 485, post: aPost({ id: 'GAP' }) });
    ES.last.send({ type: 'affected.changed', seq: 489, incidentId: INCIDENT_ID, count: 5 });
    ES.last.send({ type: 'affected.changed', seq: 495, incidentId: INCIDENT_ID, count: 8 });
    ES.last.send({ type: 'post.created', seq: 501, post: aPost({ id: 'LIVE' }) });
    expect(ids()).toEqual([aPost().id, 'GAP', 'LIVE']);
    // The status's copy holds 489 already (no change), not 495.
    expect(client.$status.get().value?.incidents[0]!.affectedCount).toBe(8);
    ES.last.dispatch('ready', { lastEventId: 501 });
    expect(client.$connection.get()).toBe('open');
  });

  it('streams from the oldest snapshot when they are all newer than the reset point', async () => {
    const { ES, server } = await live();
    server.on(STATUS, status(505));
    server.on(THREAD, page(503));
    ES.last.dispatch('reset', { lastEventId: 500 });
    await tick();
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=503`);
  });

  it('streams from the reset point when no snapshot has a sequence (an incident alone)', async () => {
    const { ES, server, modes } = setup();
    client.incident(INCIDENT_ID).listen(() => {});
    await tick();
    // The incident has no sequence: the stream waits for a snapshot that has one.
    expect(ES.instances).toHaveLength(0);
    client.$status.listen(() => {});
    await tick();
    ES.last.open();
    server.on(STATUS, status(520));
    modes.length = 0;
    ES.last.dispatch('reset', { lastEventId: 500 });
    await tick();
    // Incidents first, as for polling.
    expect(modes.map((m) => `${m.route} ${m.cache}`)).toEqual([
      `${INCIDENT} no-cache`,
      `${STATUS} no-cache`,
    ]);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=520`);
  });

  it('waits longer before each reset in a row, until a cache has a copy new enough', async () => {
    const { ES, server } = await live();
    server.on(STATUS, status(100));
    server.on(THREAD, page(100));
    ES.last.dispatch('reset', { lastEventId: 500 });
    await tick();
    expect(ES.instances).toHaveLength(2);
    expect(server.count(STATUS)).toBe(1);
    // 100 is older than the server keeps too: reset again. No refetch at once this time.
    ES.last.open();
    ES.last.dispatch('reset', { lastEventId: 501 });
    await tick(400);
    expect(server.count(STATUS)).toBe(1);
    await tick(600);
    expect(server.count(STATUS)).toBe(2);
    expect(ES.instances).toHaveLength(3);
    ES.last.open();
    ES.last.dispatch('reset', { lastEventId: 502 });
    await tick(900);
    expect(server.count(STATUS)).toBe(2); // 1 to 2 s now
    server.on(STATUS, status(502));
    server.on(THREAD, page(502));
    await tick(1100);
    expect(server.count(STATUS)).toBe(3);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=502`);
    ES.last.open();
    ES.last.dispatch('ready', { lastEventId: 502 });
    // A ready in between: the next reset refetches at once again.
    ES.last.dispatch('reset', { lastEventId: 600 });
    await tick();
    expect(server.count(STATUS)).toBe(4);
  });

  it('keeps the stream closed and tries again when a snapshot cannot be fetched', async () => {
    const { ES, server } = await live();
    server.on(THREAD, 'network', page(500));
    server.on(STATUS, status(500));
    ES.last.dispatch('reset', { lastEventId: 500 });
    await tick();
    expect(ES.instances).toHaveLength(1);
    expect(client.$connection.get()).toBe('reconnecting');
    await tick(1000);
    expect(server.count(THREAD)).toBe(2);
    expect(ES.instances).toHaveLength(2);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=500`);
    expect(client.thread(INCIDENT_ID).get()).toMatchObject({ state: 'ready', error: null });
  });

  it('drops a refetch that settles after the last store unmounted', async () => {
    const ctx = setup();
    const offs = [client.$status.listen(() => {}), client.thread(INCIDENT_ID).listen(() => {})];
    await tick();
    ctx.ES.last.open();
    const slow = (reply: { body: unknown; headers: Record<string, string> }) => () =>
      new Promise<typeof reply>((resolve) => setTimeout(() => resolve(reply), 5000));
    ctx.server.on(STATUS, slow(status(500)));
    ctx.server.on(THREAD, slow(page(500)));
    ctx.ES.last.dispatch('reset', { lastEventId: 500 });
    for (const off of offs) off();
    await tick(60_000);
    expect(ctx.server.count(STATUS)).toBe(2);
    expect(ctx.ES.instances).toHaveLength(1);
    expect(client.$connection.get()).toBe('idle');
  });
});

describe('polling and cached snapshots', () => {
  it('never takes a polled copy older than the stream position, and streams again from there', async () => {
    const { ES, server } = await live();
    const answer = aPost({ id: 'P2', body: 'Restart the agent.' });
    ES.last.send({ type: 'post.created', seq: 12, post: answer });
    ES.last.send({ type: 'affected.changed', seq: 13, incidentId: INCIDENT_ID, count: 9 });
    // The cache answers with copies from before 12 and 13 (other ETags: not a 304).
    server.on(STATUS, { body: aStatus({ lastEventId: 11 }), headers: { etag: '"cdn-s"' } });
    server.on(THREAD, { body: aPage({ lastEventId: 11 }), headers: { etag: '"cdn-t"' } });
    ES.last.dispatch('poll', { interval: 5000, retryAfter: 30 });
    await tick();
    expect(server.count(STATUS)).toBe(1);
    expect(server.count(THREAD)).toBe(1);
    expect(ids()).toEqual([aPost().id, 'P2']);
    expect(client.$status.get().value?.incidents[0]!.affectedCount).toBe(9);
    expect(client.$status.get().value?.lastEventId).toBe(10);

    // Newer copies are taken.
    server.on(STATUS, status(14, { incidents: [anIncident({ affectedCount: 11 })] }));
    server.on(THREAD, page(14, { posts: [aPost(), answer, aPost({ id: 'P3' })] }));
    await tick(6000);
    expect(ids()).toEqual([aPost().id, 'P2', 'P3']);
    expect(client.$status.get().value?.incidents[0]!.affectedCount).toBe(11);

    // Streaming again from 14; with only the stale copies it would have been 13 (never back).
    await tick(30_000 * 1.25);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=14`);
  });

  it('resumes from the stream position, not a stale cached copy, when no newer one came', async () => {
    const { ES, server } = await live();
    ES.last.send({ type: 'post.created', seq: 12, post: aPost({ id: 'P2' }) });
    server.on(STATUS, { body: aStatus({ lastEventId: 8 }), headers: { etag: '"cdn-s"' } });
    server.on(THREAD, { body: aPage({ lastEventId: 8, posts: [] }), headers: { etag: '"cdn-t"' } });
    ES.last.dispatch('poll', { interval: 5000, retryAfter: 30 });
    await tick(30_000 * 1.25);
    expect(ids()).toEqual([aPost().id, 'P2']);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=12`);
  });
});
