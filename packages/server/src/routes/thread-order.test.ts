/**
 * `GET …/thread?sort=helpful|newest`: keyset pages of top-level posts in the reader's order
 * (verified, pinned and staff first), each with its replies, over real HTTP and a real store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid, type Post, type ThreadPage } from '@lifeboat/protocol';
import { signToken } from '../auth/tokens.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

let s: TestServer;
let staffToken: string;
const made: Post[] = [];

const create = async (token: string, json: Record<string, unknown>): Promise<Post> => {
  const id = ulid();
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    json: { id, ...json },
    headers: { 'idempotency-key': id },
  });
  expect(res.status).toBe(201);
  const post = (await res.json()) as Post;
  made.push(post);
  return post;
};

const page = async (sort: string, cursor: string | null, limit = 3) =>
  s.api(
    `/v1/sites/acme/incidents/${enc(s.incident)}/thread?sort=${sort}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`,
  );

/** Every page of a sort, in order. */
async function walk(sort: string, limit = 3): Promise<ThreadPage[]> {
  const pages: ThreadPage[] = [];
  let cursor: string | null = null;
  do {
    const res = await page(sort, cursor, limit);
    expect(res.status).toBe(200);
    const body = (await res.json()) as ThreadPage;
    pages.push(body);
    cursor = body.nextCursor;
  } while (cursor && pages.length < 50);
  return pages;
}

/** The documented order (docs/thread.md), written out independently of the SQL. */
function expected(posts: Post[], sort: 'helpful' | 'newest'): string[] {
  const flags = (p: Post) => [p.verified, p.pinned, p.author.staff].map(Number);
  return posts
    .filter((p) => !p.parentId)
    .sort((a, b) => {
      const [fa, fb] = [flags(a), flags(b)];
      for (let i = 0; i < 3; i++) if (fa[i] !== fb[i]) return fb[i]! - fa[i]!;
      if (sort === 'newest')
        return b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id);
      return (
        b.score - a.score ||
        b.counts.worked - b.counts.didntWork - (a.counts.worked - a.counts.didntWork) ||
        a.createdAt.localeCompare(b.createdAt) ||
        a.id.localeCompare(b.id)
      );
    })
    .map((p) => p.id);
}

