/**
 * The thread's own-post rules and ordering: edit and delete within the window (owner only), the
 * tombstone, the server-side helpfulness score, one confirmation per member under concurrency,
 * and replay from any event id (or reset when too old).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ulid,
  type LifeboatEvent,
  type Post,
  type Session,
  type ThreadPage,
} from '@lifeboat/protocol';
import { helpfulness, wilsonLowerBound } from '../content/helpfulness.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { openSse } from '../testing/sse.js';
import { latestCounts } from '../realtime/stream.js';

let s: TestServer;
let alice: Session;
let bob: Session;

const create = async (token: string, json: Record<string, unknown>): Promise<Post> => {
  const id = ulid();
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    json: { id, ...json },
    headers: { 'idempotency-key': id },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Post;
};
const answer = (token: string, body: string) => create(token, { kind: 'answer', body });
const edit = (token: string | undefined, id: string, json: unknown) =>
  s.api(`/v1/sites/acme/posts/${id}`, { method: 'PATCH', token, json });
const remove = (token: string | undefined, id: string) =>
  s.api(`/v1/sites/acme/posts/${id}`, { method: 'DELETE', token });
const react = (token: string, id: string, kind: string) =>
  s.api(`/v1/sites/acme/posts/${id}/reaction`, { method: 'PUT', token, json: { kind } });
const threadPosts = async (): Promise<Post[]> => {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=200`);
  return ((await res.json()) as ThreadPage).posts;
};
const lastEvent = async (): Promise<LifeboatEvent> => {
  const status = (await (await s.api('/v1/sites/acme/status')).json()) as { lastEventId: number };
  const c = await openSse(`${s.url}/v1/sites/acme/stream?lastEventId=${status.lastEventId - 1}`);
  const frame = await c.waitFor((f) => f.id === String(status.lastEventId));
  c.close();
  return JSON.parse(frame.data!) as LifeboatEvent;
};

beforeAll(async () => {
  s = await startTestServer({ eventRetention: 1000 });
  alice = await s.session('Alice', 'acme', 'Alice browser');
  bob = await s.session('Bob', 'acme', 'Bob browser');
});
afterAll(async () => {
  await s.close();
});

describe('PATCH …/posts/:post (edit)', () => {
  it('lets the author edit within the window: editedAt set, one post.updated event', async () => {
    const post = await answer(alice.token, 'Restart the agnet');
    const events = s.count('events');
    const res = await edit(alice.token, post.id, { body: '  Restart the agent  ' });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as Post;
    expect(edited).toMatchObject({ id: post.id, body: 'Restart the agent', kind: 'answer' });
    expect(edited.editedAt).not.toBeNull();
    expect(s.count('events')).toBe(events + 1);
    const event = await lastEvent();
    expect(event).toMatchObject({
      type: 'post.updated',
      post: { id: post.id, body: 'Restart the agent' },
    });
    expect((await threadPosts()).find((p) => p.id === post.id)!.body).toBe('Restart the agent');
  });

  it("refuses someone else's post with 403 and a clear message, and asks for a session", async () => {
    const post = await answer(alice.token, 'Mine');
    const res = await edit(bob.token, post.id, { body: 'Hijacked' });
    expect(res.status).toBe(403);
    const problem = await res.json();
    expect(problem.code).toBe('forbidden');
    expect(problem.detail).toMatch(/only the author/i);
    expect((await edit(undefined, post.id, { body: 'x' })).status).toBe(401);
    expect((await edit(alice.token, ulid(), { body: 'x' })).status).toBe(404);
    expect((await threadPosts()).find((p) => p.id === post.id)!.body).toBe('Mine');
  });

  it('validates like a new post and never answers bad input with a 5xx', async () => {
    const post = await answer(alice.token, 'Valid');
    const bad: unknown[] = [
      { body: '   ' },
      { body: 'http://insecure.test' },
      { body: 'x'.repeat(5001) },
      { body: 'ok', extra: 1 },
      {},
      null,
      { body: 'ok', workaround: { title: 'Too', steps: [], risk: 'safe' } },
    ];
    for (const json of bad) {
      const res = await edit(alice.token, post.id, json);
      expect(res.status, JSON.stringify(json)).toBeGreaterThanOrEqual(400);
      expect(res.status, JSON.stringify(json)).toBeLessThan(500);
    }
    const wrongKind = await edit(alice.token, post.id, {
      body: 'Use the EU relay',
      workaround: { title: 'Use the EU relay', steps: ['Switch region'], risk: 'safe' },
    });
    expect(wrongKind.status).toBe(422);
    expect((await wrongKind.json()).errors[0].field).toBe('workaround');
    expect((await edit(alice.token, 'not a ulid!', { body: 'x' })).status).toBeLessThan(500);
  });

  it('closes the window after LIFEBOAT_EDIT_WINDOW_MS: 403 for edit and delete', async () => {
    const short = await startTestServer({ editWindowMs: 150 });
    try {
      const carol = await short.session('Carol');
      const id = ulid();
      const created = await short.api(`/v1/sites/acme/incidents/${enc(short.incident)}/posts`, {
        method: 'POST',
        token: carol.token,
        json: { id, kind: 'answer', body: 'Soon frozen' },
        headers: { 'idempotency-key': id },
      });
      expect(created.status).toBe(201);
      await new Promise((r) => setTimeout(r, 250));
      const late = await short.api(`/v1/sites/acme/posts/${id}`, {
        method: 'PATCH',
        token: carol.token,
        json: { body: 'Too late' },
      });
      expect(late.status).toBe(403);
      expect((await late.json()).detail).toMatch(/only within 0?\d* ?\w+ of posting/);
      const del = await short.api(`/v1/sites/acme/posts/${id}`, {
        method: 'DELETE',
        token: carol.token,
      });
      expect(del.status).toBe(403);
    } finally {
      await short.close();
    }
  });

  it('the store applies the window to an injected clock', async () => {
    const { store } = s.app.lifeboat;
    const site = (await store.getSiteBySlug('acme'))!;
    const post = await answer(alice.token, 'Clocked');
    const created = Date.parse(post.createdAt);
    const at = (ms: number) => new Date(created + ms).toISOString();
    const change = { body: 'Clocked, edited', workaround: null };
    expect(
      (
        await store.editPost(site.id, post.id, alice.member.id, change, {
          windowMs: 1000,
          at: at(1001),
        })
      ).kind,
    ).toBe('window_closed');
    expect(
      (
        await store.editPost(site.id, post.id, alice.member.id, change, {
          windowMs: 1000,
          at: at(999),
        })
      ).kind,
    ).toBe('ok');
    expect(
      (await store.deletePost(site.id, post.id, alice.member.id, { windowMs: 1000, at: at(5000) }))
        .kind,
    ).toBe('window_closed');
  });
});

describe('DELETE …/posts/:post', () => {
  it('leaves a tombstone in place: empty body, deletedAt, one post.updated; repeating is a no-op', async () => {
    const before = await answer(alice.token, 'Before');
    const doomed = await answer(alice.token, 'Oops, wrong thread');
    const after = await answer(bob.token, 'After');
    await react(bob.token, doomed.id, 'worked');
    expect((await remove(bob.token, doomed.id)).status).toBe(403);
    const postCount = async () =>
      (
        (await (await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`)).json()) as {
          postCount: number;
        }
      ).postCount;
    const countBefore = await postCount();
    const events = s.count('events');
    const res = await remove(alice.token, doomed.id);
    expect(res.status).toBe(200);
    const tomb = (await res.json()) as Post;
    expect(tomb).toMatchObject({ id: doomed.id, body: '', workaround: null, state: 'published' });
    expect(tomb.deletedAt).toBeTruthy();
    expect(s.count('events')).toBe(events + 1);
    expect(await lastEvent()).toMatchObject({
      type: 'post.updated',
      post: { id: doomed.id, body: '' },
    });

    expect(await postCount()).toBe(countBefore - 1);
    const again = await remove(alice.token, doomed.id);
    expect(again.status).toBe(200);
    expect(s.count('events')).toBe(events + 1);

    const ids = (await threadPosts()).map((p) => p.id);
    expect(ids.indexOf(doomed.id)).toBeGreaterThan(ids.indexOf(before.id));
    expect(ids.indexOf(doomed.id)).toBeLessThan(ids.indexOf(after.id));
    expect(s.count('posts', `id = '${doomed.id}' AND body = ''`)).toBe(1);

    expect((await edit(alice.token, doomed.id, { body: 'Back' })).status).toBe(409);
    expect((await react(bob.token, doomed.id, 'didnt_work')).status).toBe(404);
    const reply = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
      method: 'POST',
      token: bob.token,
      json: { kind: 'reply', parentId: doomed.id, body: 'To a ghost' },
      headers: { 'idempotency-key': ulid() },
    });
    expect(reply.status).toBe(422);
  });
});

describe('confirmations and the helpfulness score', () => {
  it('one confirmation per member even when 20 arrive at once', async () => {
    const post = await answer(alice.token, 'Clear the DNS cache');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => react(bob.token, post.id, 'worked')),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(s.count('reactions', `post_id = '${post.id}'`)).toBe(1);
    const listed = (await threadPosts()).find((p) => p.id === post.id)!;
    expect(listed.counts).toEqual({ worked: 1, didntWork: 0 });
  });

  it('computes the score on the server with each confirmation and sends it with the event', async () => {
    const strong = await answer(alice.token, 'Strong fix');
    const weak = await answer(alice.token, 'Weak fix');
    expect(strong.score).toBe(0);
    const voters = await Promise.all(
      Array.from({ length: 5 }, (_, i) => s.session(`V${i}`, 'acme', `Voter browser ${i}`)),
    );
    for (const v of voters) expect((await react(v.token, strong.id, 'worked')).status).toBe(200);
    await react(voters[0]!.token, weak.id, 'worked');
    await react(voters[1]!.token, weak.id, 'didnt_work');
    const event = await lastEvent();
    expect(event.type).toBe('reaction.changed');
    const posts = await threadPosts();
    const scoreOf = (id: string) => posts.find((p) => p.id === id)!.score;
    expect(scoreOf(strong.id)).toBeCloseTo(wilsonLowerBound(5, 5), 5);
    expect(scoreOf(weak.id)).toBeCloseTo(wilsonLowerBound(1, 1 + 2), 5); // a fresh "didn't work" weighs 2
    expect(event).toMatchObject({ postId: weak.id, score: scoreOf(weak.id) });
    expect(scoreOf(strong.id)).toBeGreaterThan(scoreOf(weak.id));
    // Switching back moves the score too.
    await react(voters[1]!.token, weak.id, 'worked');
    expect((await threadPosts()).find((p) => p.id === weak.id)!.score).toBeCloseTo(
      wilsonLowerBound(2, 2),
      5,
    );
  });

  it('weighs a recent "didn\'t work" more than an old one; more evidence ranks higher', () => {
    const at = '2026-01-01T12:00:00.000Z';
    const recent = helpfulness(3, ['2026-01-01T11:50:00.000Z'], at);
    const old = helpfulness(3, ['2026-01-01T09:00:00.000Z'], at);
    expect(recent).toBeLessThan(old);
    expect(helpfulness(10, [], at)).toBeGreaterThan(helpfulness(1, [], at));
    expect(helpfulness(0, [], at)).toBe(0);
    expect(helpfulness(0, [at], at)).toBe(0);
    expect(wilsonLowerBound(5, 5)).toBeGreaterThan(0.5);
    expect(wilsonLowerBound(5, 5)).toBeLessThan(1);
  });
});

describe('replay', () => {
  it('replays exactly the events after any id, once each, then ready', async () => {
    for (let i = 0; i < 6; i++) await answer(bob.token, `Replay ${i}`);
    const status = (await (await s.api('/v1/sites/acme/status')).json()) as { lastEventId: number };
    const current = status.lastEventId;
    for (let from = current - 8; from <= current; from++) {
      const c = await openSse(`${s.url}/v1/sites/acme/stream?lastEventId=${from}`);
      await c.waitFor((f) => f.event === 'ready');
      const ids = c.frames.filter((f) => f.id && f.event !== 'ready').map((f) => Number(f.id));
      c.close();
      // Every public event after `from`, less counts replaced later in the same page (a
      // confirmation switched back and forth: only its last count is sent).
      const { store } = s.app.lifeboat;
      const site = (await store.getSiteBySlug('acme'))!;
      const stored = await store.eventsAfter(site.id, from, 50);
      expect(stored.map((e) => e.seq)).toEqual(
        Array.from({ length: current - from }, (_, i) => from + 1 + i),
      );
      const expected = latestCounts(stored)
        .filter((e) => e.audience !== 'staff')
        .map((e) => e.seq);
      expect(ids).toEqual(expected);
    }
  });

  it('says reset when the id is older than what the server keeps', async () => {
    const small = await startTestServer({ eventRetention: 3 });
    try {
      const dave = await small.session('Dave');
      for (let i = 0; i < 6; i++) {
        const id = ulid();
        await small.api(`/v1/sites/acme/incidents/${enc(small.incident)}/posts`, {
          method: 'POST',
          token: dave.token,
          json: { id, kind: 'answer', body: `Old ${i}` },
          headers: { 'idempotency-key': id },
        });
      }
      const c = await openSse(`${small.url}/v1/sites/acme/stream?lastEventId=1`);
      const reset = await c.waitFor((f) => f.event === 'reset');
      await c.waitFor((f) => f.event === 'ready');
      c.close();
      expect(c.frames.filter((f) => f.id && f.event !== 'ready')).toEqual([]);
      const status = (await (await small.api('/v1/sites/acme/status')).json()) as {
        lastEventId: number;
      };
      expect(JSON.parse(reset.data!).lastEventId).toBe(status.lastEventId);
    } finally {
      await small.close();
    }
  });
});
