import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ulid,
  type AffectedResult,
  type Post,
  type ReactionResult,
  type Session,
} from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

let s: TestServer;
let alice: Session;
let bob: Session;
let postsPath: string;

const create = (token: string, key: string, json: unknown) =>
  s.api(postsPath, { method: 'POST', token, json, headers: { 'idempotency-key': key } });

beforeAll(async () => {
  s = await startTestServer();
  alice = await s.session('Alice');
  bob = await s.session('Bob');
  postsPath = `/v1/sites/acme/incidents/${enc(s.incident)}/posts`;
});
afterAll(async () => {
  await s.close();
});

describe('sessions', () => {
  it('creates a guest member with a signed token', async () => {
    const res = await s.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: '  Carol  ' },
    });
    expect(res.status).toBe(201);
    const session = (await res.json()) as Session;
    expect(session.token).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(session.member).toMatchObject({ displayName: 'Carol', role: 'member', staff: false });
    expect(Date.parse(session.expiresAt)).toBeGreaterThan(Date.now());
  });

  it('renames the same member', async () => {
    const res = await s.api('/v1/sites/acme/sessions/me', {
      method: 'PATCH',
      token: alice.token,
      json: { displayName: 'Alice B.' },
    });
    expect(res.status).toBe(200);
    const session = (await res.json()) as Session;
    expect(session.member.id).toBe(alice.member.id);
    expect(session.member.displayName).toBe('Alice B.');
    expect(
      (await s.api('/v1/sites/acme/sessions/me', { method: 'PATCH', json: { displayName: 'X' } }))
        .status,
    ).toBe(401);
  });

  it('rejects empty and blank names with a displayName field error, storing nothing', async () => {
    const before = s.count('members');
    for (const displayName of ['', '    ']) {
      const res = await s.api('/v1/sites/acme/sessions', { method: 'POST', json: { displayName } });
      expect(res.status).toBe(400);
      const problem = await res.json();
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors).toEqual([expect.objectContaining({ field: 'displayName' })]);
    }
    const long = await s.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: 'x'.repeat(61) },
    });
    expect(long.status).toBe(400);
    expect(s.count('members')).toBe(before);
  });
});

