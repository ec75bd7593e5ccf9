/**
 * Streams under pressure, through the real app: a replay to a client that never reads waits for
 * the socket and is dropped without growing the server's memory; a live reader that falls behind
 * its byte budget is dropped and resumes with nothing lost; the per-client limit (429) and the
 * instance budget (`event: poll`). Counts and bytes are asserted, never durations.
 */
import net from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import { startTestServer, TEST_ORIGIN, type TestServer } from '../testing/harness.js';
import { openSse, type SseClient } from '../testing/sse.js';
import { clientKey, STAFF_STREAMS_PER_ACTOR } from './stream-limits.js';

const servers: TestServer[] = [];
const clients: SseClient[] = [];
const sockets: net.Socket[] = [];
const held: Response[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const res of held.splice(0)) await res.body?.cancel();
  for (const socket of sockets.splice(0)) socket.destroy();
  for (const s of servers.splice(0)) await s.close();
});

async function server(overrides: Parameters<typeof startTestServer>[0]): Promise<TestServer> {
  const s = await startTestServer({ sqliteSync: 'normal', ...overrides });
  servers.push(s);
  return s;
}

async function sse(
  s: TestServer,
  headers: Record<string, string> = {},
  path = '/v1/sites/acme/stream',
): Promise<SseClient> {
  const c = await openSse(s.url + path, headers);
  clients.push(c);
  return c;
}

