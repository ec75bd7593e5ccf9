/**
 * How far back a stream is replayed (`LIFEBOAT_STREAM_REPLAY_MAX`), and the `id:` on `ready` that
 * lets a plain EventSource resume from where it turned live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { openSse, type SseClient } from '../testing/sse.js';

const MAX = 10;
let s: TestServer;
let token: string;
const clients: SseClient[] = [];
let n = 0;

async function sse(headers: Record<string, string> = {}): Promise<SseClient> {
  const c = await openSse(`${s.url}/v1/sites/acme/stream`, headers);
  clients.push(c);
  return c;
}

async function post(): Promise<void> {
  const body = `Replay answer ${n++}`;
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    json: { kind: 'answer', body },
    headers: { 'idempotency-key': `replay-${n}` },
  });
  expect(res.status).toBe(201);
}

const currentSeq = async () =>
  ((await (await s.api('/v1/sites/acme/status')).json()) as { lastEventId: number }).lastEventId;

/** Event frames (with an id), not the `ready` control frame. */
const eventIds = (c: SseClient) =>
  c.frames.filter((f) => f.id && f.event !== 'ready').map((f) => Number(f.id));

beforeAll(async () => {
  s = await startTestServer({ streamReplayMax: MAX, streamsPerClient: 1000 });
  token = (await s.session('Replayer')).token;
  for (let i = 0; i < 2 * MAX; i++) await post();
});
afterAll(async () => {
  for (const c of clients) c.close();
  await s.close();
});

describe('replay length', () => {
  it('replays up to LIFEBOAT_STREAM_REPLAY_MAX events; further behind, reset instead', async () => {
    const current = await currentSeq();
    // Exactly MAX behind: replayed.
    const near = await sse({ 'last-event-id': String(current - MAX) });
    await near.waitFor((f) => f.event === 'ready');
    expect(near.frames.some((f) => f.event === 'reset')).toBe(false);
    expect(eventIds(near)).toEqual(Array.from({ length: MAX }, (_, i) => current - MAX + 1 + i));

    // One more behind: `reset` to the current sequence, nothing replayed, then live.
    const far = await sse({ 'last-event-id': String(current - MAX - 1) });
    const reset = await far.waitFor((f) => f.event === 'reset');
    expect(JSON.parse(reset.data!)).toEqual({ lastEventId: current });
    await far.waitFor((f) => f.event === 'ready');
    expect(eventIds(far)).toEqual([]);
    await post();
    const live = await far.waitFor((f) => f.event === 'post.created');
    expect(Number(live.id)).toBe(current + 1);
  });

  it('of several counts for one incident or post in a batch, only the last is sent', async () => {
    const from = await currentSeq();
    const guests = await Promise.all(
      [1, 2, 3].map((i) => s.session(`Counter ${i}`, 'acme', `Browser ${i}`)),
    );
    const incident = `/v1/sites/acme/incidents/${enc(s.incident)}`;
    for (const g of guests) {
      const res = await s.api(`${incident}/affected`, { method: 'PUT', token: g.token });
      expect(res.status).toBe(200);
    }
    const created = await s.api(`${incident}/posts`, {
      method: 'POST',
      token,
      json: { kind: 'answer', body: 'Counted answer' },
      headers: { 'idempotency-key': 'counted' },
    });
    const { id: postId } = (await created.json()) as { id: string };
    for (const g of guests) {
      const res = await s.api(`/v1/sites/acme/posts/${enc(postId)}/reaction`, {
        method: 'PUT',
        token: g.token,
        json: { kind: 'worked' },
      });
      expect(res.status).toBe(200);
    }
    const current = await currentSeq();
    expect(current - from).toBeGreaterThanOrEqual(7); // 3 affected, 1 post, 3 confirmations
    // The replay reads them as one page: one affected.changed (3), one reaction.changed (3).
    const c = await sse({ 'last-event-id': String(from) });
    const ready = await c.waitFor((f) => f.event === 'ready');
    expect(ready.id).toBe(String(current));
    const events = c.frames.filter((f) => f.id && f.event !== 'ready');
    const affected = events.filter((f) => f.event === 'affected.changed');
    expect(affected.map((f) => (JSON.parse(f.data!) as { count: number }).count)).toEqual([3]);
    const reactions = events.filter((f) => f.event === 'reaction.changed');
    expect(
      reactions.map((f) => (JSON.parse(f.data!) as { counts: { worked: number } }).counts.worked),
    ).toEqual([3]);
    expect(events.filter((f) => f.event === 'post.created')).toHaveLength(1);
  });

  it('ready carries id: a client cut before its first event resumes without a gap', async () => {
    // A plain EventSource connecting without Last-Event-ID: it learns the id from `ready`.
    const first = await sse();
    const ready = await first.waitFor((f) => f.event === 'ready');
    const current = await currentSeq();
    expect(ready.id).toBe(String(current));
    expect(JSON.parse(ready.data!)).toEqual({ lastEventId: current });
    first.close(); // cut before any event

    await post();
    await post();
    // It reconnects with the id it had: the two posts made while it was away, then ready.
    const again = await sse({ 'last-event-id': ready.id! });
    const readyAgain = await again.waitFor((f) => f.event === 'ready');
    expect(eventIds(again)).toEqual([current + 1, current + 2]);
    expect(readyAgain.id).toBe(String(current + 2));
  });
});