describe('POST …/posts', () => {
  it('creates a post with the client id, Location and one event', async () => {
    const id = ulid();
    const events = s.count('events');
    const res = await create(alice.token, id, {
      id,
      kind: 'answer',
      body: '  It fails for us too.  ',
    });
    expect(res.status).toBe(201);
    const post = (await res.json()) as Post;
    expect(post).toMatchObject({
      id,
      kind: 'answer',
      body: 'It fails for us too.',
      state: 'published',
      parentId: null,
      counts: { worked: 0, didntWork: 0 },
    });
    expect(post.author.id).toBe(alice.member.id);
    expect(res.headers.get('location')).toBe(`/v1/sites/acme/posts/${id}`);
    expect(s.count('events')).toBe(events + 1);
    expect(s.count('events', "type = 'post.created'")).toBeGreaterThan(0);
  });

  it('replays a retry with the same key: one post, one event, 200 + Idempotent-Replayed', async () => {
    const posts = s.count('posts');
    const events = s.count('events');
    const body = { kind: 'answer', body: 'Retry me' };
    const first = await create(alice.token, 'retry-1', body);
    const second = await create(alice.token, 'retry-1', body);
    expect(first.status).toBe(201);
    expect(second.status).toBe(200);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(((await second.json()) as Post).id).toBe(((await first.json()) as Post).id);
    expect(s.count('posts')).toBe(posts + 1);
    expect(s.count('events')).toBe(events + 1);
  });

  it('makes exactly one post from 20 parallel requests with one key', async () => {
    const posts = s.count('posts');
    const events = s.count('events');
    const responses = await Promise.all(
      Array.from({ length: 20 }, () =>
        create(bob.token, 'parallel', { kind: 'answer', body: 'Parallel' }),
      ),
    );
    const statuses = responses.map((r) => r.status).sort();
    expect(statuses.filter((c) => c === 201)).toHaveLength(1);
    expect(statuses.filter((c) => c === 200)).toHaveLength(19);
    const ids = new Set(
      await Promise.all(responses.map(async (r) => ((await r.json()) as Post).id)),
    );
    expect(ids.size).toBe(1);
    expect(s.count('posts')).toBe(posts + 1);
    expect(s.count('events')).toBe(events + 1);
  });

  it('refuses the same key with a different body (422) and a known id under another key (409)', async () => {
    const id = ulid();
    expect(
      (await create(alice.token, 'mismatch', { id, kind: 'answer', body: 'One' })).status,
    ).toBe(201);
    const posts = s.count('posts');
    const mismatch = await create(alice.token, 'mismatch', { kind: 'answer', body: 'Two' });
    expect(mismatch.status).toBe(422);
    expect((await mismatch.json()).code).toBe('idempotency_mismatch');
    const conflict = await create(alice.token, 'other-key', { id, kind: 'answer', body: 'One' });
    expect(conflict.status).toBe(409);
    expect((await conflict.json()).code).toBe('conflict');
    expect(s.count('posts')).toBe(posts);
  });

  it('keys are per member: the same key from two members makes two posts', async () => {
    expect((await create(alice.token, 'shared-key', { kind: 'answer', body: 'A' })).status).toBe(
      201,
    );
    expect((await create(bob.token, 'shared-key', { kind: 'answer', body: 'A' })).status).toBe(201);
  });

  it('creates replies to answers and workarounds only', async () => {
    const parent = (await (
      await create(alice.token, 'parent', { kind: 'answer', body: 'Parent' })
    ).json()) as Post;
    const reply = await create(bob.token, 'reply-ok', {
      kind: 'reply',
      parentId: parent.id,
      body: 'Child',
    });
    expect(reply.status).toBe(201);
    const child = (await reply.json()) as Post;
    expect(child.parentId).toBe(parent.id);
    const nested = await create(bob.token, 'reply-nested', {
      kind: 'reply',
      parentId: child.id,
      body: 'Grandchild',
    });
    expect(nested.status).toBe(422);
    expect((await nested.json()).errors[0].field).toBe('parentId');
    const missing = await create(bob.token, 'reply-missing', {
      kind: 'reply',
      parentId: ulid(),
      body: 'Orphan',
    });
    expect(missing.status).toBe(422);
    const noParent = await create(bob.token, 'reply-none', { kind: 'reply', body: 'Orphan' });
    expect(noParent.status).toBe(400);
    expect((await noParent.json()).errors[0].field).toBe('parentId');
  });

  it('refuses posts in a locked thread with 409 thread_locked', async () => {
    const res = await s.api(`/v1/sites/acme/incidents/${s.lockedIncident}/posts`, {
      method: 'POST',
      token: alice.token,
      json: { kind: 'answer', body: 'Late' },
      headers: { 'idempotency-key': 'locked' },
    });
    expect(res.status).toBe(409);
    expect((await res.json()).code).toBe('thread_locked');
  });

  it('needs auth and an Idempotency-Key', async () => {
    expect(
      (
        await s.api(postsPath, {
          method: 'POST',
          json: { kind: 'answer', body: 'x' },
          headers: { 'idempotency-key': 'a' },
        })
      ).status,
    ).toBe(401);
    const noKey = await s.api(postsPath, {
      method: 'POST',
      token: alice.token,
      json: { kind: 'answer', body: 'x' },
    });
    expect(noKey.status).toBe(400);
    expect((await noKey.json()).errors[0].field).toBe('idempotency-key');
    const badKey = await create(alice.token, 'has space', { kind: 'answer', body: 'x' });
    expect(badKey.status).toBe(400);
  });
});

