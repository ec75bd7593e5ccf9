/**
 * Reputation and trust levels (issue 12, docs/reputation.md) through the real server on either
 * engine: reputation counts distinct OTHER people ("worked for me" on the member's posts; never
 * their own votes, never a second session of one browser twice); trust levels change moderation
 * outcomes: a proven helper's post skips the guests' pre-moderation hold a new guest's waits in,
 * a trusted member's flag hides a post alone, new guests' flags count half; posts show "helped N".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid, type MemberReputation, type Post, type SitePolicy } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'admin-key-reputation-0123456789abcdef';
let s: TestServer;
let staff: string;
let browsers = 0;

async function guest(name: string, browser = `RepBrowser/${++browsers}`) {
  const session = await s.session(name, 'acme', browser);
  return { token: session.token, id: session.member.id, browser };
}

async function setPolicy(change: Partial<SitePolicy>) {
  const res = await s.api('/v1/admin/sites/acme/policy', {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    json: change,
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function post(token: string, body: string): Promise<Post> {
  const id = ulid();
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    headers: { 'idempotency-key': id },
    json: { id, kind: 'answer', body },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Post;
}

async function approve(postId: string) {
  const res = await s.api(`/v1/sites/acme/moderation/posts/${postId}`, {
    method: 'POST',
    token: staff,
    json: { action: 'approve' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function worked(token: string, postId: string) {
  const res = await s.api(`/v1/sites/acme/posts/${postId}/reaction`, {
    method: 'PUT',
    token,
    json: { kind: 'worked' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

async function flag(token: string, postId: string) {
  const res = await s.api(`/v1/sites/acme/posts/${postId}/flags`, {
    method: 'POST',
    token,
    json: { reason: 'spam' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { count: number; hidden: boolean };
}

async function reputation(memberId: string, token = staff) {
  return s.api(`/v1/sites/acme/moderation/members/${memberId}/reputation`, { token });
}

async function repOf(memberId: string): Promise<MemberReputation> {
  const res = await reputation(memberId);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as MemberReputation;
}

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  staff = await s.staffToken('Stella Staff');
  await setPolicy({
    preModeration: 'guests',
    trustBasic: 1,
    trustHelper: 2,
    trustTrusted: 3,
    flagThreshold: 2,
    newGuestWeight: 'half',
  });
}, 60_000);

afterAll(async () => {
  await s?.close();
});

describe('reputation and trust levels', () => {
  it('counts distinct other people, and a proven helper skips the hold a new guest waits in', async () => {
    const helper = await guest('Hana Helper');
    const first = await post(helper.token, 'Clearing the cache fixed it for me.');
    expect(first.state).toBe('pending');
    await approve(first.id);

    // Her own vote, from her own browser's second session, and one voter twice: none move it.
    const ownBrowser = await guest('Hana again', helper.browser);
    await worked(ownBrowser.token, first.id);
    const bob = await guest('Bob');
    const bobAgain = await guest('Bob on a new tab', bob.browser);
    await worked(bob.token, first.id);
    await worked(bobAgain.token, first.id);
    expect(await repOf(helper.id)).toMatchObject({ helped: 1, reputation: 1, level: 'basic' });

    // A new guest's post waits; so does hers while she is only `basic`.
    const newbie = await guest('Nina New');
    expect((await post(newbie.token, 'Same here, no fix yet.')).state).toBe('pending');
    expect((await post(helper.token, 'Still basic, still held.')).state).toBe('pending');

    const carol = await guest('Carol');
    await worked(carol.token, first.id);
    expect(await repOf(helper.id)).toMatchObject({ helped: 2, level: 'helper' });

    // Now a helper: published at once; the new guest's next post still waits.
    const second = await post(helper.token, 'Switching the region to EU also works.');
    expect(second.state).toBe('published');
    expect(second.author.helped).toBe(2);
    expect((await post(newbie.token, 'Still broken here.')).state).toBe('pending');

    // The thread shows "helped N" on her posts.
    const page = await (await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread`)).json();
    const shown = (page.posts as Post[]).find((p) => p.id === first.id)!;
    expect(shown.author.helped).toBe(2);
  });

  it("weighs a trusted member's flag double and new guests' flags half", async () => {
    const author = await guest('Target Author');
    await setPolicy({ preModeration: 'none' });
    const a = await post(author.token, 'An answer someone will flag.');
    const b = await post(author.token, 'Another answer someone will flag.');

    // Two new guests (threshold 2): half each, 1 in all — not hidden.
    const g1 = await guest('New One');
    const g2 = await guest('New Two');
    expect((await flag(g1.token, a.id)).hidden).toBe(false);
    const two = await flag(g2.token, a.id);
    expect(two).toMatchObject({ count: 2, hidden: false });

    // A trusted member (reputation 3 ≥ trustTrusted): one flag is two, the threshold.
    const trusted = await guest('Tara Trusted');
    const her = await post(trusted.token, 'Restarting the agent helps.');
    for (const name of ['V1', 'V2', 'V3']) await worked((await guest(name)).token, her.id);
    expect(await repOf(trusted.id)).toMatchObject({ helped: 3, level: 'trusted' });
    expect(await flag(trusted.token, b.id)).toMatchObject({ count: 1, hidden: true });
    // The same flag on the other post reaches it too (1 + 2 ≥ 2).
    expect((await flag(trusted.token, a.id)).hidden).toBe(true);
  });

  it('a removal costs reputation; staff only see it; 404 for a member of another site', async () => {
    const m = await guest('Removed Rita');
    const p = await post(m.token, 'A post staff will remove.');
    await worked((await guest('Fan')).token, p.id);
    expect((await repOf(m.id)).helped).toBe(1);
    const res = await s.api(`/v1/sites/acme/moderation/posts/${p.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'remove', reason: 'off topic' },
    });
    expect(res.status).toBe(200);
    expect(await repOf(m.id)).toMatchObject({ helped: 0, removed: 1, reputation: 0, level: 'new' });

    expect((await reputation(m.id, m.token)).status).toBe(403);
    expect((await s.api(`/v1/sites/acme/moderation/members/${m.id}/reputation`)).status).toBe(401);
    expect((await reputation('01JNOTAMEMBER0000000000000')).status).toBe(404);
  });
});
