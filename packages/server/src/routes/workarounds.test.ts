import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ulid,
  validateWorkaround,
  type Incident,
  type LifeboatEvent,
  type MergePostResult,
  type Post,
  type Session,
  type SimilarWorkarounds,
  type WorkaroundFields,
} from '@lifeboat/protocol';
import { signToken } from '../auth/tokens.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'admin-key-for-tests-0123456789';

let s: TestServer;
let alice: Session;
let bob: Session;
let carol: Session;
let staffToken: string;
let postsPath: string;
let similarPath: string;

function createWorkaround(
  token: string,
  workaround: WorkaroundFields,
  id = ulid(),
): Promise<Response> {
  return s.api(postsPath, {
    method: 'POST',
    token,
    headers: { 'idempotency-key': id },
    json: { id, kind: 'workaround', body: workaround.title, workaround },
  });
}

async function published(token: string, workaround: WorkaroundFields): Promise<Post> {
  const res = await createWorkaround(token, workaround);
  expect(res.status, JSON.stringify(await res.clone().json())).toBe(201);
  return (await res.json()) as Post;
}

const react = (token: string, postId: string, kind: 'worked' | 'didnt_work') =>
  s.api(`/v1/sites/acme/posts/${postId}/reaction`, { method: 'PUT', token, json: { kind } });

const merge = (postId: string, into: string, token?: string) =>
  s.api(`/v1/sites/acme/posts/${postId}/merge`, { method: 'POST', token, json: { into } });

