/** SiteSequences and SnapshotCache on a bare Fastify app: sequences, bounds, ages, serialization. */
import Fastify, { type FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryHub } from '../realtime/hub.js';
import { SiteSequences, SnapshotCache, type SnapshotCacheOptions } from './snapshot-cache.js';

function fakeStore(start: Record<string, number>) {
  const reads: string[] = [];
  return {
    reads,
    current: { ...start },
    async eventBounds(siteId: string) {
      reads.push(siteId);
      await new Promise((r) => setTimeout(r, 5));
      return { current: this.current[siteId] ?? 0, oldest: null, lastAt: null };
    },
  };
}

let apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
});

/** An app whose GET /:site/:key answers snapshot `key` with a body of `size` characters. */
async function setup(options: SnapshotCacheOptions = {}) {
  const hub = new MemoryHub();
  const store = fakeStore({ a: 1, b: 1 });
  const cache = new SnapshotCache(new SiteSequences(store, hub), options);
  const built: string[] = [];
  let failNext = false;
  const app = Fastify();
  apps.push(app);
  const handled: string[] = [];
  // As the site scope does: a URL already answered may be answered before validation.
  app.addHook('onRequest', (request, reply, done) => {
    const { site } = request.params as { site: string };
    if (!cache.serveEarly(request, reply, site)) done();
  });
  app.get<{ Params: { site: string; key: string }; Querystring: { size?: string; ttl?: string } }>(
    '/:site/:key',
    {
      schema: {
        response: {
          200: Type.Object({ key: Type.String(), seq: Type.Number(), text: Type.String() }),
        },
      },
    },
    (request, reply) => {
      handled.push(request.url);
      const { site, key } = request.params;
      const size = Number(request.query.size ?? 10);
      const ttl = request.query.ttl ? { ttlMs: Number(request.query.ttl) } : {};
      return cache.serve(
        request,
        reply,
        site,
        key,
        { cacheControl: 'public, max-age=1', ...ttl },
        async (seq) => {
          built.push(`${site}/${key}@${seq}`);
          if (failNext) {
            failNext = false;
            throw new Error('store down');
          }
          // `secret` is not in the response schema: it must never reach the body.
          return { key, seq, text: 'x'.repeat(size), secret: 'member-only' };
        },
      );
    },
  );
  await app.ready();
  const get = async (
    path: string,
    headers: Record<string, string> = {},
    method: 'GET' | 'HEAD' = 'GET',
  ) => app.inject({ method, url: path, headers });
  return { hub, store, cache, built, handled, get, failOnce: () => (failNext = true) };
}

describe('SiteSequences', () => {
  it('reads a site once from the store (concurrent callers share it), then follows the hub', async () => {
    const hub = new MemoryHub();
    const store = fakeStore({ a: 7 });
    const sequences = new SiteSequences(store, hub);
    const advanced: Array<[string, number]> = [];
    sequences.onAdvance((site, seq) => advanced.push([site, seq]));
    expect(sequences.peek('a')).toBeUndefined();
    const all = await Promise.all([sequences.current('a'), sequences.current('a')]);
    expect(all).toEqual([7, 7]);
    expect(store.reads).toEqual(['a']);
    hub.publish({ site: 'a', seq: 9 });
    hub.publish({ site: 'a', seq: 8 }); // late and lower: ignored
    expect(sequences.peek('a')).toBe(9);
    expect(await sequences.current('a')).toBe(9);
    expect(store.reads).toEqual(['a']);
    expect(advanced).toEqual([['a', 9]]);
    sequences.close();
  });

  it('a notice that arrives while the store is read wins over an older read', async () => {
    const hub = new MemoryHub();
    const store = fakeStore({ a: 3 });
    const sequences = new SiteSequences(store, hub);
    const pending = sequences.current('a');
    hub.publish({ site: 'a', seq: 4 });
    expect(await pending).toBe(4);
    sequences.close();
  });
});