describe('reactions', () => {
  it('counts one confirmation per member; switching moves the count; delete clears', async () => {
    const post = (await (
      await create(alice.token, 'react-target', {
        kind: 'answer',
        body: 'Restarting the runner helped',
      })
    ).json()) as Post;
    const path = `/v1/sites/acme/posts/${post.id}/reaction`;
    const put = async (token: string, kind: string) => {
      const res = await s.api(path, { method: 'PUT', token, json: { kind } });
      expect(res.status).toBe(200);
      return (await res.json()) as ReactionResult;
    };
    const events = s.count('events');
    expect(await put(bob.token, 'worked')).toEqual({
      postId: post.id,
      reaction: 'worked',
      counts: { worked: 1, didntWork: 0 },
    });
    expect(await put(bob.token, 'worked')).toEqual({
      postId: post.id,
      reaction: 'worked',
      counts: { worked: 1, didntWork: 0 },
    });
    expect(s.count('events')).toBe(events + 1);
    expect((await put(bob.token, 'didnt_work')).counts).toEqual({ worked: 0, didntWork: 1 });
    expect((await put(alice.token, 'worked')).counts).toEqual({ worked: 1, didntWork: 1 });
    expect(s.count('events')).toBe(events + 3);

    const me = await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/me`, { token: bob.token })
    ).json();
    expect(me.reactions[post.id]).toBe('didnt_work');

    const del = await s.api(path, { method: 'DELETE', token: bob.token });
    expect(await del.json()).toEqual({
      postId: post.id,
      reaction: null,
      counts: { worked: 1, didntWork: 0 },
    });
    const again = await s.api(path, { method: 'DELETE', token: bob.token });
    expect((await again.json()).counts).toEqual({ worked: 1, didntWork: 0 });
    expect(s.count('events')).toBe(events + 4);
    expect(s.count('reactions', `post_id = '${post.id}'`)).toBe(1);
  });

  it('404 for unknown posts, 400 for bad kinds, 401 without a session', async () => {
    expect(
      (
        await s.api(`/v1/sites/acme/posts/${ulid()}/reaction`, {
          method: 'PUT',
          token: bob.token,
          json: { kind: 'worked' },
        })
      ).status,
    ).toBe(404);
    const post = (await (
      await create(alice.token, 'react-bad', { kind: 'answer', body: 'Hmm' })
    ).json()) as Post;
    const bad = await s.api(`/v1/sites/acme/posts/${post.id}/reaction`, {
      method: 'PUT',
      token: bob.token,
      json: { kind: 'love' },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('kind');
    expect(
      (
        await s.api(`/v1/sites/acme/posts/${post.id}/reaction`, {
          method: 'PUT',
          json: { kind: 'worked' },
        })
      ).status,
    ).toBe(401);
  });
});

describe('affected', () => {
  it('counts each member once and can be taken back', async () => {
    const path = `/v1/sites/acme/incidents/${enc(s.incident)}/affected`;
    const call = async (method: string, token: string) =>
      (await (await s.api(path, { method, token })).json()) as AffectedResult;
    const start = (await call('DELETE', alice.token)).count;
    const events = s.count('events');
    expect(await call('PUT', alice.token)).toEqual({
      incidentId: s.incident,
      affected: true,
      count: start + 1,
    });
    expect((await call('PUT', alice.token)).count).toBe(start + 1);
    expect((await call('PUT', bob.token)).count).toBe(start + 2);
    expect(await call('DELETE', alice.token)).toEqual({
      incidentId: s.incident,
      affected: false,
      count: start + 1,
    });
    expect(s.count('events')).toBe(events + 3);
    const incident = await (await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`)).json();
    expect(incident.affectedCount).toBe(start + 1);
    const me = await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/me`, { token: bob.token })
    ).json();
    expect(me.affected).toBe(true);
    expect(
      (await s.api(`/v1/sites/acme/incidents/nope/affected`, { method: 'PUT', token: bob.token }))
        .status,
    ).toBe(404);
  });

  it('counts 20 parallel reports by different members: every answer and event a distinct count', async () => {
    // PostgreSQL READ COMMITTED: a count read while another member's report is uncommitted would
    // repeat a number, and the last affected.changed event would show too few.
    const path = `/v1/sites/acme/incidents/${enc(s.incident)}/affected`;
    const members = await Promise.all(Array.from({ length: 20 }, (_, i) => s.session(`P${i}`)));
    const counts = await Promise.all(
      members.map(
        async (m) =>
          ((await (await s.api(path, { method: 'PUT', token: m.token })).json()) as AffectedResult)
            .count,
      ),
    );
    const final = counts.length + Math.min(...counts) - 1;
    expect(new Set(counts).size).toBe(20);
    expect(Math.max(...counts)).toBe(final);
    const [last] = await s.sql<{ payload: string }>(
      "SELECT payload FROM events WHERE type = 'affected.changed' AND incident_id = ? ORDER BY seq DESC LIMIT 1",
      s.incident,
    );
    expect(JSON.parse(last!.payload).count).toBe(final);
  });
});
