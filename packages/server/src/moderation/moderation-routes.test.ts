/**
 * Moderation through the real stack (HTTP on 127.0.0.1:0, a real SQLite file): the policy at
 * posting time, the queue, every staff action with its audit entry and events, flags, bans, slow
 * mode, and what the public and the staff streams (and their replays) carry.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type {
  AuditPage,
  FlagResult,
  Incident,
  ModerationQueue,
  Post,
  SitePolicy,
  ThreadPage,
} from '@lifeboat/protocol';
import { signToken } from '../auth/tokens.js';
import { openSse, type SseClient } from '../testing/sse.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'admin-key-0123456789abcdefghij';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };
let s: TestServer;
let staff: string;
let staffId: string;
let n = 0;

let browsers = 0;

/**
 * A guest session from a browser of its own: flags and confirmations count once per guest
 * browser (fingerprint), so each guest here is a different person.
 */
async function member(name = 'Guest'): Promise<{ token: string; id: string }> {
  const res = await s.api('/v1/sites/acme/sessions', {
    method: 'POST',
    headers: { 'user-agent': `TestBrowser/${++browsers}` },
    json: { displayName: name },
  });
  expect(res.status).toBe(201);
  const session = (await res.json()) as { token: string; member: { id: string } };
  return { token: session.token, id: session.member.id };
}

