import { cleanStores } from 'nanostores';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  INCIDENT_ID,
  SERVER,
  SITE,
  aPost,
  aSession,
  fakeServer,
  memoryStorage,
} from '../test/fakes.js';
import { createLifeboat, createSimilarSearch, type LifeboatClient } from './index.js';

const path = `GET /incidents/${encodeURIComponent(INCIDENT_ID)}/workarounds/similar`;
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const match = aPost({ id: '01HZSIMILAR000000000000000', kind: 'workaround' });

let client: LifeboatClient;
let server: ReturnType<typeof fakeServer>;

beforeEach(() => {
  vi.useFakeTimers();
  server = fakeServer();
  server.on(path, { body: { incidentId: INCIDENT_ID, results: [{ post: match, score: 0.61 }] } });
  client = createLifeboat({
    server: SERVER,
    site: SITE,
    fetch: server.fetch,
    storage: memoryStorage(),
  });
});
afterEach(() => {
  client.close();
  vi.useRealTimers();
});

describe('client.similarWorkarounds', () => {
  it('asks the server with the trimmed text and resolves with the matches', async () => {
    const results = await client.similarWorkarounds(INCIDENT_ID, '  Use the   EU endpoint ');
    expect(results).toEqual([{ post: match, score: 0.61 }]);
    expect(server.calls.map((c) => c.path)).toEqual([
      `/incidents/${encodeURIComponent(INCIDENT_ID)}/workarounds/similar?q=Use%20the%20EU%20endpoint`,
    ]);
  });

  it('sends nothing for text too short to compare, and caches a repeated text', async () => {
    expect(await client.similarWorkarounds(INCIDENT_ID, 'EU')).toEqual([]);
    await client.similarWorkarounds(INCIDENT_ID, 'Restart the worker');
    await client.similarWorkarounds(INCIDENT_ID, 'restart the worker');
    expect(server.count(path)).toBe(1);
  });

  it('rejects with a LifeboatError when the server fails', async () => {
    server.on(path, { status: 404, body: { title: 'Not found', status: 404, code: 'not_found' } });
    await expect(
      client.similarWorkarounds(INCIDENT_ID, 'Restart the worker'),
    ).rejects.toMatchObject({ name: 'LifeboatError', code: 'not_found' });
  });
});

describe('createSimilarSearch', () => {
  it('debounces 300 ms and keeps only the answer to the latest text', async () => {
    const search = createSimilarSearch(client);
    const seen: unknown[] = [];
    const unlisten = search.$similar.listen((v) => seen.push(v));
    search.search(INCIDENT_ID, 'Use the');
    await tick(100);
    search.search(INCIDENT_ID, 'Use the EU');
    await tick(299);
    expect(server.count(path)).toBe(0);
    await tick(1);
    expect(server.count(path)).toBe(1);
    expect(server.calls[0]!.path).toContain('q=Use%20the%20EU');
    expect(search.$similar.get()).toEqual([{ post: match, score: 0.61 }]);

    search.search(INCIDENT_ID, 'ab');
    expect(search.$similar.get()).toEqual([]);
    search.search(INCIDENT_ID, 'Use the EU endpoint');
    search.clear();
    await tick(400);
    expect(server.count(path)).toBe(1);
    expect(seen).toHaveLength(2);
    unlisten();
    cleanStores(search.$similar);
  });
});

describe('client.post with the id of an earlier attempt (the workaround form)', () => {
  it('sends under the same Idempotency-Key, and a double submit makes one request', async () => {
    const id = '01HZFORMRETRY0000000000000';
    const posts = `POST /incidents/${encodeURIComponent(INCIDENT_ID)}/posts`;
    server.on('POST /sessions', { status: 201, body: aSession() });
    server.on(
      posts,
      { status: 503, body: { title: 'Unavailable', status: 503, code: 'internal' } },
      { status: 201, body: aPost({ id, kind: 'workaround' }) },
    );
    const request = { id, kind: 'workaround' as const, body: 'Use the EU endpoint' };
    await expect(client.post(INCIDENT_ID, request)).rejects.toMatchObject({ status: 503 });
    const first = client.post(INCIDENT_ID, request);
    const second = client.post(INCIDENT_ID, request);
    expect(second).toBe(first);
    expect((await first).id).toBe(id);
    const keys = server.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/posts'));
    expect(keys.map((c) => c.headers['idempotency-key'])).toEqual([id, id]);
  });
});