const similar = async (q: string): Promise<SimilarWorkarounds> => {
  const res = await s.api(`${similarPath}?q=${enc(q)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as SimilarWorkarounds;
};

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  alice = await s.session('Alice', 'acme', 'Alice browser');
  bob = await s.session('Bob', 'acme', 'Bob browser');
  carol = await s.session('Carol', 'acme', 'Carol browser');
  const { store, keys } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const staff = await store.createMember({
    siteId: site.id,
    kind: 'staff',
    displayName: 'Jordan (Acme)',
    role: 'staff',
  });
  staffToken = signToken(keys, {
    sub: staff.id,
    site: site.id,
    name: staff.displayName,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
  postsPath = `/v1/sites/acme/incidents/${enc(s.incident)}/posts`;
  similarPath = `/v1/sites/acme/incidents/${enc(s.incident)}/workarounds/similar`;
});
afterAll(async () => {
  await s.close();
});

describe('workaround validation (the shared rules)', () => {
  const base: WorkaroundFields = { title: 'Restart the agent', steps: ['Stop it'], risk: 'safe' };

  const cases: Array<[string, Partial<WorkaroundFields>, string]> = [
    ['a risky workaround without a note', { risk: 'risky' }, 'workaround.riskNote'],
    ['an http link in step 3', { steps: ['a', 'b', 'see http://x.test'] }, 'workaround.steps.2'],
    ['a blank step 2', { steps: ['a', '  '] }, 'workaround.steps.1'],
    [
      'more than 5 links',
      {
        steps: [
          'https://a.test https://b.test https://c.test',
          'https://d.test https://e.test https://f.test',
        ],
      },
      'workaround.steps.1',
    ],
    ['an unknown component', { component: 'nope' }, 'workaround.component'],
    ['an expiry in the past', { expiresAt: '2020-01-01T00:00:00Z' }, 'workaround.expiresAt'],
    ['an expiry that is no date', { expiresAt: 'tomorrow' }, 'workaround.expiresAt'],
    ['a title of 3 characters', { title: 'abc' }, 'workaround.title'],
  ];
  for (const [name, patch, field] of cases) {
    it(`rejects ${name} with a ${field} error and stores nothing`, async () => {
      const counts = [s.count('posts'), s.count('events')];
      const workaround = { ...base, ...patch };
      const res = await createWorkaround(alice.token, workaround);
      expect(res.status).toBe(400);
      const problem = await res.json();
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
      // The form runs the very same function: same field, same message.
      const local = validateWorkaround(workaround, { components: ['api', 'webhooks'] });
      const mine = local.find((e) => `workaround.${e.field}` === field)!;
      expect(problem.errors).toContainEqual({ field, message: mine.message });
      expect([s.count('posts'), s.count('events')]).toEqual(counts);
    });
  }

  it('stores component, platform, risk note and expiry (normalised to ISO)', async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const post = await published(alice.token, {
      title: '  Use the backup webhook URL ',
      steps: ['Open the webhook settings', 'Paste the backup URL'],
      component: 'webhooks',
      platform: 'EU',
      risk: 'risky',
      riskNote: 'Deliveries may arrive twice.',
      expiresAt: expiresAt.toISOString().replace('Z', '+00:00'),
    });
    expect(post.workaround).toEqual({
      title: 'Use the backup webhook URL',
      steps: ['Open the webhook settings', 'Paste the backup URL'],
      component: 'webhooks',
      platform: 'EU',
      risk: 'risky',
      riskNote: 'Deliveries may arrive twice.',
      expiresAt: expiresAt.toISOString(),
    });
    const untilResolved = await published(alice.token, { ...base, expiresAt: null });
    expect(untilResolved.workaround!.expiresAt ?? null).toBeNull();
  });

  it('makes one workaround from a retried request with the same Idempotency-Key', async () => {
    const id = ulid();
    const w: WorkaroundFields = { title: 'Retry me once', steps: ['Only once'], risk: 'safe' };
    const posts = s.count('posts');
    const first = await createWorkaround(bob.token, w, id);
    const again = await createWorkaround(bob.token, w, id);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(s.count('posts')).toBe(posts + 1);
  });
});

describe('GET …/workarounds/similar', () => {
  let eu: Post;
  let restart: Post;

  beforeAll(async () => {
    eu = await published(alice.token, {
      title: 'Switch to the EU API endpoint',
      steps: ['Set the base URL to https://eu.api.acme.test', 'Retry the failed calls'],
      risk: 'temporary',
    });
    restart = await published(bob.token, {
      title: 'Restart your webhook workers',
      steps: ['Stop the worker', 'Start it again'],
      risk: 'safe',
    });
  });

  it('finds a known near-duplicate, best first, without a session', async () => {
    const { results, incidentId } = await similar('Use the EU endpoint for API calls');
    expect(incidentId).toBe(s.incident);
    expect(results[0]!.post.id).toBe(eu.id);
    expect(results[0]!.score).toBeGreaterThan(0.3);
    expect(results.map((r) => r.post.id)).not.toContain(restart.id);
  });

  it('does not suggest an unrelated workaround, nor anything for too little text', async () => {
    expect((await similar('Flush the DNS cache on your laptop')).results).toEqual([]);
    expect((await similar('EU')).results).toEqual([]);
    expect((await similar('')).results).toEqual([]);
  });

  it('does not suggest a workaround its author deleted, nor merge into it', async () => {
    const gone = await published(carol.token, {
      title: 'Rotate the webhook signing secret',
      steps: ['Settings → Webhooks → Rotate secret'],
      risk: 'temporary',
    });
    expect((await similar('Rotate the webhook signing secret')).results[0]?.post.id).toBe(gone.id);
    const del = await s.api(`/v1/sites/acme/posts/${gone.id}`, {
      method: 'DELETE',
      token: carol.token,
    });
    expect(del.status).toBe(200);
    expect((await similar('Rotate the webhook signing secret')).results).toEqual([]);
    expect((await merge(restart.id, gone.id, ADMIN_KEY)).status).toBe(422);
  });

  it('answers 404 for an unknown incident and 400 for an oversized query, never 5xx', async () => {
    const unknown = await s.api(
      `/v1/sites/acme/incidents/nope/workarounds/similar?q=${enc('restart the workers')}`,
    );
    expect(unknown.status).toBe(404);
    const long = await s.api(`${similarPath}?q=${'x'.repeat(2001)}`);
    expect(long.status).toBe(400);
    const missing = await s.api(similarPath);
    expect(missing.status).toBe(400);
  });
});

describe('POST …/posts/:post/merge', () => {
  let target: Post;
  let duplicate: Post;

  beforeAll(async () => {
    target = await published(alice.token, {
      title: 'Redeliver failed webhook deliveries',
      steps: ['Open Settings → Webhooks', 'Click Redeliver'],
      risk: 'safe',
    });
    duplicate = await published(bob.token, {
      title: 'Re-deliver the failed webhooks',
      steps: ['Webhooks → Redeliver'],
      risk: 'safe',
    });
    // Alice confirmed both (keeps one), Bob only the duplicate (moves), Carol: didn't work (moves).
    expect((await react(alice.token, target.id, 'worked')).status).toBe(200);
    expect((await react(alice.token, duplicate.id, 'worked')).status).toBe(200);
    expect((await react(bob.token, duplicate.id, 'worked')).status).toBe(200);
    expect((await react(carol.token, duplicate.id, 'didnt_work')).status).toBe(200);
  });

  it('answers 401 without credentials and 403 for a member who is not staff', async () => {
    const none = await merge(duplicate.id, target.id);
    expect(none.status).toBe(401);
    expect((await none.json()).code).toBe('unauthorized');
    const guest = await merge(duplicate.id, target.id, bob.token);
    expect(guest.status).toBe(403);
    expect((await guest.json()).code).toBe('forbidden');
    const wrongKey = await merge(duplicate.id, target.id, 'not-the-admin-key');
    expect(wrongKey.status).toBe(401);
    expect(s.count('posts', `id = '${duplicate.id}' AND state = 'published'`)).toBe(1);
  });

  it('merges with the admin key: hidden duplicate, confirmations moved one per member, events', async () => {
    const incidentNow = async () =>
      (await (await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`)).json()) as Incident;
    // The banner's top workaround is one of the two: the merge changes it (id or counts). One
    // confirmation puts a workaround in the banner here (the default bar is 3).
    const policy = await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      json: { bannerConfirmations: 1 },
    });
    expect(policy.status).toBe(200);
    expect([duplicate.id, target.id]).toContain((await incidentNow()).topWorkaround?.id);
    const seq = s.count('events');
    const res = await merge(duplicate.id, target.id, ADMIN_KEY);
    expect(res.status).toBe(200);
    const { merged, into } = (await res.json()) as MergePostResult;
    expect(merged).toMatchObject({ id: duplicate.id, state: 'hidden', mergedInto: target.id });
    expect(merged.counts).toEqual({ worked: 0, didntWork: 0 });
    expect(into.id).toBe(target.id);
    expect(into.counts).toEqual({ worked: 2, didntWork: 1 });
    // Scores follow the moved confirmations in the same transaction.
    expect(merged.score).toBe(0);
    expect(into.score).toBeGreaterThan(0);
    expect(s.count('reactions', `post_id = '${target.id}'`)).toBe(3);
    expect(s.count('reactions', `post_id = '${duplicate.id}'`)).toBe(0);

    const events = s.app.lifeboat.store;
    const site = (await events.getSiteBySlug('acme'))!;
    const written = (await events.eventsAfter(site.id, seq, 10)).map(
      (e) => JSON.parse(e.payload) as LifeboatEvent,
    );
    // Both posts, the incident (its top workaround changed: the banner follows at once), then the
    // audit entry (a staff event, ADR 0010), in the same transaction.
    expect(written.map((e) => e.type)).toEqual([
      'post.updated',
      'post.updated',
      'incident.updated',
      'moderation.audit',
    ]);
    expect(written.map((e) => ('post' in e ? e.post.id : ''))).toEqual([
      duplicate.id,
      target.id,
      '',
      '',
    ]);
    const top = written[2];
    expect(top?.type === 'incident.updated' && top.incident.topWorkaround).toMatchObject({
      id: target.id,
      counts: { worked: 2, didntWork: 1 },
    });
    expect((await incidentNow()).topWorkaround).toEqual(
      top?.type === 'incident.updated' ? top.incident.topWorkaround : null,
    );
    const audit = written[3];
    expect(audit?.type === 'moderation.audit' && audit.entry).toMatchObject({
      action: 'merge',
      actor: { kind: 'admin' },
      target: { kind: 'post', id: duplicate.id },
      detail: { into: target.id },
    });

    const thread = await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=200`)
    ).json();
    const ids = (thread.posts as Post[]).map((p) => p.id);
    expect(ids).toContain(target.id);
    expect(ids).not.toContain(duplicate.id);
    expect((await similar('Redeliver the failed webhooks')).results.map((r) => r.post.id)).toEqual([
      target.id,
    ]);
  });

  it('merges with a staff member session, and refuses a second merge or a bad target', async () => {
    const other = await published(carol.token, {
      title: 'Redeliver webhooks by hand',
      steps: ['Click Redeliver'],
      risk: 'safe',
    });
    expect((await merge(other.id, other.id, staffToken)).status).toBe(422);
    expect((await merge(other.id, 'NOPE', staffToken)).status).toBe(404);
    expect((await merge('NOPE', target.id, staffToken)).status).toBe(404);
    expect((await merge(other.id, duplicate.id, staffToken)).status).toBe(422);
    const ok = await merge(other.id, target.id, staffToken);
    expect(ok.status).toBe(200);
    expect((await ok.json()).into.counts).toEqual({ worked: 2, didntWork: 1 });
    const again = await merge(other.id, target.id, staffToken);
    expect(again.status).toBe(409);
    const bad = await s.api(`/v1/sites/acme/posts/${target.id}/merge`, {
      method: 'POST',
      token: staffToken,
      json: { into: '' },
    });
    expect(bad.status).toBe(400);
  });
});