describe('SnapshotCache', () => {
  it('serves from memory while the sequence holds, builds again once it moves', async () => {
    const { hub, built, get } = await setup();
    const first = await get('/a/thread');
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(first.headers['cache-control']).toBe('public, max-age=1');
    expect(first.json()).toEqual({ key: 'thread', seq: 1, text: 'x'.repeat(10) });
    expect(first.body).not.toContain('member-only');
    expect((await get('/a/thread')).body).toBe(first.body);
    expect(built).toEqual(['a/thread@1']);
    hub.publish({ site: 'b', seq: 5 }); // another site: no effect
    await get('/a/thread');
    expect(built).toEqual(['a/thread@1']);
    hub.publish({ site: 'a', seq: 2 });
    expect((await get('/a/thread')).json()).toMatchObject({ seq: 2 });
    expect(built).toEqual(['a/thread@1', 'a/thread@2']);
  });

  it('strong ETag from the body; 304 on If-None-Match; same body after a move keeps the ETag', async () => {
    const { hub, get } = await setup();
    const first = await get('/a/k');
    const etag = first.headers['etag'] as string;
    expect(etag).toMatch(/^"[\w-]{27}"$/);
    const again = await get('/a/k', { 'if-none-match': etag });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    hub.publish({ site: 'a', seq: 2 });
    const moved = await get('/a/k', { 'if-none-match': etag });
    expect(moved.statusCode).toBe(200); // the body holds the sequence: it changed
    expect(moved.headers['etag']).not.toBe(etag);
  });

  it('one build per key and sequence, however many readers wait', async () => {
    const { built, get } = await setup();
    await Promise.all(Array.from({ length: 25 }, () => get('/a/busy')));
    expect(built).toEqual(['a/busy@1']);
  });

  it('a failed build answers the error and holds nothing', async () => {
    const { built, get, failOnce } = await setup();
    failOnce();
    expect((await get('/a/k')).statusCode).toBe(500);
    expect((await get('/a/k')).statusCode).toBe(200);
    expect(built).toEqual(['a/k@1', 'a/k@1']);
  });

  it('holds at most maxEntries, least recently used out first', async () => {
    const { cache, built, get } = await setup({ maxEntries: 2 });
    await get('/a/one');
    await get('/a/two');
    await get('/a/one'); // used: now the most recent
    await get('/a/three'); // evicts two
    expect(cache.size).toBe(2);
    await get('/a/one');
    await get('/a/three');
    expect(built).toEqual(['a/one@1', 'a/two@1', 'a/three@1']);
    await get('/a/two');
    expect(built.at(-1)).toBe('a/two@1');
    expect(built).toHaveLength(4);
    expect(cache.stats.evictions).toBe(2);
  });

  it('holds at most maxBytes; a body over a quarter of it is served but not held', async () => {
    const { cache, built, get } = await setup({ maxBytes: 8000 });
    await get('/a/big?size=3000'); // ~3 KB > 2 KB: not held
    await get('/a/big?size=3000');
    expect(built).toEqual(['a/big@1', 'a/big@1']);
    for (let i = 0; i < 10; i++) await get(`/a/k${i}?size=1000`);
    expect(cache.bytes).toBeLessThanOrEqual(8000);
    expect(cache.size).toBeLessThan(10);
    expect(cache.size).toBeGreaterThan(3);
  });

  it('an entry lives at most ttlMs (for bodies that depend on time) and maxAgeMs', async () => {
    let now = 1_000_000;
    const { built, get } = await setup({ maxAgeMs: 10_000, now: () => now });
    await get('/a/status?ttl=2000');
    await get('/a/thread');
    now += 1999;
    await get('/a/status?ttl=2000');
    expect(built).toEqual(['a/status@1', 'a/thread@1']);
    now += 1;
    await get('/a/status?ttl=2000');
    expect(built).toEqual(['a/status@1', 'a/thread@1', 'a/status@1']);
    now += 8000;
    await get('/a/thread');
    expect(built.at(-1)).toBe('a/thread@1');
    expect(built).toHaveLength(4);
  });

  it('answers a URL already answered before validation and the handler, while it is fresh', async () => {
    const { hub, cache, built, handled, get } = await setup();
    const first = await get('/a/early?size=5');
    const again = await get('/a/early?size=5');
    expect(again.body).toBe(first.body);
    expect(again.headers['etag']).toBe(first.headers['etag']);
    expect(again.headers['cache-control']).toBe('public, max-age=1');
    expect(
      (await get('/a/early?size=5', { 'if-none-match': first.headers['etag'] as string }))
        .statusCode,
    ).toBe(304);
    expect(handled).toEqual(['/a/early?size=5']);
    // Another spelling of the same query goes through the handler once, then is known too.
    await get('/a/early?size=5&');
    await get('/a/early?size=5&');
    expect(handled).toEqual(['/a/early?size=5', '/a/early?size=5&']);
    expect(built).toEqual(['a/early@1']);
    // A HEAD is answered early as well; a POST never is.
    const head = await get('/a/early?size=5', {}, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.headers['etag']).toBe(first.headers['etag']);
    expect(handled).toHaveLength(2);
    expect(
      cache.serveEarly({ method: 'POST', url: '/a/early?size=5' } as never, {} as never, 'a'),
    ).toBe(false);
    // Once the sequence moves, the handler runs again (and builds once).
    hub.publish({ site: 'a', seq: 2 });
    expect((await get('/a/early?size=5')).json()).toMatchObject({ seq: 2 });
    expect(handled.at(-1)).toBe('/a/early?size=5');
    expect(built).toEqual(['a/early@1', 'a/early@2']);
  });

  it('forgetSite drops the entries of one site (a change that writes no event)', async () => {
    const { cache, built, get } = await setup();
    await get('/a/k');
    await get('/b/k');
    cache.forgetSite('a');
    await get('/a/k');
    await get('/b/k');
    expect(built).toEqual(['a/k@1', 'b/k@1', 'a/k@1']);
  });
});