/** Waits (polling) until `check` holds; a bound on waiting, not an assertion about time. */
async function until(check: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Writes published answers straight through the store and tells the hub, as the posts route does
 * (no HTTP, no rate limits). `paced`: one event-loop turn between posts, like separate requests.
 */
async function seeder(s: TestServer) {
  const { store, hub } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const member = (await s.session('Seeder')).member;
  let n = 0;
  return async (count: number, bodyChars: number, paced = false): Promise<number[]> => {
    const seqs: number[] = [];
    for (let i = 0; i < count; i++) {
      const body = `Answer ${n++}: ${'try the EU region, then retry. '.repeat(bodyChars / 30 + 1)}`;
      const outcome = await store.createPost({
        siteId: site.id,
        incidentId: s.incident,
        memberId: member.id,
        id: ulid(),
        kind: 'answer',
        body: body.slice(0, bodyChars),
        parentId: null,
        workaround: null,
        state: 'published',
        idempotency: null,
      });
      if (outcome.kind !== 'created') throw new Error(`seed: ${outcome.kind}`);
      seqs.push(outcome.seq);
      hub.publish({ site: site.id, seq: outcome.seq });
      if (paced) await new Promise((r) => setTimeout(r, 1));
    }
    return seqs;
  };
}

/** A stream request on a raw socket that never reads what the server sends. */
function neverReading(s: TestServer, headers: Record<string, string> = {}): net.Socket {
  const { port } = new URL(s.url);
  const socket = net.connect(Number(port), '127.0.0.1');
  socket.pause();
  const lines = Object.entries({ host: `127.0.0.1:${port}`, ...headers }).map(
    ([k, v]) => `${k}: ${v}\r\n`,
  );
  socket.write(`GET /v1/sites/acme/stream HTTP/1.1\r\n${lines.join('')}\r\n`);
  socket.on('error', () => {});
  sockets.push(socket);
  return socket;
}

const MiB = 1024 * 1024;

// A collection before each reading, so the heap numbers are what is held, not garbage not yet
// collected (the test process also runs other work).
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;
const liveMemory = () => {
  gc();
  return process.memoryUsage();
};

describe('a client that never reads', () => {
  it('during a long replay: the replay waits for the socket, memory stays bounded, the stream is dropped', async () => {
    const s = await server({ heartbeatMs: 2000, streamsPerClient: 1000, streamReplayMax: 100_000 });
    const streams = s.app.lifeboat.streams;
    // 1,500 answers of 4 KB: a 6 MB replay per stream, more than loopback's socket buffers take.
    const seqs = await (await seeder(s))(1500, 4000);
    const before = liveMemory();

    const readers = 40;
    for (let i = 0; i < readers; i++) neverReading(s, { 'last-event-id': '1' });
    await until(() => streams.stats().waiting === readers, 'every replay waits for its socket');

    const during = streams.stats();
    const after = liveMemory();
    // Each waiting stream holds about one socket high-water mark (16 KB) and one event.
    expect(during.queuedBytes).toBeLessThan(readers * 64 * 1024);
    // Unbounded, the replays would sit in memory (40 × 6 MB, less what the kernel took). The
    // heap and external buffers are what would hold them; RSS is the whole process's, shared
    // with whatever other test files run in it at the time, so it is not asserted.
    expect(after.heapUsed + after.external - (before.heapUsed + before.external)).toBeLessThan(
      32 * MiB,
    );

    // Still not draining at the second heartbeat: dropped, slots given back.
    await until(() => streams.stats().streams === 0, 'the stalled streams are dropped');
    expect(streams.stats()).toMatchObject({ streams: 0, clients: 0, queuedBytes: 0 });
    expect(streams.stats().dropped).toBeGreaterThanOrEqual(readers);

    // Coming back with the same Last-Event-ID, a reader gets the whole replay: nothing was lost.
    const c = await sse(s, { 'last-event-id': '1' });
    await c.waitFor((f) => f.event === 'ready', 30_000);
    const ids = c.frames.filter((f) => f.id && f.event !== 'ready').map((f) => Number(f.id));
    const last = seqs[seqs.length - 1]!;
    expect(ids).toEqual(Array.from({ length: last - 1 }, (_, i) => i + 2));
  }, 120_000);

  it('live: a reader past its byte budget is dropped and resumes from its last id', async () => {
    const s = await server({ heartbeatMs: 60_000, streamBufferBytes: 64 * 1024 });
    const streams = s.app.lifeboat.streams;
    const socket = neverReading(s);
    const reader = await sse(s); // reads, so it stays
    await reader.waitFor((f) => f.event === 'ready');
    await until(() => streams.stats().streams === 2, 'both streams are live');

    const post = await seeder(s);
    let written = 0;
    while (streams.stats().streams === 2) {
      await post(20, 4000, true);
      written += 20;
      if (written > 5000) throw new Error('the never-reading stream was never dropped');
    }
    expect(streams.stats()).toMatchObject({ streams: 1, dropped: 1 });
    expect(streams.stats().queuedBytes).toBeLessThan(64 * 1024 + 8 * 1024);
    socket.destroy();

    // The reading stream got every event once, in order.
    const last = await post(1, 100);
    await reader.waitFor((f) => f.id === String(last[0]), 10_000);
    const ids = reader.frames.filter((f) => f.id && f.event !== 'ready').map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(written + 1);
  });
});

describe('stream limits', () => {
  it('refuses a client past its streams with 429 problem+json and Retry-After', async () => {
    const adminKey = 'admin-key-0123456789abcdefghij';
    const s = await server({ streamsPerClient: 2, streamPollMs: 5000, adminKey });
    const a = await sse(s, { origin: TEST_ORIGIN });
    const b = await sse(s);
    await a.waitFor((f) => f.event === 'ready');
    await b.waitFor((f) => f.event === 'ready');

    const refused = await fetch(`${s.url}/v1/sites/acme/stream`, {
      headers: { origin: TEST_ORIGIN },
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(refused.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(await refused.json()).toMatchObject({
      status: 429,
      code: 'rate_limited',
      retryAfter: 30,
    });

    // Staff streams count in the instance's total only: never refused, never the address's share.
    const staff = await sse(
      s,
      { authorization: `Bearer ${adminKey}` },
      '/v1/sites/acme/moderation/stream',
    );
    await staff.waitFor((f) => f.event === 'ready');
    expect(s.app.lifeboat.streams.stats()).toMatchObject({ streams: 3, clients: 1 });

    a.close();
    await until(() => s.app.lifeboat.streams.size === 2, 'a left');
    const again = await sse(s);
    await again.waitFor((f) => f.event === 'ready');
    expect(s.app.lifeboat.streams.stats()).toMatchObject({ streams: 3, clients: 1 });
  });

  it('holds each staff actor to 16 streams (a leaked staff token cannot open thousands)', async () => {
    const adminKey = 'admin-key-0123456789abcdefghij';
    const s = await server({ streamsPerClient: 1, adminKey });
    const morgan = await s.staffToken('Morgan');
    const open = (token: string) =>
      sse(s, { authorization: `Bearer ${token}` }, '/v1/sites/acme/moderation/stream');
    const held: SseClient[] = [];
    for (let i = 0; i < STAFF_STREAMS_PER_ACTOR; i++) {
      const c = await open(morgan);
      expect(c.status).toBe(200);
      held.push(c);
    }
    const refused = await fetch(`${s.url}/v1/sites/acme/moderation/stream`, {
      headers: { authorization: `Bearer ${morgan}` },
    });
    expect(refused.status).toBe(429);
    expect(await refused.json()).toMatchObject({ code: 'rate_limited' });
    // Another staff actor (the admin key) has its own share, as does the public on that address.
    expect((await open(adminKey)).status).toBe(200);
    expect((await sse(s)).status).toBe(200);
    // One console closed frees a slot.
    held[0]!.close();
    await until(
      () => s.app.lifeboat.streams.size === STAFF_STREAMS_PER_ACTOR + 1,
      'a staff stream left',
    );
    expect((await open(morgan)).status).toBe(200);
  });

  it('counts the address Fastify trusts: forwarded clients apart, IPv6 by /64', async () => {
    const s = await server({ streamsPerClient: 1, trustProxy: ['loopback'] });
    const from = async (address: string) => {
      const res = await fetch(`${s.url}/v1/sites/acme/stream`, {
        headers: { 'x-forwarded-for': address },
      });
      if (res.status === 200) held.push(res);
      else await res.body?.cancel();
      return res.status;
    };
    expect(await from('203.0.113.7')).toBe(200);
    expect(await from('203.0.113.7')).toBe(429);
    expect(await from('203.0.113.8')).toBe(200);
    expect(await from('2001:db8:1:2::1')).toBe(200);
    expect(await from('2001:db8:1:2:ffff::9')).toBe(429);
    expect(await from('2001:db8:1:3::1')).toBe(200);
    expect(s.app.lifeboat.streams.stats().clients).toBe(4);
  });

  it('past the instance budget tells new streams to poll, then takes them again when a slot frees', async () => {
    const s = await server({ streamBudget: 1, streamPollMs: 2000 });
    const holder = await sse(s);
    await holder.waitFor((f) => f.event === 'ready');

    const told = await sse(s, { origin: TEST_ORIGIN });
    expect(told.status).toBe(200);
    expect(told.headers.get('retry-after')).toBe('12');
    expect(told.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const poll = await told.waitFor((f) => f.event === 'poll');
    expect(JSON.parse(poll.data!)).toEqual({ interval: 2000, retryAfter: 12 });
    await told.ended;
    expect(told.frames.map((f) => f.retry ?? f.event)).toEqual(['12000', 'poll']);
    expect(s.app.lifeboat.streams.size).toBe(1);

    holder.close();
    await until(() => s.app.lifeboat.streams.size === 0, 'the holder left');
    const back = await sse(s);
    await back.waitFor((f) => f.event === 'ready');
  });
});

describe('clientKey', () => {
  it('keys IPv4 as is, IPv4-mapped IPv6 as IPv4, IPv6 by its /64', () => {
    expect(clientKey('198.51.100.4')).toBe('198.51.100.4');
    expect(clientKey('::ffff:198.51.100.4')).toBe('198.51.100.4');
    expect(clientKey('2001:db8:0:1::1')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:0db8:0000:0001:abcd:1:2:3')).toBe('2001:db8:0:1::/64');
    expect(clientKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(clientKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
});