async function setPolicy(change: Partial<SitePolicy>): Promise<SitePolicy> {
  const res = await s.api('/v1/admin/sites/acme/policy', {
    method: 'PUT',
    headers: admin,
    json: change,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { policy: SitePolicy }).policy;
}

async function post(
  token: string,
  body: string,
  extra: Record<string, unknown> = {},
  incident = s.incident,
): Promise<Response> {
  n++;
  return s.api(`/v1/sites/acme/incidents/${enc(incident)}/posts`, {
    method: 'POST',
    token,
    headers: { 'idempotency-key': `k${n}-${Date.now()}` },
    json: { kind: 'answer', body, ...extra },
  });
}

async function created(token: string, body: string, extra: Record<string, unknown> = {}) {
  const res = await post(token, body, extra);
  expect(res.status).toBe(201);
  return (await res.json()) as Post;
}

const act = (postId: string, action: string, reason: string | null = 'test', token = staff) =>
  s.api(`/v1/sites/acme/moderation/posts/${postId}`, {
    method: 'POST',
    token,
    json: { action, reason },
  });

async function thread(): Promise<Post[]> {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=100`);
  return ((await res.json()) as ThreadPage).posts;
}

async function queue(which: 'pending' | 'flagged' = 'pending'): Promise<ModerationQueue> {
  const res = await s.api(`/v1/sites/acme/moderation/queue?queue=${which}`, { token: staff });
  expect(res.status).toBe(200);
  return (await res.json()) as ModerationQueue;
}

const events = (sse: SseClient) =>
  sse.frames
    .filter((f) => f.id && f.event !== 'ready')
    .map((f) => ({ id: Number(f.id), event: f.event!, data: JSON.parse(f.data!) }));

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  const { store, keys } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const m = await store.createMember({
    siteId: site.id,
    kind: 'staff',
    displayName: 'Mo (Acme)',
    role: 'moderator',
  });
  staffId = m.id;
  staff = signToken(keys, {
    sub: m.id,
    site: site.id,
    name: m.displayName,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
});
afterAll(async () => {
  await s.close();
});
beforeEach(async () => {
  await setPolicy({
    preModeration: 'none',
    maxLinks: 3,
    bannedWords: [],
    suspectWords: [],
    riskyAdvice: true,
    flagThreshold: 3,
    bannerConfirmations: 3,
    slowModeSeconds: 0,
  });
});

describe('pending posts', () => {
  it('holds a guest post for review, shows it only to its author and staff, and approval publishes it live', async () => {
    await setPolicy({ preModeration: 'guests' });
    const guest = await member('New guest');
    const pub = await openSse(`${s.url}/v1/sites/acme/stream`);
    const mod = await openSse(`${s.url}/v1/sites/acme/moderation/stream`, {
      authorization: `Bearer ${staff}`,
    });
    await pub.waitFor((f) => f.event === 'ready');
    await mod.waitFor((f) => f.event === 'ready');

    const res = await post(guest.token, 'Restarting the webhook worker fixed it for me.');
    expect(res.status).toBe(201);
    const held = (await res.json()) as Post;
    expect(held.state).toBe('pending');
    expect((await thread()).map((p) => p.id)).not.toContain(held.id);

    const queued = await mod.waitFor((f) => f.event === 'moderation.queued');
    const item = JSON.parse(queued.data!).item;
    expect(item.post.id).toBe(held.id);
    expect(item.reasons.map((r: { code: string }) => r.code)).toEqual(['guest']);
    const q = await queue();
    expect(q.items.map((i) => i.post.id)).toContain(held.id);

    const approve = await act(held.id, 'approve', 'Looks fine');
    expect(approve.status).toBe(200);
    const result = await approve.json();
    expect(result.post.state).toBe('published');
    expect(result.entry).toMatchObject({
      action: 'approve',
      actor: { kind: 'member', id: staffId, displayName: 'Mo (Acme)' },
      target: { kind: 'post', id: held.id },
      reason: 'Looks fine',
    });
    const live = await pub.waitFor((f) => f.event === 'post.created');
    expect(JSON.parse(live.data!).post.id).toBe(held.id);
    await mod.waitFor((f) => f.event === 'moderation.cleared');
    await mod.waitFor((f) => f.event === 'moderation.audit');
    expect((await thread()).map((p) => p.id)).toContain(held.id);
    expect((await queue()).items.map((i) => i.post.id)).not.toContain(held.id);

    // The public stream never carried a staff event, the staff one carried both kinds.
    expect(events(pub).every((e) => !e.event.startsWith('moderation.'))).toBe(true);
    expect(events(mod).map((e) => e.event)).toEqual(
      expect.arrayContaining([
        'moderation.queued',
        'post.created',
        'moderation.cleared',
        'moderation.audit',
      ]),
    );
    pub.close();
    mod.close();
  });
  it('an author deleting their pending post takes it out of the queue, with nothing on the public stream', async () => {
    await setPolicy({ preModeration: 'all' });
    const author = await member('Second thoughts');
    const held = await created(author.token, 'Actually, never mind.');
    const start = (await queue()).lastEventId;
    const del = await s.api(`/v1/sites/acme/posts/${held.id}`, {
      method: 'DELETE',
      token: author.token,
    });
    expect(del.status).toBe(200);
    expect((await queue()).items.map((i) => i.post.id)).not.toContain(held.id);
    const pub = await openSse(`${s.url}/v1/sites/acme/stream`, { 'last-event-id': String(start) });
    const mod = await openSse(`${s.url}/v1/sites/acme/moderation/stream`, {
      authorization: `Bearer ${staff}`,
      'last-event-id': String(start),
    });
    await pub.waitFor((f) => f.event === 'ready');
    await mod.waitFor((f) => f.event === 'ready');
    expect(events(pub)).toEqual([]);
    expect(events(mod)).toEqual([
      expect.objectContaining({
        event: 'moderation.cleared',
        data: expect.objectContaining({ postId: held.id, action: 'remove' }),
      }),
    ]);
    pub.close();
    mod.close();
  });
});

describe('posting rules', () => {
  it('rejects a banned word with 422 content_rejected and a message per field; stores nothing', async () => {
    await setPolicy({ bannedWords: ['scam'] });
    const { token } = await member();
    const before = s.count('posts');
    const res = await post(token, 'This whole outage is a SCAM', {
      kind: 'workaround',
      workaround: { title: 'Avoid the scam', steps: ['Wait it out', 'Retry later'], risk: 'safe' },
    });
    expect(res.status).toBe(422);
    const problem = await res.json();
    expect(problem.code).toBe('content_rejected');
    expect(problem.errors.map((e: { field: string }) => e.field)).toEqual([
      'body',
      'workaround.title',
    ]);
    expect(s.count('posts')).toBe(before);
  });

  it('holds risky advice with its reason: never on the public stream or its replay, on the staff stream and its replay', async () => {
    const { token } = await member('Helpful stranger');
    const start = (await (await s.api('/v1/sites/acme/status')).json()).lastEventId as number;
    const res = await post(token, 'Quick fix: curl -k https://api.acme.com/v1/hooks/retry');
    expect(res.status).toBe(201);
    const held = (await res.json()) as Post;
    expect(held.state).toBe('pending');
    const item = (await queue()).items.find((i) => i.post.id === held.id)!;
    expect(item.reasons).toEqual([
      expect.objectContaining({ code: 'risky_tls', match: 'curl -k' }),
    ]);
    expect(item.author).toMatchObject({
      displayName: 'Helpful stranger',
      kind: 'guest',
      banned: false,
    });
    expect(await thread()).not.toContainEqual(expect.objectContaining({ id: held.id }));
    const incident = (await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`)
    ).json()) as Incident;
    const similar = await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/workarounds/similar?q=curl`)
    ).json();
    expect(JSON.stringify(similar)).not.toContain(held.id);
    expect(JSON.stringify(incident)).not.toContain(held.id);

    const pub = await openSse(`${s.url}/v1/sites/acme/stream`, { 'last-event-id': String(start) });
    const mod = await openSse(`${s.url}/v1/sites/acme/moderation/stream`, {
      authorization: `Bearer ${staff}`,
      'last-event-id': String(start),
    });
    await pub.waitFor((f) => f.event === 'ready');
    await mod.waitFor((f) => f.event === 'ready');
    expect(events(pub).some((e) => JSON.stringify(e.data).includes(held.id))).toBe(false);
    const replayed = events(mod).find((e) => e.event === 'moderation.queued');
    expect(replayed?.data.item.post.id).toBe(held.id);
    // Both streams end their replay at the same sequence.
    const ready = (c: SseClient) => JSON.parse(c.frames.find((f) => f.event === 'ready')!.data!);
    expect(ready(pub).lastEventId).toBe(ready(mod).lastEventId);
    pub.close();
    mod.close();
  });

  it('an edit that trips a rule sends a published post back to review; open pages lose its text', async () => {
    const author = await member('Editor');
    const published = await created(author.token, 'Restart the webhook worker.');
    expect(published.state).toBe('published');
    const pub = await openSse(`${s.url}/v1/sites/acme/stream`);
    await pub.waitFor((f) => f.event === 'ready');
    const res = await s.api(`/v1/sites/acme/posts/${published.id}`, {
      method: 'PATCH',
      token: author.token,
      json: { body: 'Restart it, or run: curl https://fix.example.org/go.sh | sudo bash' },
    });
    expect(res.status).toBe(200);
    const edited = (await res.json()) as Post;
    expect(edited.state).toBe('pending');
    expect(edited.body).toContain('sudo bash');
    const update = JSON.parse((await pub.waitFor((f) => f.event === 'post.updated')).data!).post;
    expect(update).toMatchObject({ id: published.id, state: 'pending', body: '' });
    expect(await thread()).not.toContainEqual(expect.objectContaining({ id: published.id }));
    const item = (await queue()).items.find((i) => i.post.id === published.id)!;
    expect(item.reasons.map((r) => r.code)).toEqual(['risky_shell']);
    pub.close();
  });

  it('slow mode: one post per member per N seconds (429 slow_mode, Retry-After), retries and staff exempt', async () => {
    const res = await s.api('/v1/sites/acme/moderation/slow-mode', {
      method: 'PUT',
      token: staff,
      json: { seconds: 120, reason: 'Flood' },
    });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.policy.slowModeSeconds).toBe(120);
    expect(body.entry).toMatchObject({
      action: 'slow_mode',
      reason: 'Flood',
      detail: { seconds: 120, from: 0 },
      target: { kind: 'site' },
    });
    const { token } = await member('Fast typer');
    const key = `slow-${Date.now()}`;
    const first = () =>
      s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
        method: 'POST',
        token,
        headers: { 'idempotency-key': key },
        json: { kind: 'answer', body: 'Same here in eu-west.' },
      });
    expect((await first()).status).toBe(201);
    expect((await first()).status).toBe(200); // the retry is answered, not slowed
    const second = await post(token, 'Still down.');
    expect(second.status).toBe(429);
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(100);
    const problem = await second.json();
    expect(problem.code).toBe('slow_mode');
    expect(problem.retryAfter).toBeGreaterThan(100);
    expect((await post(staff, 'Update: fix rolling out.')).status).toBe(201);
    expect((await post(staff, 'Update: fix rolled out.')).status).toBe(201);
  });

  it('slow mode holds under 20 parallel posts by one member: one 201, nineteen 429 slow_mode', async () => {
    await setPolicy({ slowModeSeconds: 60 });
    const { token, id } = await member('Impatient');
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(token, `Still down? (${i})`)),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((c) => c === 201)).toHaveLength(1);
    expect(statuses.filter((c) => c === 429)).toHaveLength(19);
    const codes = await Promise.all(
      responses.filter((r) => r.status === 429).map(async (r) => (await r.json()).code),
    );
    expect(new Set(codes)).toEqual(new Set(['slow_mode']));
    expect(s.count('posts', `member_id = '${id}'`)).toBe(1);
  });
});

describe('post actions', () => {
  it('reject takes a pending post out of the queue without any public event', async () => {
    await setPolicy({ preModeration: 'all' });
    const { token } = await member();
    const held = await created(token, 'First!');
    const start = (await queue()).lastEventId;
    const res = await act(held.id, 'reject', 'Noise');
    expect(res.status).toBe(200);
    expect((await res.json()).post.state).toBe('removed');
    const pub = await openSse(`${s.url}/v1/sites/acme/stream`, { 'last-event-id': String(start) });
    const mod = await openSse(`${s.url}/v1/sites/acme/moderation/stream`, {
      authorization: `Bearer ${staff}`,
      'last-event-id': String(start),
    });
    await pub.waitFor((f) => f.event === 'ready');
    await mod.waitFor((f) => f.event === 'ready');
    expect(events(pub)).toEqual([]);
    expect(events(mod).map((e) => e.event)).toEqual(['moderation.cleared', 'moderation.audit']);
    expect((await act(held.id, 'reject')).status).toBe(409);
    expect((await act(held.id, 'approve')).status).toBe(409);
    pub.close();
    mod.close();
  });

  it('hide, restore and remove a published post, each with post.updated and a 409 for the wrong state', async () => {
    const { token } = await member();
    const p = await created(token, 'Use the EU endpoint meanwhile.');
    const hide = await act(p.id, 'hide', 'Off topic');
    expect((await hide.json()).post.state).toBe('hidden');
    expect(await thread()).not.toContainEqual(expect.objectContaining({ id: p.id }));
    expect((await act(p.id, 'hide')).status).toBe(409);
    const verifyHidden = await act(p.id, 'verify');
    expect(verifyHidden.status).toBe(409);
    expect((await verifyHidden.json()).detail).toBe('Only a published post can be verified.');
    const restore = await act(p.id, 'restore', 'On second thought');
    expect((await restore.json()).post.state).toBe('published');
    expect(await thread()).toContainEqual(expect.objectContaining({ id: p.id }));
    expect((await act(p.id, 'restore')).status).toBe(409);
    const remove = await act(p.id, 'remove', 'Spam');
    expect((await remove.json()).post.state).toBe('removed');
    expect((await act(p.id, 'remove')).status).toBe(409);
    expect((await act('01ARZ3NDEKTSV4RRFFQ69G5FAV', 'hide')).status).toBe(404);
    const bad = await s.api(`/v1/sites/acme/moderation/posts/${p.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'explode' },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('action');
  });

  it('verify and pin: the incident prefers the pinned, then the verified workaround, and says so live', async () => {
    // One confirmation is enough for the banner here (trust.test.ts tests the bar itself).
    await setPolicy({ bannerConfirmations: 1 });
    const { token } = await member();
    const wk = (title: string) =>
      created(token, title, {
        kind: 'workaround',
        workaround: { title, steps: ['Open settings', 'Switch region'], risk: 'safe' },
      });
    const a = await wk('Switch to the EU region');
    const b = await wk('Queue webhooks locally');
    const other = await member();
    await s.api(`/v1/sites/acme/posts/${a.id}/reaction`, {
      method: 'PUT',
      token: other.token,
      json: { kind: 'worked' },
    });
    const top = async () =>
      ((await (await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`)).json()) as Incident)
        .topWorkaround?.id;
    const pub = await openSse(`${s.url}/v1/sites/acme/stream`);
    await pub.waitFor((f) => f.event === 'ready');

    const verify = await act(b.id, 'verify', 'Confirmed by SRE');
    expect((await verify.json()).post.verified).toBe(true);
    expect(await top()).toBe(b.id);
    const upd = await pub.waitFor((f) => f.event === 'incident.updated');
    expect(JSON.parse(upd.data!).incident.topWorkaround.id).toBe(b.id);

    const pin = await act(a.id, 'pin', 'Banner');
    expect((await pin.json()).post.pinned).toBe(true);
    expect(await top()).toBe(a.id);
    const from = pub.frames.length;
    await act(b.id, 'pin');
    expect(await top()).toBe(b.id);
    // Pinning b unpinned a.
    const updates = await pub.waitFor(
      (f) => f.event === 'post.updated' && JSON.parse(f.data!).post.id === a.id,
      3000,
      from,
    );
    expect(JSON.parse(updates.data!).post.pinned).toBe(false);
    await act(b.id, 'unpin');
    await act(b.id, 'unverify');
    expect(await top()).toBe(a.id);
    pub.close();
  });
});

describe('incident and member actions', () => {
  it('lock and unlock a thread: incident.updated with threadState, posting refused while locked', async () => {
    const { token } = await member();
    const lock = await s.api(`/v1/sites/acme/moderation/incidents/${enc(s.incident)}`, {
      method: 'POST',
      token: staff,
      json: { action: 'lock', reason: 'Resolved, cooling down' },
    });
    expect(lock.status).toBe(200);
    const body = await lock.json();
    expect(body.incident.threadState).toBe('locked');
    expect(body.entry).toMatchObject({
      action: 'lock',
      target: { kind: 'incident', id: s.incident },
      detail: { from: 'open', to: 'locked' },
    });
    expect((await post(token, 'Hello?')).status).toBe(409);
    const unlock = await s.api(`/v1/sites/acme/moderation/incidents/${enc(s.incident)}`, {
      method: 'POST',
      token: staff,
      json: { action: 'unlock' },
    });
    expect((await unlock.json()).incident.threadState).toBe('open');
    expect((await post(token, 'Hello again')).status).toBe(201);
    const missing = await s.api('/v1/sites/acme/moderation/incidents/nope', {
      method: 'POST',
      token: staff,
      json: { action: 'lock' },
    });
    expect(missing.status).toBe(404);
  });

  it('ban refuses posts, edits, confirmations, affected and flags with 403 banned; unban lifts it', async () => {
    const troll = await member('Troll');
    const victim = await created((await member()).token, 'Webhooks retry after 5 minutes.');
    const own = await created(troll.token, 'Before the ban.');
    const ban = await s.api(`/v1/sites/acme/moderation/members/${troll.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'ban', reason: 'Phishing links', hours: 24 },
    });
    expect(ban.status).toBe(200);
    const { entry } = await ban.json();
    expect(entry).toMatchObject({
      action: 'ban',
      target: { kind: 'member', id: troll.id },
      reason: 'Phishing links',
      actor: { kind: 'member', displayName: 'Mo (Acme)' },
    });
    expect(Date.parse(entry.detail.expiresAt) - Date.parse(entry.createdAt)).toBe(24 * 3_600_000);
    const refused = [
      await post(troll.token, 'I am back'),
      await s.api(`/v1/sites/acme/posts/${own.id}`, {
        method: 'PATCH',
        token: troll.token,
        json: { body: 'Edited while banned' },
      }),
      await s.api(`/v1/sites/acme/posts/${victim.id}/reaction`, {
        method: 'PUT',
        token: troll.token,
        json: { kind: 'didnt_work' },
      }),
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/affected`, {
        method: 'PUT',
        token: troll.token,
      }),
      await s.api(`/v1/sites/acme/posts/${victim.id}/flags`, {
        method: 'POST',
        token: troll.token,
        json: { reason: 'spam' },
      }),
    ];
    for (const res of refused) {
      expect(res.status).toBe(403);
      expect((await res.json()).code).toBe('banned');
    }
    const unban = await s.api(`/v1/sites/acme/moderation/members/${troll.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'unban', reason: 'Appeal accepted' },
    });
    expect(unban.status).toBe(200);
    expect((await post(troll.token, 'Sorry about that.')).status).toBe(201);
    const again = await s.api(`/v1/sites/acme/moderation/members/${troll.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'unban' },
    });
    expect(again.status).toBe(409);
    const staffBan = await s.api(`/v1/sites/acme/moderation/members/${staffId}`, {
      method: 'POST',
      token: ADMIN_KEY,
      json: { action: 'ban' },
    });
    expect(staffBan.status).toBe(409);
  });

  it('a ban covers the guest fingerprint: a new guest session from the same browser is refused too', async () => {
    const { store } = s.app.lifeboat;
    const site = (await store.getSiteBySlug('acme'))!;
    const browser = { 'user-agent': 'BannedBrowser/1.0 (test)' };
    const guestSession = async (displayName: string) =>
      s.api('/v1/sites/acme/sessions', { method: 'POST', headers: browser, json: { displayName } });
    const first = await (await guestSession('Fingerprinted')).json();
    expect((await store.getMember(site.id, first.member.id))!.fingerprint).toBeTruthy();
    const ban = await s.api(`/v1/sites/acme/moderation/members/${first.member.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'ban', reason: 'Spam' },
    });
    expect((await ban.json()).entry.detail.fingerprint).toBe(true);
    // Same browser, new name: refused at the session or at the first post.
    const second = await guestSession('New name');
    const refused =
      second.status === 201
        ? await post((await second.json()).token, 'Totally new person')
        : second;
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe('banned');
    // Another browser is not affected.
    expect((await post((await member('Someone else')).token, 'Hi')).status).toBe(201);
    const unban = await s.api(`/v1/sites/acme/moderation/members/${first.member.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'unban' },
    });
    expect(unban.status).toBe(200);
    const third = await guestSession('Third');
    expect(third.status).toBe(201);
    expect((await post((await third.json()).token, 'Back')).status).toBe(201);
  });
});

describe('flags', () => {
  it('one flag per member (a repeat updates it), not on one own post; the threshold hides the post pending review', async () => {
    await setPolicy({ flagThreshold: 2 });
    const author = await member('Spammer');
    const p = await created(author.token, 'Great deals at https://deals.example.com');
    const flag = (token: string, reason = 'spam', note: string | null = null) =>
      s.api(`/v1/sites/acme/posts/${p.id}/flags`, {
        method: 'POST',
        token,
        json: { reason, note },
      });
    expect((await flag(author.token)).status).toBe(409);
    const one = await member();
    const r1 = await flag(one.token, 'spam');
    expect(r1.status).toBe(200);
    expect((await r1.json()) as FlagResult).toEqual({ postId: p.id, count: 1, hidden: false });
    const r1b = await flag(one.token, 'phishing', 'Fake deals site');
    expect(await r1b.json()).toEqual({ postId: p.id, count: 1, hidden: false });
    let item = (await queue('flagged')).items.find((i) => i.post.id === p.id)!;
    expect(item.flags).toEqual({
      count: 1,
      reasons: [{ reason: 'phishing', count: 1 }],
      notes: ['Fake deals site'],
    });

    const pub = await openSse(`${s.url}/v1/sites/acme/stream`);
    await pub.waitFor((f) => f.event === 'ready');
    const two = await member();
    const r2 = await flag(two.token, 'spam');
    expect(await r2.json()).toEqual({ postId: p.id, count: 2, hidden: true });
    const hidden = JSON.parse((await pub.waitFor((f) => f.event === 'post.updated')).data!).post;
    expect(hidden).toMatchObject({ id: p.id, state: 'hidden' });
    expect(await thread()).not.toContainEqual(expect.objectContaining({ id: p.id }));
    item = (await queue('flagged')).items.find((i) => i.post.id === p.id)!;
    expect(item.queue).toBe('flagged');
    expect(item.reasons.map((r) => r.code)).toEqual(['flagged']);
    expect(item.post.state).toBe('hidden');
    // Flagging a hidden post: not found.
    expect((await flag((await member()).token)).status).toBe(404);

    const approve = await act(p.id, 'approve', 'Not spam');
    expect((await approve.json()).post.state).toBe('published');
    expect((await queue('flagged')).items.map((i) => i.post.id)).not.toContain(p.id);
    expect(await thread()).toContainEqual(expect.objectContaining({ id: p.id }));
    pub.close();
  });

  it('rate-limits flags per member', async () => {
    const limited = await startTestServer({
      adminKey: ADMIN_KEY,
      rateLimits: {
        sessionsPerIp: 1000,
        writesPerIp: 10_000,
        writesPerMember: 10_000,
        writesPerStaff: 10_000,
        postsPerMember: 1,
        windowMs: 60_000,
      },
    });
    try {
      const flagger = (await limited.session('F')).token;
      const ids: string[] = [];
      for (const name of ['x', 'y', 'z']) {
        const a = (await limited.session(name)).token;
        const res = await limited.api(`/v1/sites/acme/incidents/${enc(limited.incident)}/posts`, {
          method: 'POST',
          token: a,
          headers: { 'idempotency-key': `rl-${name}` },
          json: { kind: 'answer', body: `Post ${name}` },
        });
        ids.push(((await res.json()) as Post).id);
      }
      const statuses: number[] = [];
      for (const id of ids) {
        const res = await limited.api(`/v1/sites/acme/posts/${id}/flags`, {
          method: 'POST',
          token: flagger,
          json: { reason: 'spam' },
        });
        statuses.push(res.status);
        if (res.status === 429) expect(res.headers.get('retry-after')).toBeTruthy();
      }
      expect(statuses).toEqual([200, 200, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('audit log and access', () => {
  it('lists entries newest first with who, when and why, paged by cursor; merges are in it', async () => {
    const { token } = await member();
    const wk = (title: string) =>
      created(token, title, {
        kind: 'workaround',
        workaround: { title, steps: ['Open settings', 'Switch region'], risk: 'safe' },
      });
    const a = await wk('Use region B');
    const b = await wk('Use region B please');
    const merge = await s.api(`/v1/sites/acme/posts/${b.id}/merge`, {
      method: 'POST',
      headers: admin,
      json: { into: a.id },
    });
    expect(merge.status).toBe(200);
    await act(a.id, 'verify', 'Works');
    const page1 = (await (
      await s.api('/v1/sites/acme/moderation/audit?limit=2', { token: staff })
    ).json()) as AuditPage;
    expect(page1.entries.map((e) => e.action)).toEqual(['verify', 'merge']);
    expect(page1.entries[0]).toMatchObject({
      actor: { kind: 'member', id: staffId, displayName: 'Mo (Acme)' },
      target: { kind: 'post', id: a.id },
      reason: 'Works',
    });
    expect(page1.entries[1]).toMatchObject({
      actor: { kind: 'admin', id: null },
      target: { kind: 'post', id: b.id },
      detail: { into: a.id },
    });
    expect(Date.parse(page1.entries[0]!.createdAt)).toBeGreaterThanOrEqual(
      Date.parse(page1.entries[1]!.createdAt),
    );
    expect(page1.nextCursor).toBe(page1.entries[1]!.id);
    const page2 = (await (
      await s.api(`/v1/sites/acme/moderation/audit?limit=2&cursor=${page1.nextCursor}`, {
        token: staff,
      })
    ).json()) as AuditPage;
    expect(page2.entries).toHaveLength(2);
    expect(page2.entries[0]!.id < page1.entries[1]!.id).toBe(true);
    expect(s.count('moderation_actions')).toBeGreaterThan(3);
  });

  it('needs staff: 401 without a token, 403 for a member, the other site refuses this site staff', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/v1/sites/acme/moderation/queue'],
      ['GET', '/v1/sites/acme/moderation/audit'],
      ['GET', '/v1/sites/acme/moderation/policy'],
      ['PUT', '/v1/sites/acme/moderation/slow-mode', { seconds: 5 }],
      ['POST', '/v1/sites/acme/moderation/posts/x', { action: 'hide' }],
      ['POST', `/v1/sites/acme/moderation/incidents/${enc(s.incident)}`, { action: 'lock' }],
      ['POST', '/v1/sites/acme/moderation/members/x', { action: 'ban' }],
    ];
    const { token } = await member();
    for (const [method, path, json] of routes) {
      expect((await s.api(path, { method, json })).status).toBe(401);
      expect((await s.api(path, { method, json, token })).status).toBe(403);
      const other = path.replace('/sites/acme/', '/sites/other/');
      expect((await s.api(other, { method, json, token: staff })).status).toBe(401);
    }
    expect((await s.api('/v1/sites/acme/moderation/policy', { token: ADMIN_KEY })).status).toBe(
      200,
    );
    const stream = await s.api('/v1/sites/acme/moderation/stream', { token });
    expect(stream.status).toBe(403);
    expect((await s.api('/v1/sites/acme/moderation/stream')).status).toBe(401);
  });

  it('admin policy API: defaults, partial PUT merged, 422 per invalid field, admin key only', async () => {
    const get = await s.api('/v1/admin/sites/acme/policy', { headers: admin });
    expect(get.status).toBe(200);
    expect(Object.keys(await get.json()).sort()).toEqual([
      'archiveAfterDays',
      'bannedWords',
      'bannerConfirmations',
      'earlyWarningMembers',
      'earlyWarningPublicMembers',
      'firstPosts',
      'flagThreshold',
      'guestChallenge',
      'maxLinks',
      'newGuestWeight',
      'preModeration',
      'riskyAdvice',
      'slowModeSeconds',
      'suspectWords',
      'trustBasic',
      'trustHelper',
      'trustTrusted',
    ]);
    const put = await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: admin,
      json: { preModeration: 'first_posts', firstPosts: 2 },
    });
    const body = await put.json();
    expect(body.policy).toMatchObject({ preModeration: 'first_posts', firstPosts: 2, maxLinks: 3 });
    expect(body.entry).toMatchObject({
      action: 'policy',
      detail: { fields: ['firstPosts', 'preModeration'] },
    });
    const staffView = await (
      await s.api('/v1/sites/acme/moderation/policy', { token: staff })
    ).json();
    expect(staffView.firstPosts).toBe(2);

    const before = JSON.stringify(
      await (await s.api('/v1/admin/sites/acme/policy', { headers: admin })).json(),
    );
    const bad = await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: admin,
      json: {
        preModeration: 'sometimes',
        maxLinks: 99,
        flagThreshold: 0,
        bannedWords: ['ok', ''],
        riskyAdvice: 'yes',
        surprise: 1,
      },
    });
    expect(bad.status).toBe(422);
    const problem = await bad.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'bannedWords',
      'flagThreshold',
      'maxLinks',
      'preModeration',
      'riskyAdvice',
      'surprise',
    ]);
    const after = JSON.stringify(
      await (await s.api('/v1/admin/sites/acme/policy', { headers: admin })).json(),
    );
    expect(after).toBe(before);
    expect((await s.api('/v1/admin/sites/acme/policy', { token: staff })).status).toBe(403);
    expect((await s.api('/v1/admin/sites/acme/policy')).status).toBe(401);
    expect((await s.api('/v1/admin/sites/nope/policy', { headers: admin })).status).toBe(404);
  });
});
