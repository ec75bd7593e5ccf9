import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LifeboatEvent, Post } from '@lifeboat/protocol';
import { enc, startTestServer, TEST_ORIGIN, type TestServer } from '../testing/harness.js';
import { openSse, type SseClient } from '../testing/sse.js';

let s: TestServer;
let token: string;
const clients: SseClient[] = [];

async function sse(
  query = '',
  headers: Record<string, string> = {},
  site = 'acme',
): Promise<SseClient> {
  const c = await openSse(`${s.url}/v1/sites/${site}/stream${query}`, headers);
  clients.push(c);
  return c;
}

async function post(body: string): Promise<Post> {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    json: { kind: 'answer', body },
    headers: { 'idempotency-key': `k-${body.replace(/\W/g, '')}` },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Post;
}

const currentSeq = async () =>
  ((await (await s.api('/v1/sites/acme/status')).json()) as { lastEventId: number }).lastEventId;

beforeAll(async () => {
  // Every stream of this file comes from 127.0.0.1 and most stay open: no per-client limit here.
  s = await startTestServer({ heartbeatMs: 100, eventRetention: 20, streamsPerClient: 1000 });
  token = (await s.session('Streamer')).token;
});
afterAll(async () => {
  for (const c of clients) c.close();
  await s.close();
});

describe('GET /v1/sites/:site/stream', () => {
  it('sends SSE headers, retry, ready, then live events with ids', async () => {
    const c = await sse('', { origin: TEST_ORIGIN });
    expect(c.status).toBe(200);
    expect(c.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(c.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(c.headers.get('x-accel-buffering')).toBe('no');
    expect(c.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const ready = await c.waitFor((f) => f.event === 'ready');
    expect(c.frames[0]!.retry).toBe('3000');
    const seq = JSON.parse(ready.data!).lastEventId as number;
    expect(seq).toBe(await currentSeq());

    const created = await post('Live one');
    const frame = await c.waitFor((f) => f.event === 'post.created');
    expect(Number(frame.id)).toBe(seq + 1);
    const event = JSON.parse(frame.data!) as LifeboatEvent;
    expect(event).toMatchObject({
      type: 'post.created',
      seq: seq + 1,
      post: { id: created.id, body: 'Live one' },
    });

    await s.api(`/v1/sites/acme/posts/${created.id}/reaction`, {
      method: 'PUT',
      token,
      json: { kind: 'worked' },
    });
    const reaction = JSON.parse((await c.waitFor((f) => f.event === 'reaction.changed')).data!);
    expect(reaction).toMatchObject({
      postId: created.id,
      incidentId: s.incident,
      counts: { worked: 1, didntWork: 0 },
    });
    await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/affected`, { method: 'PUT', token });
    const affected = JSON.parse((await c.waitFor((f) => f.event === 'affected.changed')).data!);
    expect(affected).toMatchObject({ incidentId: s.incident, count: 1 });
  });

  it('fans out to several subscribers, each event once', async () => {
    const a = await sse();
    const b = await sse();
    await a.waitFor((f) => f.event === 'ready');
    await b.waitFor((f) => f.event === 'ready');
    await post('Fan one');
    await post('Fan two');
    for (const c of [a, b]) {
      await c.waitFor((f) => f.event === 'post.created' && f.data!.includes('Fan two'));
      const ids = c.frames.filter((f) => f.id && f.event !== 'ready').map((f) => Number(f.id));
      expect(ids).toHaveLength(2);
      expect(new Set(ids).size).toBe(2);
    }
  });

  it('replays after Last-Event-ID (header and query), then ready', async () => {
    const from = await currentSeq();
    await post('Missed one');
    await post('Missed two');
    for (const c of [
      await sse('', { 'last-event-id': String(from) }),
      await sse(`?lastEventId=${from}`),
    ]) {
      const ready = await c.waitFor((f) => f.event === 'ready');
      const replayed = c.frames.filter((f) => f.id && f.event !== 'ready');
      expect(replayed.map((f) => Number(f.id))).toEqual([from + 1, from + 2]);
      expect(replayed[1]!.data).toContain('Missed two');
      expect(JSON.parse(ready.data!).lastEventId).toBe(from + 2);
      expect(c.frames.some((f) => f.event === 'reset')).toBe(false);
    }
  });

  it('says reset when the id is older than what is kept, or ahead of the site', async () => {
    for (let i = 0; i < 22; i++) await post(`Filler ${i}`);
    for (const ahead of [false, true]) {
      const current = await currentSeq();
      const id = ahead ? String(current + 100) : '1';
      const c = await sse('', { 'last-event-id': id });
      const reset = await c.waitFor((f) => f.event === 'reset');
      expect(JSON.parse(reset.data!)).toEqual({ lastEventId: current });
      await c.waitFor((f) => f.event === 'ready');
      expect(c.frames.filter((f) => f.id && f.event !== 'ready')).toHaveLength(0);
      await post(`After reset ${id}`);
      const live = await c.waitFor((f) => f.event === 'post.created');
      expect(Number(live.id)).toBeGreaterThan(current);
    }
    expect(s.count('events')).toBeLessThanOrEqual(20);
  });

  it('sends heartbeat comments', async () => {
    const c = await sse();
    await c.waitFor((f) => f.comment === 'hb', 2000);
  });

  it('rejects a bad Last-Event-ID and an unknown site', async () => {
    expect(
      (await fetch(`${s.url}/v1/sites/acme/stream`, { headers: { 'last-event-id': 'abc' } }))
        .status,
    ).toBe(400);
    expect((await fetch(`${s.url}/v1/sites/nope/stream`)).status).toBe(404);
  });

  it('closeStreams ends every open stream and the channel cleans up', async () => {
    const c = await sse();
    await c.waitFor((f) => f.event === 'ready');
    expect(s.app.lifeboat.streams.size).toBeGreaterThan(0);
    s.app.lifeboat.closeStreams();
    await c.ended;
    expect(s.app.lifeboat.streams.size).toBe(0);
  });

  it('forgets a subscriber when the client disconnects', async () => {
    const c = await sse();
    await c.waitFor((f) => f.event === 'ready');
    const before = s.app.lifeboat.streams.size;
    c.close();
    await new Promise((r) => setTimeout(r, 100));
    expect(s.app.lifeboat.streams.size).toBe(before - 1);
  });
});