beforeAll(async () => {
  s = await startTestServer();
  const { store, keys } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const staffMember = await store.createMember({
    siteId: site.id,
    kind: 'staff',
    displayName: 'Sam (Acme)',
    role: 'staff',
  });
  const staff = signToken(keys, {
    sub: staffMember.id,
    site: site.id,
    name: staffMember.displayName,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  staffToken = staff;
  const members = await Promise.all(
    Array.from({ length: 6 }, (_, i) => s.session(`Member ${i}`, 'acme', `Browser ${i}`)),
  );
  const [alice] = members;
  const answers: Post[] = [];
  for (let i = 0; i < 10; i++)
    answers.push(await create(alice!.token, { kind: 'answer', body: `Answer ${i}` }));
  await create(staff, { kind: 'answer', body: 'Staff note' });
  // Staff as memberSummary() derives it: a host sign-in moderator is; a guest whose role column
  // says staff is not (the SQL order must agree with the posts' author.staff).
  const token = async (kind: 'sso' | 'guest', role: 'moderator' | 'staff', name: string) => {
    const m = await store.createMember({ siteId: site.id, kind, displayName: name, role });
    return signToken(keys, {
      sub: m.id,
      site: site.id,
      name,
      exp: Math.floor(Date.now() / 1000) + 3600,
    });
  };
  const ssoModerator = await create(await token('sso', 'moderator', 'Mo (SSO)'), {
    kind: 'answer',
    body: 'Moderator note',
  });
  expect(ssoModerator.author.staff).toBe(true);
  const fakeStaff = await create(await token('guest', 'staff', 'Not staff'), {
    kind: 'answer',
    body: 'Guest with a staff role column',
  });
  expect(fakeStaff.author.staff).toBe(false);
  // Confirmations give different scores: answer 7 best, then 3, answer 5 mixed.
  const react = (token: string, id: string, kind: string) =>
    s.api(`/v1/sites/acme/posts/${id}/reaction`, { method: 'PUT', token, json: { kind } });
  for (const m of members.slice(1)) await react(m.token, answers[7]!.id, 'worked');
  for (const m of members.slice(1, 4)) await react(m.token, answers[3]!.id, 'worked');
  await react(members[1]!.token, answers[5]!.id, 'worked');
  await react(members[2]!.token, answers[5]!.id, 'didnt_work');
  // Replies stay with their answer, whatever their own counts.
  await create(members[1]!.token, { kind: 'reply', parentId: answers[0]!.id, body: 'Reply A' });
  await create(members[2]!.token, { kind: 'reply', parentId: answers[9]!.id, body: 'Reply B' });
  await create(members[3]!.token, { kind: 'reply', parentId: answers[0]!.id, body: 'Reply C' });
  // Staff verified answer 9 and pinned answer 2 (moderation routes are tested elsewhere).
  await s.sql('UPDATE posts SET verified = 1 WHERE id = ?', answers[9]!.id);
  await s.sql('UPDATE posts SET pinned = 1 WHERE id = ?', answers[2]!.id);
});
afterAll(async () => {
  await s.close();
});

/** The current posts as the default (oldest-first) snapshot has them. */
async function current(): Promise<Post[]> {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=200`);
  return ((await res.json()) as ThreadPage).posts;
}

describe('GET …/thread?sort=', () => {
  for (const sort of ['helpful', 'newest'] as const) {
    it(`walks every top-level post once in ${sort} order across pages, replies with their answer`, async () => {
      const posts = await current();
      const pages = await walk(sort);
      expect(pages.length).toBe(5); // 13 top-level posts, 3 a page
      const top = pages.flatMap((p) => p.posts.filter((x) => !x.parentId).map((x) => x.id));
      expect(top).toEqual(expected(posts, sort));
      for (const p of pages) {
        expect(p.posts.filter((x) => !x.parentId).length).toBeLessThanOrEqual(3);
        const ids = new Set(p.posts.map((x) => x.id));
        for (const reply of p.posts.filter((x) => x.parentId))
          expect(ids).toContain(reply.parentId);
      }
      const all = pages.flatMap((p) => p.posts.map((x) => x.id));
      expect(new Set(all).size).toBe(all.length);
      expect([...all].sort()).toEqual(posts.map((p) => p.id).sort());
    });
  }

  it('puts verified, then pinned, then staff first, then the best score', async () => {
    const [first] = await walk('helpful', 5);
    const top = first!.posts.filter((p) => !p.parentId);
    expect(top[0]!.verified).toBe(true);
    expect(top[1]!.pinned).toBe(true);
    expect(top[2]!.author.staff).toBe(true);
    expect(top[3]!.author.staff).toBe(true);
    expect(top[4]!.body).toBe('Answer 7');
    const replies = first!.posts.filter((p) => p.parentId).map((p) => p.body);
    expect(replies).toEqual(['Reply B']); // answer 0 (Reply A, C) is on a later page
  });

  it('keeps replies oldest first under their answer on the page of the answer', async () => {
    const pages = await walk('newest', 20);
    expect(pages.length).toBe(1);
    const bodies = pages[0]!.posts.filter((p) => p.parentId).map((p) => p.body);
    expect(bodies).toEqual(['Reply A', 'Reply B', 'Reply C']);
  });

  it('rejects an unknown sort, and a cursor of another sort or a forged one, with field errors', async () => {
    const bad = await page('best', null);
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('sort');
    const helpful = (await (await page('helpful', null)).json()) as ThreadPage;
    const mixed = await page('newest', helpful.nextCursor);
    expect(mixed.status).toBe(400);
    expect((await mixed.json()).errors[0].field).toBe('cursor');
    const forged = Buffer.from(JSON.stringify(['helpful', 'x'])).toString('base64url');
    const res = await page('helpful', forged);
    expect(res.status).toBe(400);
    expect((await res.json()).code).toBe('validation_failed');
    expect((await page('helpful', '%%%')).status).toBe(400);
    const oldest = (await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=2`)
    ).json()) as ThreadPage;
    expect((await page('helpful', oldest.nextCursor)).status).toBe(400);
  });

  it('leaves hidden posts out and gives each sort its own ETag', async () => {
    const hiddenId = made[4]!.id;
    // Through the moderation route: a write that adds no event would not reach the snapshots.
    const hide = await s.api(`/v1/sites/acme/moderation/posts/${hiddenId}`, {
      method: 'POST',
      token: staffToken,
      json: { action: 'hide', reason: 'Off topic' },
    });
    expect(hide.status).toBe(200);
    const ids = (await walk('helpful')).flatMap((p) => p.posts.map((x) => x.id));
    expect(ids).not.toContain(hiddenId);
    const a = await page('helpful', null);
    const b = await page('newest', null);
    expect(a.headers.get('etag')).not.toBe(b.headers.get('etag'));
  });
});
