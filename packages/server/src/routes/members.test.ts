/**
 * The member's own data through the real server: profile, export, and erasure (tombstones,
 * counts and scores recomputed, events for open pages, the token ends, old events scrubbed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ulid,
  type LifeboatEvent,
  type MemberExport,
  type MemberProfile,
  type Post,
  type Session,
  type ThreadPage,
} from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { openSse } from '../testing/sse.js';
import { hostClaims, mintHostToken } from '../testing/host-tokens.js';

const ADMIN_KEY = 'admin-key-0123456789abcdefghij';
const SECRET = 'acme-host-secret-0123456789abcdef0123';
let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  await s.api('/v1/admin/sites/acme/sso', {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    json: { hs256Secret: SECRET },
  });
});
afterAll(async () => {
  await s.close();
});

async function post(session: Session, body: string): Promise<Post> {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token: session.token,
    headers: { 'idempotency-key': ulid() },
    json: { kind: 'answer', body },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Post;
}

const react = (session: Session, postId: string, kind: 'worked' | 'didnt_work') =>
  s.api(`/v1/sites/acme/posts/${postId}/reaction`, {
    method: 'PUT',
    token: session.token,
    json: { kind },
  });

const affected = (session: Session) =>
  s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/affected`, {
    method: 'PUT',
    token: session.token,
  });

async function thread(): Promise<Post[]> {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=100`);
  return ((await res.json()) as ThreadPage).posts;
}

describe('GET …/members/me', () => {
  it("returns the signed-in member's profile; 401 without a session", async () => {
    const token = mintHostToken(hostClaims({ id: 'ext-9', name: 'Nia', badges: ['beta'] }), {
      alg: 'HS256',
      secret: SECRET,
    });
    const session = (await (
      await s.api('/v1/sites/acme/sessions/sso', { method: 'POST', json: { token } })
    ).json()) as Session;
    const res = await s.api('/v1/sites/acme/members/me', { token: session.token });
    expect(res.status).toBe(200);
    expect((await res.json()) as MemberProfile).toEqual({
      id: session.member.id,
      displayName: 'Nia',
      role: 'member',
      staff: false,
      badges: ['beta'],
      kind: 'sso',
      externalId: 'ext-9',
      createdAt: expect.any(String),
    });
    expect((await s.api('/v1/sites/acme/members/me')).status).toBe(401);
    // A token of this site is refused on another.
    expect((await s.api('/v1/sites/other/members/me', { token: session.token })).status).toBe(401);
  });
});

describe('export and erasure', () => {
  let erin: Session;
  let bob: Session;
  let erinPost: Post;
  let bobPost: Post;
  const secretWords = `Erin private workaround ${ulid()}`;

  beforeAll(async () => {
    erin = (await (
      await s.api('/v1/sites/acme/sessions/sso', {
        method: 'POST',
        json: {
          token: mintHostToken(
            hostClaims({ id: 'erin-1', name: 'Erin', avatar: 'https://cdn.acme.test/e.png' }),
            { alg: 'HS256', secret: SECRET },
          ),
        },
      })
    ).json()) as Session;
    bob = await s.session('Bob');
    erinPost = await post(erin, secretWords);
    bobPost = await post(bob, 'Switching the webhook endpoint to the backup region helped.');
    expect((await react(erin, bobPost.id, 'worked')).status).toBe(200);
    expect((await react(bob, erinPost.id, 'worked')).status).toBe(200);
    expect((await affected(erin)).status).toBe(200);
    // A flag (the flag route belongs to moderation; the row is what erasure must remove).
    await s.sql(
      'INSERT INTO flags (post_id, member_id, reason, note, created_at) VALUES (?, ?, ?, ?, ?)',
      bobPost.id,
      erin.member.id,
      'off_topic',
      'not about webhooks',
      new Date().toISOString(),
    );
    await s.sql('UPDATE posts SET flag_count = 1 WHERE id = ?', bobPost.id);
  });

  it('the export holds the profile, posts, confirmations, reports and flags', async () => {
    const res = await s.api('/v1/sites/acme/members/me/export', { token: erin.token });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="lifeboat-acme-/);
    const data = (await res.json()) as MemberExport;
    expect(data.member).toMatchObject({
      id: erin.member.id,
      displayName: 'Erin',
      kind: 'sso',
      externalId: 'erin-1',
      avatarUrl: 'https://cdn.acme.test/e.png',
    });
    expect(data.posts.map((p) => p.body)).toEqual([secretWords]);
    expect(data.reactions).toEqual([
      { postId: bobPost.id, kind: 'worked', createdAt: expect.any(String) },
    ]);
    expect(data.affected).toEqual([{ incidentId: s.incident, createdAt: expect.any(String) }]);
    expect(data.flags).toEqual([
      {
        postId: bobPost.id,
        reason: 'off_topic',
        note: 'not about webhooks',
        createdAt: expect.any(String),
      },
    ]);
    // Nobody else's data: Bob's export has only his post.
    const bobs = (await (
      await s.api('/v1/sites/acme/members/me/export', { token: bob.token })
    ).json()) as MemberExport;
    expect(bobs.posts.map((p) => p.id)).toEqual([bobPost.id]);
    expect(bobs.flags).toEqual([]);
  });

  it('erasure tombstones posts, removes confirmations/reports/flags, tells open pages, ends the session', async () => {
    const status = await (await s.api('/v1/sites/acme/status')).json();
    const stream = await openSse(`${s.url}/v1/sites/acme/stream?lastEventId=${status.lastEventId}`);
    const incidentBefore = await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`)
    ).json();

    const res = await s.api('/v1/sites/acme/members/me', { method: 'DELETE', token: erin.token });
    expect(res.status).toBe(204);

    const events = async (type: string) =>
      JSON.parse(
        (await stream.waitFor((f) => f.event === type && f.data!.includes(type), 5000)).data!,
      ) as LifeboatEvent;
    const updated = await events('post.updated');
    expect(updated).toMatchObject({
      post: {
        id: erinPost.id,
        body: '',
        deletedAt: expect.any(String),
        author: { displayName: 'Deleted member', staff: false },
      },
    });
    expect(await events('reaction.changed')).toMatchObject({
      postId: bobPost.id,
      counts: { worked: 0, didntWork: 0 },
      score: 0,
    });
    expect(await events('affected.changed')).toMatchObject({
      incidentId: s.incident,
      count: incidentBefore.affectedCount - 1,
    });
    stream.close();

    const posts = await thread();
    const tomb = posts.find((p) => p.id === erinPost.id)!;
    expect(tomb).toMatchObject({ body: '', author: { displayName: 'Deleted member' } });
    expect(tomb.author.avatarUrl).toBeUndefined();
    expect(posts.find((p) => p.id === bobPost.id)!.counts).toEqual({ worked: 0, didntWork: 0 });

    expect(s.count('reactions', `member_id = '${erin.member.id}'`)).toBe(0);
    expect(s.count('affected', `member_id = '${erin.member.id}'`)).toBe(0);
    expect(s.count('flags', `member_id = '${erin.member.id}'`)).toBe(0);
    expect(s.count('posts', `id = '${bobPost.id}' AND flag_count = 0`)).toBe(1);
    expect(s.count('members', `id = '${erin.member.id}' AND external_id IS NULL`)).toBe(1);
    // No stored event (the replay log) still carries her words or her name.
    expect(s.count('events', `payload LIKE '%${secretWords}%'`)).toBe(0);
    expect(s.count('events', `payload LIKE '%"displayName":"Erin"%'`)).toBe(0);

    // The token no longer works, for reading or writing.
    expect((await s.api('/v1/sites/acme/members/me', { token: erin.token })).status).toBe(401);
    expect((await affected(erin)).status).toBe(401);
    expect(
      (await s.api('/v1/sites/acme/members/me', { method: 'DELETE', token: erin.token })).status,
    ).toBe(401);
  });

  it('signing in again with the same host id makes a new, empty member', async () => {
    const token = mintHostToken(hostClaims({ id: 'erin-1', name: 'Erin' }), {
      alg: 'HS256',
      secret: SECRET,
    });
    const again = (await (
      await s.api('/v1/sites/acme/sessions/sso', { method: 'POST', json: { token } })
    ).json()) as Session;
    expect(again.member.id).not.toBe(erin.member.id);
    const data = (await (
      await s.api('/v1/sites/acme/members/me/export', { token: again.token })
    ).json()) as MemberExport;
    expect(data.posts).toEqual([]);
  });
});

describe('a post in flight when its author is erased', () => {
  it('is refused by the store once the erasure committed (the route answers 401)', async () => {
    const t = await startTestServer();
    try {
      const { store } = t.app.lifeboat;
      const site = (await store.getSiteBySlug('acme'))!;
      const member = await store.createMember({
        siteId: site.id,
        kind: 'guest',
        displayName: 'Gone',
        role: 'member',
      });
      expect(await store.eraseMember(site.id, member.id)).not.toBeNull();
      const outcome = await store.createPost({
        siteId: site.id,
        incidentId: t.incident,
        memberId: member.id,
        id: ulid(),
        kind: 'answer',
        body: 'Written after the erasure',
        parentId: null,
        workaround: null,
        state: 'published',
        idempotency: null,
      });
      expect(outcome).toEqual({ kind: 'member_erased' });
      expect(t.count('posts', `member_id = '${member.id}'`)).toBe(0);
    } finally {
      await t.close();
    }
  });
});
