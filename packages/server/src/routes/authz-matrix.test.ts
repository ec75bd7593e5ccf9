/**
 * The authorization matrix (ADR 0010): one real server, two sites (A = acme, B = other), every
 * registered route × every actor, each cell a real request with a body valid for the route and
 * fresh fixtures, asserting allowed (2xx) or the exact refusal (401, 403, 404, …).
 * A registered route without a row fails the test, so a new route cannot ship unchecked.
 * A second pass replays every route that takes an id with site A's ids under site B's URL, by
 * actors allowed on B: each must be 404 and change nothing on A.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import { signToken } from '../auth/tokens.js';
import type { SiteRecord } from '../store/store.js';
import type { SqlStore } from '../store/sql-store.js';
import { SqlWebhooks } from '../store/sql-webhooks.js';
import { hashToken } from '../webhooks/signature.js';
import { hostClaims, mintHostToken } from '../testing/host-tokens.js';
import { startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'matrix-admin-key-0123456789-abcdef';
const SSO_SECRET = 'matrix-sso-secret-0123456789-0123456789';

const ACTORS = [
  'anonymous',
  'guestA',
  'ssoA',
  'ssoModeratorA',
  'staffA',
  'admin',
  'staffB',
  'guestB',
] as const;
type ActorName = (typeof ACTORS)[number];
/** 'ok': any 2xx. A number: exactly that status. 'same': one status for every actor, never 401/403. */
type Expected = 'ok' | 'same' | number;

interface Actor {
  name: ActorName;
  token: string | null;
  /** The member behind the token on site A (guestA, ssoA, ssoModeratorA, staffA). */
  memberOfA: string | null;
}

interface Cell {
  /** Path with `{site}` where the site slug goes. */
  path: string;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Row {
  method: string;
  url: string;
  variant?: string;
  expect: Record<ActorName, Expected>;
  /** Builds the request of one cell (fresh fixtures on site A). */
  cell(actor: Actor): Promise<Cell>;
  /** The actor is used up (erased): give each cell a new one. */
  freshActor?: boolean;
  /** An SSE stream: read the status, then hang up. */
  stream?: boolean;
}

const all = (e: Expected): Record<ActorName, Expected> =>
  Object.fromEntries(ACTORS.map((a) => [a, e])) as Record<ActorName, Expected>;
const PUBLIC = all('ok');
/** A member session of site A (guest, SSO member or staff member). */
const MEMBER_A: Record<ActorName, Expected> = {
  anonymous: 401,
  guestA: 'ok',
  ssoA: 'ok',
  ssoModeratorA: 'ok',
  staffA: 'ok',
  admin: 401,
  staffB: 401,
  guestB: 401,
};
/**
 * Staff of site A: a staff member's session, an SSO member whose verified claims say moderator,
 * or the admin key. A guest named "Staffan" is not staff (and none may be named "Acme Staff").
 */
const STAFF_A: Record<ActorName, Expected> = {
  anonymous: 401,
  guestA: 403,
  ssoA: 403,
  ssoModeratorA: 'ok',
  staffA: 'ok',
  admin: 'ok',
  staffB: 401,
  guestB: 401,
};
/** The admin API: the admin key only; any other bearer is 403. */
const ADMIN: Record<ActorName, Expected> = {
  ...all(403),
  anonymous: 401,
  admin: 'ok',
};

let s: TestServer;
let siteA: SiteRecord;
let siteB: SiteRecord;
let counter = 0;
const next = () => ++counter;

// ─── fixtures ─────────────────────────────────────────────────────────────────────────────────

async function openIncident(site: SiteRecord = siteA): Promise<string> {
  const now = new Date().toISOString();
  const id = ulid();
  await s.app.lifeboat.store.createIncident(site.id, {
    id,
    title: `Matrix incident ${next()}`,
    phase: 'investigating',
    impact: 'minor',
    components: [],
    startedAt: now,
    resolvedAt: null,
    threadState: 'open',
    updates: [{ id: ulid(), phase: 'investigating', body: 'Looking into it.', createdAt: now }],
  });
  return id;
}

async function guestMember(site: SiteRecord = siteA): Promise<string> {
  const m = await s.app.lifeboat.store.createMember({
    siteId: site.id,
    kind: 'guest',
    displayName: `Author ${next()}`,
    role: 'member',
  });
  return m.id;
}

async function publishedPost(authorId?: string, incidentId?: string): Promise<string> {
  const outcome = await s.app.lifeboat.store.createPost({
    siteId: siteA.id,
    incidentId: incidentId ?? s.incident,
    memberId: authorId ?? (await guestMember()),
    id: ulid(),
    kind: 'answer',
    body: `Restarting the webhook worker fixed it for me (${next()}).`,
    parentId: null,
    workaround: null,
    state: 'published',
    idempotency: null,
  });
  if (outcome.kind !== 'created') throw new Error(`fixture post: ${outcome.kind}`);
  return outcome.post.id;
}

async function staffToken(site: SiteRecord, role: 'staff' | 'moderator' = 'staff') {
  const { store, keys } = s.app.lifeboat;
  const member = await store.createMember({
    siteId: site.id,
    kind: 'staff',
    displayName: `Staff ${next()}`,
    role,
  });
  const exp = Math.floor(Date.now() / 1000) + 3600;
  return {
    token: signToken(keys, { sub: member.id, site: site.id, name: member.displayName, exp }),
    memberId: member.id,
  };
}

/** A fresh open early-warning spike on site A (store-made: no event). */
async function openSpike(): Promise<string> {
  const spike = await s.app.lifeboat.store.earlyWarning.createSpike({
    siteId: siteA.id,
    at: Date.now(),
    stats: { reports: 5, members: 5, component: null },
    expected: 1,
    pValue: 0.0006,
    publicMembers: 10,
  });
  return spike.id;
}

async function guestSession(site: SiteRecord) {
  const session = await s.session(`Guest ${next()}`, site.slug);
  return { token: session.token, memberId: session.member.id };
}

const hostToken = (role: 'member' | 'moderator' = 'member') =>
  mintHostToken(hostClaims({ id: `host-user-${next()}`, name: 'Dana Host', role }), {
    alg: 'HS256',
    secret: SSO_SECRET,
  });

async function ssoSession(role: 'member' | 'moderator') {
  const res = await s.api('/v1/sites/acme/sessions/sso', {
    method: 'POST',
    json: { token: hostToken(role) },
  });
  if (res.status !== 201) throw new Error(`sso session: ${res.status} ${await res.text()}`);
  const session = await res.json();
  return { token: session.token as string, memberId: session.member.id as string };
}

async function makeActor(name: ActorName): Promise<Actor> {
  switch (name) {
    case 'anonymous':
      return { name, token: null, memberOfA: null };
    case 'admin':
      return { name, token: ADMIN_KEY, memberOfA: null };
    case 'guestA': {
      // A display name grants nothing.
      const session = await s.session('Staffan', 'acme');
      return { name, token: session.token, memberOfA: session.member.id };
    }
    case 'ssoA': {
      const g = await ssoSession('member');
      return { name, token: g.token, memberOfA: g.memberId };
    }
    case 'ssoModeratorA': {
      const g = await ssoSession('moderator');
      return { name, token: g.token, memberOfA: g.memberId };
    }
    case 'staffA': {
      const t = await staffToken(siteA);
      return { name, token: t.token, memberOfA: t.memberId };
    }
    case 'staffB':
      return { name, token: (await staffToken(siteB)).token, memberOfA: null };
    case 'guestB':
      return { name, token: (await guestSession(siteB)).token, memberOfA: null };
  }
}

// ─── the matrix ───────────────────────────────────────────────────────────────────────────────

const site = '/v1/sites/{site}';
const post =
  (path = '') =>
  async () => ({ path: `${site}/posts/${await publishedPost()}${path}` });
/** The actor's own post when it is a member of A, else someone else's. */
const ownPost = async (actor: Actor) =>
  `${site}/posts/${await publishedPost(actor.memberOfA ?? undefined)}`;

const ROWS: Row[] = [
  // meta and static
  { method: 'GET', url: '/healthz', expect: PUBLIC, cell: async () => ({ path: '/healthz' }) },
  { method: 'GET', url: '/readyz', expect: PUBLIC, cell: async () => ({ path: '/readyz' }) },
  {
    method: 'GET',
    url: '/v1/openapi.json',
    expect: PUBLIC,
    cell: async () => ({ path: '/v1/openapi.json' }),
  },
  // Whether staff sign-in is on (and the provider's name): public, like the consoles asking it.
  {
    method: 'GET',
    url: '/v1/staff/sso',
    expect: PUBLIC,
    cell: async () => ({ path: '/v1/staff/sso' }),
  },
  // 200 when the bundle is built, 404 when not: the same for everyone either way.
  {
    method: 'GET',
    url: '/cdn/*',
    expect: all('same'),
    cell: async () => ({ path: '/cdn/lifeboat.js' }),
  },
  {
    method: 'OPTIONS',
    url: '/v1/sites/:site/*',
    expect: PUBLIC,
    cell: async () => ({
      path: `${site}/incidents`,
      headers: { origin: 'https://status.acme.test' },
    }),
  },

  // public reads of a site
  {
    method: 'GET',
    url: '/v1/sites/:site/status',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/status` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/stream',
    expect: PUBLIC,
    stream: true,
    cell: async () => ({ path: `${site}/stream` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/sessions/challenge',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/sessions/challenge` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/incidents?state=all` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/incidents/${await openIncident()}` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/thread',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/incidents/${encodeURIComponent(s.incident)}/thread` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/affected/history',
    expect: PUBLIC,
    cell: async () => ({
      path: `${site}/incidents/${encodeURIComponent(s.incident)}/affected/history`,
    }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/workarounds/similar',
    expect: PUBLIC,
    cell: async () => ({
      path: `${site}/incidents/${encodeURIComponent(s.incident)}/workarounds/similar?q=restart%20the%20webhook%20worker`,
    }),
  },

  // sessions: anyone may start one (a bearer of any kind is ignored)
  {
    method: 'POST',
    url: '/v1/sites/:site/sessions',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/sessions`, body: { displayName: 'Matrix guest' } }),
  },
  {
    method: 'POST',
    url: '/v1/sites/:site/sessions/sso',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/sessions/sso`, body: { token: hostToken() } }),
  },
  {
    method: 'PATCH',
    url: '/v1/sites/:site/sessions/me',
    // An SSO member's name comes from the host site: 409.
    expect: { ...MEMBER_A, ssoA: 409, ssoModeratorA: 409 },
    cell: async () => ({ path: `${site}/sessions/me`, body: { displayName: 'Renamed guest' } }),
  },

  // the member's own data
  {
    method: 'GET',
    url: '/v1/sites/:site/members/me',
    expect: MEMBER_A,
    cell: async () => ({ path: `${site}/members/me` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/members/me/export',
    expect: MEMBER_A,
    cell: async () => ({ path: `${site}/members/me/export` }),
  },
  {
    method: 'DELETE',
    url: '/v1/sites/:site/members/me',
    expect: MEMBER_A,
    freshActor: true,
    cell: async () => ({ path: `${site}/members/me` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/me',
    expect: MEMBER_A,
    cell: async () => ({ path: `${site}/incidents/${encodeURIComponent(s.incident)}/me` }),
  },

  // community writes (members of A)
  {
    method: 'POST',
    url: '/v1/sites/:site/incidents/:incident/posts',
    expect: MEMBER_A,
    cell: async () => ({
      path: `${site}/incidents/${await openIncident()}/posts`,
      body: { kind: 'answer', body: 'Restarting the webhook worker fixed it for me.' },
      headers: { 'idempotency-key': ulid() },
    }),
  },
  {
    method: 'PATCH',
    url: '/v1/sites/:site/posts/:post',
    variant: 'own post',
    expect: MEMBER_A,
    cell: async (actor) => ({
      path: await ownPost(actor),
      body: { body: 'Edited: restart the worker twice.' },
    }),
  },
  {
    method: 'PATCH',
    url: '/v1/sites/:site/posts/:post',
    variant: "someone else's post",
    expect: { ...MEMBER_A, guestA: 403, ssoA: 403, ssoModeratorA: 403, staffA: 403 },
    cell: async () => ({ ...(await post()()), body: { body: 'Not mine to edit.' } }),
  },
  {
    method: 'DELETE',
    url: '/v1/sites/:site/posts/:post',
    variant: 'own post',
    expect: MEMBER_A,
    cell: async (actor) => ({ path: await ownPost(actor) }),
  },
  {
    method: 'DELETE',
    url: '/v1/sites/:site/posts/:post',
    variant: "someone else's post",
    expect: { ...MEMBER_A, guestA: 403, ssoA: 403, ssoModeratorA: 403, staffA: 403 },
    cell: post(),
  },
  {
    method: 'PUT',
    url: '/v1/sites/:site/posts/:post/reaction',
    expect: MEMBER_A,
    cell: async () => ({ ...(await post('/reaction')()), body: { kind: 'worked' } }),
  },
  {
    method: 'DELETE',
    url: '/v1/sites/:site/posts/:post/reaction',
    expect: MEMBER_A,
    cell: post('/reaction'),
  },
  {
    method: 'POST',
    url: '/v1/sites/:site/posts/:post/flags',
    expect: MEMBER_A,
    cell: async () => ({
      ...(await post('/flags')()),
      body: { reason: 'spam', note: 'Looks like an ad.' },
    }),
  },
  {
    method: 'PUT',
    url: '/v1/sites/:site/incidents/:incident/affected',
    expect: MEMBER_A,
    cell: async () => ({ path: `${site}/incidents/${await openIncident()}/affected` }),
  },
  {
    method: 'DELETE',
    url: '/v1/sites/:site/incidents/:incident/affected',
    expect: MEMBER_A,
    cell: async () => ({ path: `${site}/incidents/${await openIncident()}/affected` }),
  },

  // staff of A
  {
    method: 'POST',
    url: '/v1/sites/:site/posts/:post/merge',
    expect: STAFF_A,
    cell: async () => {
      const into = await publishedPost();
      return { ...(await post('/merge')()), body: { into } };
    },
  },
  {
    method: 'POST',
    url: '/v1/sites/:site/incidents',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/incidents`,
      body: { title: 'Checkout errors', impact: 'minor', body: 'Investigating.' },
    }),
  },
  {
    method: 'PATCH',
    url: '/v1/sites/:site/incidents/:incident',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/incidents/${await openIncident()}`,
      body: { phase: 'identified', body: 'Found the cause.' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/sites/:site/incidents/:incident/resolve',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/incidents/${await openIncident()}/resolve`,
      body: { body: 'Fixed.' },
    }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/report',
    expect: STAFF_A,
    cell: async () => ({ path: `${site}/incidents/${await openIncident()}/report` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/insights',
    expect: STAFF_A,
    cell: async () => ({ path: `${site}/insights?days=90` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/queue',
    expect: STAFF_A,
    cell: async () => ({ path: `${site}/moderation/queue?queue=pending` }),
  },
  {
    method: 'POST',
    url: '/v1/sites/:site/moderation/posts/:post',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/moderation/posts/${await publishedPost()}`,
      body: { action: 'hide', reason: 'Matrix' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/sites/:site/moderation/incidents/:incident',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/moderation/incidents/${await openIncident()}`,
      body: { action: 'lock', reason: 'Matrix' },
    }),
  },
  {
    method: 'POST',
    url: '/v1/sites/:site/moderation/members/:member',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/moderation/members/${await guestMember()}`,
      body: { action: 'ban', reason: 'Matrix', hours: 1 },
    }),
  },
  {
    method: 'PUT',
    url: '/v1/sites/:site/moderation/slow-mode',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/moderation/slow-mode`,
      body: { seconds: 0, reason: 'Matrix' },
    }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/audit',
    expect: STAFF_A,
    cell: async () => ({ path: `${site}/moderation/audit` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/policy',
    expect: STAFF_A,
    cell: async () => ({ path: `${site}/moderation/policy` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/stream',
    expect: STAFF_A,
    stream: true,
    cell: async () => ({ path: `${site}/moderation/stream` }),
  },

  // early warning and reputation (issue 12)
  {
    method: 'POST',
    url: '/v1/sites/:site/problem-reports',
    expect: MEMBER_A,
    cell: async () => ({ path: `${site}/problem-reports`, body: {} }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/signals',
    expect: PUBLIC,
    cell: async () => ({ path: `${site}/signals` }),
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/spikes',
    expect: STAFF_A,
    cell: async () => ({ path: `${site}/moderation/spikes` }),
  },
  ...(['confirm', 'dismiss', 'declare'] as const).map((change): Row => ({
    method: 'POST',
    url: `/v1/sites/:site/moderation/spikes/:spike/${change}`,
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/moderation/spikes/${await openSpike()}/${change}`,
      body: {},
    }),
  })),
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/members/:member/reputation',
    expect: STAFF_A,
    cell: async () => ({
      path: `${site}/moderation/members/${(await guestSession(siteA)).memberId}/reputation`,
    }),
  },

  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/export',
    expect: STAFF_A,
    cell: async () => ({ path: `${site}/incidents/${await openIncident()}/export?format=csv` }),
  },
  // email subscriptions (docs/email.md): this server has no SMTP, so members get 409 after
  // authentication; the link routes take a token, not a session: the same answer for everyone
  {
    method: 'POST',
    url: '/v1/sites/:site/incidents/:incident/email-subscriptions',
    expect: { ...MEMBER_A, guestA: 409, ssoA: 409, ssoModeratorA: 409, staffA: 409 },
    cell: async () => ({
      path: `${site}/incidents/${await openIncident()}/email-subscriptions`,
      body: { email: 'matrix@example.com', onVerified: true, onResolved: true },
    }),
  },
  ...(['GET', 'POST'] as const).flatMap((method) =>
    (['confirm', 'unsubscribe'] as const).map((purpose): Row => ({
      method,
      url: `/v1/sites/:site/email-subscriptions/${purpose}`,
      expect: all('same'),
      cell: async () => ({
        path: `${site}/email-subscriptions/${purpose}?token=e1.x.${purpose[0]}.${ulid()}.0.x`,
      }),
    })),
  ),

  // the admin API
  {
    method: 'GET',
    url: '/v1/admin/sites',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites' }),
  },
  {
    method: 'POST',
    url: '/v1/admin/sites',
    expect: ADMIN,
    cell: async () => ({
      path: '/v1/admin/sites',
      body: { slug: `matrix-${next()}`, name: 'Matrix' },
    }),
  },
  {
    method: 'PATCH',
    url: '/v1/admin/sites/:site',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites/acme', body: { name: 'Acme' } }),
  },
  {
    method: 'GET',
    url: '/v1/admin/sites/:site/sso',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites/acme/sso' }),
  },
  {
    method: 'PUT',
    url: '/v1/admin/sites/:site/sso',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites/acme/sso', body: { hs256Secret: SSO_SECRET } }),
  },
  {
    method: 'GET',
    url: '/v1/admin/sites/:site/policy',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites/acme/policy' }),
  },
  {
    method: 'PUT',
    url: '/v1/admin/sites/:site/policy',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites/acme/policy', body: { flagThreshold: 3 } }),
  },
  // Push ingestion: the secret in the URL is the credential, whoever else is signed in.
  {
    method: 'POST',
    url: '/v1/sites/:site/status/push/:token',
    expect: PUBLIC,
    cell: async () => {
      const token = `matrixpush${next()}`.padEnd(32, 'x');
      await webhooks().setPush(siteA.id, {
        provider: 'statuspage',
        tokenHash: hashToken(token),
        signingSecret: null,
      });
      return {
        path: `/v1/sites/acme/status/push/${token}`,
        body: {
          meta: {},
          page: { id: 'matrixpage', status_indicator: 'minor' },
          incident: {
            id: `mx${next()}`,
            name: 'Matrix push',
            status: 'investigating',
            impact: 'minor',
            created_at: '2026-12-06T16:00:00Z',
            incident_updates: [
              {
                id: `u${next()}`,
                status: 'investigating',
                body: 'x',
                created_at: '2026-12-06T16:00:00Z',
              },
            ],
          },
        },
      };
    },
  },
  ...(['GET', 'DELETE'] as const).map((method): Row => ({
    method,
    url: '/v1/admin/sites/:site/status-push',
    expect: ADMIN,
    cell: async () => {
      await webhooks().setPush(siteA.id, {
        provider: 'statuspage',
        tokenHash: hashToken('matrix'),
        signingSecret: null,
      });
      return { path: '/v1/admin/sites/acme/status-push' };
    },
  })),
  {
    method: 'PUT',
    url: '/v1/admin/sites/:site/status-push',
    expect: ADMIN,
    cell: async () => ({
      path: '/v1/admin/sites/acme/status-push',
      body: { provider: 'statuspage' },
    }),
  },
  {
    method: 'GET',
    url: '/v1/admin/sites/:site/webhooks',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites/acme/webhooks' }),
  },
  {
    method: 'POST',
    url: '/v1/admin/sites/:site/webhooks',
    expect: ADMIN,
    cell: async () => {
      // A site has at most 20 endpoints: start each cell from none.
      for (const e of await webhooks().listEndpoints(siteA.id))
        await webhooks().deleteEndpoint(siteA.id, e.id);
      return {
        path: '/v1/admin/sites/acme/webhooks',
        body: { url: 'https://hooks.example.com/matrix', events: ['thread.opened'] },
      };
    },
  },
  {
    method: 'PATCH',
    url: '/v1/admin/sites/:site/webhooks/:id',
    expect: ADMIN,
    cell: async () => ({
      path: `/v1/admin/sites/acme/webhooks/${await matrixEndpoint()}`,
      body: { enabled: false },
    }),
  },
  {
    method: 'DELETE',
    url: '/v1/admin/sites/:site/webhooks/:id',
    expect: ADMIN,
    cell: async () => ({ path: `/v1/admin/sites/acme/webhooks/${await matrixEndpoint()}` }),
  },
  {
    method: 'GET',
    url: '/v1/admin/sites/:site/webhooks/deliveries',
    expect: ADMIN,
    cell: async () => ({ path: '/v1/admin/sites/acme/webhooks/deliveries' }),
  },
  {
    method: 'GET',
    url: '/v1/admin/sites/:site/webhooks/deliveries/:id',
    expect: ADMIN,
    cell: async () => ({
      path: `/v1/admin/sites/acme/webhooks/deliveries/${await matrixDelivery()}`,
    }),
  },
  {
    method: 'POST',
    url: '/v1/admin/sites/:site/webhooks/deliveries/:id/redeliver',
    expect: ADMIN,
    cell: async () => ({
      path: `/v1/admin/sites/acme/webhooks/deliveries/${await matrixDelivery()}/redeliver`,
    }),
  },
];

const webhooks = () => new SqlWebhooks((s.app.lifeboat.store as SqlStore).driver);

/** A fresh (disabled) webhook endpoint of site A. */
async function matrixEndpoint(): Promise<string> {
  const data = webhooks();
  for (const e of await data.listEndpoints(siteA.id)) await data.deleteEndpoint(siteA.id, e.id);
  const endpoint = await data.createEndpoint(siteA.id, {
    url: 'https://hooks.example.com/matrix',
    events: ['spike.detected'],
    format: 'standard',
    secret: 'sealed',
  });
  await data.updateEndpoint(siteA.id, endpoint.id, { enabled: false });
  return endpoint.id;
}

/** A message of a fresh endpoint of site A. */
async function matrixDelivery(): Promise<string> {
  const endpointId = await matrixEndpoint();
  await webhooks().enqueue(siteA.id, [
    { seq: null, endpointId, eventType: 'spike.detected', dedupeKey: `m${next()}`, payload: '{}' },
  ]);
  return (await webhooks().listMessages(siteA.id, { endpointId, limit: 1 }))[0]!.id;
}

/** Everything a refused request could have changed, as one string. */
async function snapshot(): Promise<string> {
  const counts: Array<[table: string, where?: string]> = [
    ...['members', 'posts', 'incidents', 'affected', 'reactions', 'flags', 'bans'].map(
      (t): [string] => [t],
    ),
    ['moderation_actions'],
    ['events'],
    ['posts', "state = 'published' AND deleted_at IS NULL"],
    ['members', "role <> 'member'"],
    ['incidents', "thread_state = 'open'"],
  ];
  const [row] = await s.sql(
    `SELECT ${counts
      .map(([table, where = '1=1'], i) => `(SELECT COUNT(*) FROM ${table} WHERE ${where}) AS c${i}`)
      .join(', ')}`,
  );
  const sites = await s.sql('SELECT slug, name, origins, policy, sso FROM sites ORDER BY id');
  return JSON.stringify([row, sites]);
}

// ─── running a cell ───────────────────────────────────────────────────────────────────────────

async function send(
  method: string,
  cell: Cell,
  token: string | null,
  slug: string,
  stream = false,
): Promise<{ status: number; body: string }> {
  const headers = new Headers(cell.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (cell.body !== undefined) headers.set('content-type', 'application/json');
  const abort = new AbortController();
  const res = await fetch(s.url + cell.path.replace('{site}', slug), {
    method,
    headers,
    body: cell.body === undefined ? undefined : JSON.stringify(cell.body),
    signal: abort.signal,
  });
  if (stream && res.ok) {
    abort.abort();
    return { status: res.status, body: '(stream)' };
  }
  return { status: res.status, body: method === 'HEAD' ? '' : await res.text() };
}

const matches = (expected: Expected, status: number) =>
  expected === 'ok' ? status >= 200 && status < 300 : expected === 'same' || expected === status;

/** HEAD answers like GET (Fastify serves GET routes for HEAD). */
function rowsFor(method: string, url: string): Row[] {
  const m = method === 'HEAD' ? 'GET' : method;
  return ROWS.filter((r) => r.method === m && r.url === url);
}

describe('authorization matrix', () => {
  const actors = new Map<ActorName, Actor>();

  beforeAll(async () => {
    s = await startTestServer({
      adminKey: ADMIN_KEY,
      challengeLoad: 1_000_000,
    });
    const { store } = s.app.lifeboat;
    siteA = (await store.getSiteBySlug('acme'))!;
    siteB = (await store.getSiteBySlug('other'))!;
    await store.setSiteSso(siteA.id, { hs256Secret: SSO_SECRET });
    for (const name of ACTORS) actors.set(name, await makeActor(name));
    // A real server and eight actors: more than the default 10 s on a loaded machine.
  }, 60_000);
  afterAll(async () => {
    await s?.close();
  });

  it('has a row for every registered route', () => {
    const registered = s.app.lifeboat.routes;
    expect(registered.length).toBeGreaterThan(40);
    const missing = registered
      .filter((r) => rowsFor(r.method, r.url).length === 0)
      .map((r) => `${r.method} ${r.url}`);
    expect(missing, 'routes without a row in the authorization matrix').toEqual([]);
    // And no row for a route that is gone.
    const stale = ROWS.filter(
      (row) => !registered.some((r) => r.method === row.method && r.url === row.url),
    ).map((r) => `${r.method} ${r.url}`);
    expect(stale, 'rows of routes that are not registered').toEqual([]);
  });

  it('allows and refuses exactly as expected on every route × actor', async () => {
    const registered = s.app.lifeboat.routes;
    const failures: string[] = [];
    let cells = 0;
    let routeCount = 0;
    for (const route of registered) {
      const rows = rowsFor(route.method, route.url);
      if (rows.length) routeCount++;
      for (const row of rows) {
        const statuses = new Map<ActorName, number>();
        for (const name of ACTORS) {
          const actor = row.freshActor ? await makeActor(name) : actors.get(name)!;
          const cell = await row.cell(actor);
          const expected = row.expect[name];
          const before = typeof expected === 'number' ? await snapshot() : null;
          const { status, body } = await send(route.method, cell, actor.token, 'acme', row.stream);
          cells++;
          statuses.set(name, status);
          const label = `${route.method} ${route.url}${row.variant ? ` (${row.variant})` : ''} as ${name}`;
          if (!matches(expected, status))
            failures.push(`${label}: expected ${expected}, got ${status} ${body.slice(0, 160)}`);
          // A refusal changes nothing: no row, no event, no site setting.
          else if (before !== null && (await snapshot()) !== before)
            failures.push(`${label}: refused with ${status} but the data changed`);
        }
        if (Object.values(row.expect).includes('same')) {
          const seen = new Set(statuses.values());
          if (seen.size !== 1 || seen.has(401) || seen.has(403))
            failures.push(
              `${route.method} ${route.url}: differs by actor ${JSON.stringify([...statuses])}`,
            );
        }
      }
    }
    const heads = registered.filter((r) => r.method === 'HEAD').length;
    console.log(
      `authorization matrix: ${routeCount - heads} routes (+${heads} HEAD twins; ${ROWS.length} rows with variants) × ${ACTORS.length} actors = ${cells} requests`,
    );
    expect(failures).toEqual([]);
  }, 120_000);

  it("never lets site B's URL reach site A's incidents, posts or members", async () => {
    const { store } = s.app.lifeboat;
    const failures: string[] = [];
    let cells = 0;
    const withIds = ROWS.filter((r) => /:(incident|post|member)\b/.test(r.url));
    // Actors allowed on B: its guest for member routes, its staff and the admin key for the rest.
    const onB = {
      guestB: {
        name: 'guestB' as const,
        token: (await guestSession(siteB)).token,
        memberOfA: null,
      },
      staffB: { name: 'staffB' as const, token: (await staffToken(siteB)).token, memberOfA: null },
      admin: actors.get('admin')!,
      anonymous: actors.get('anonymous')!,
    };
    for (const row of withIds) {
      const who =
        row.expect === PUBLIC
          ? [onB.anonymous]
          : row.expect.staffA === 'ok' && row.expect.admin === 'ok'
            ? [onB.staffB, onB.admin]
            : [onB.guestB];
      for (const actor of who) {
        const cell = await row.cell(actor);
        const before = (await store.eventBounds(siteA.id)).current;
        const { status, body } = await send(row.method, cell, actor.token, 'other', row.stream);
        cells++;
        const after = (await store.eventBounds(siteA.id)).current;
        if (status !== 404 || after !== before)
          failures.push(
            `${row.method} ${row.url}${row.variant ? ` (${row.variant})` : ''} under site B as ${actor.name}: ${status} ${body.slice(0, 120)}${after !== before ? ' (site A changed!)' : ''}`,
          );
      }
    }
    console.log(`tenancy: ${cells} requests with site A ids under site B's URL`);
    expect(failures).toEqual([]);
  }, 60_000);
});

/**
 * Tenancy of status pages: an ingested incident's id comes from the upstream page
 * (`statuspage:<pageId>:<incidentId>`), so two sites following one page hold the same ids.
 * Incidents are keyed by (site_id, id) (migration 6): each site keeps its own copy, with its own
 * updates, thread, affected reports and thread state.
 */
describe('two sites following one status page', () => {
  it('each gets its own copy of the incident', async () => {
    const { startFakeUpstream, fixture } = await import('../testing/fake-upstream.js');
    const { StatusPoller } = await import('../status/poller.js');
    const { MemoryHub } = await import('../realtime/hub.js');
    const upstream = await startFakeUpstream();
    const server = await startTestServer();
    try {
      upstream.serve({
        body: fixture(
          'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
        ),
      });
      const { store } = server.app.lifeboat;
      const poller = new StatusPoller({
        store,
        hub: new MemoryHub(),
        defaultIntervalMs: 60_000,
        lockGraceMs: 60_000,
        timeoutMs: 5_000,
        log: server.app.log,
        // The fake upstream is on loopback, refused unless allowed.
        policy: (await import('../status/upstream-address.js')).parseAllowList(['127.0.0.1']),
      });
      const ids: string[][] = [];
      for (const slug of ['first-follower', 'second-follower']) {
        const created = await store.createSite({ slug, name: slug, origins: [] });
        await store.updateSite(created.id, { statusUrl: upstream.url });
        expect((await poller.pollSite(created.id)).kind).toBe('applied');
        ids.push((await store.listIncidents(created.id, 'all')).map((i) => i.id));
      }
      expect(ids[0]!.length).toBeGreaterThan(0);
      expect(ids[1]).toEqual(ids[0]);
    } finally {
      await server.close();
      await upstream.close();
    }
  });

  it('keeps their threads, reports, updates and thread state apart (admin API, real polls)', async () => {
    const { startFakeUpstream, fixture } = await import('../testing/fake-upstream.js');
    const upstream = await startFakeUpstream();
    const server = await startTestServer({ adminKey: ADMIN_KEY });
    try {
      upstream.serve({
        body: fixture(
          'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
        ),
      });
      const admin = { authorization: `Bearer ${ADMIN_KEY}` };
      // Both sites may follow the page: no "already follows" refusal.
      for (const slug of ['north', 'south']) {
        const res = await server.api('/v1/admin/sites', {
          method: 'POST',
          headers: admin,
          json: { slug, name: slug, origins: ['*'], statusUrl: upstream.url },
        });
        expect(res.status, await res.clone().text()).toBe(201);
      }
      const { store, statusPoller } = server.app.lifeboat;
      const siteIds: Record<string, string> = {};
      for (const slug of ['north', 'south']) {
        siteIds[slug] = (await store.getSiteBySlug(slug))!.id;
        const outcome = await statusPoller.pollSite(siteIds[slug]);
        expect(['applied', 'not_modified']).toContain(outcome.kind);
      }
      const incidents = async (slug: string) =>
        (
          (await (await server.api(`/v1/sites/${slug}/incidents?state=all`)).json()) as {
            incidents: Array<{ id: string }>;
          }
        ).incidents.map((i) => i.id);
      const shared = (await incidents('north'))[0]!;
      expect(shared).toMatch(/^statuspage:/);
      expect(await incidents('south')).toContain(shared);
      const path = (slug: string, rest = '') =>
        `/v1/sites/${slug}/incidents/${encodeURIComponent(shared)}${rest}`;
      const get = async <T>(url: string) => {
        const res = await server.api(url);
        expect(res.status, url).toBe(200);
        return (await res.json()) as T;
      };
      type IncidentView = {
        postCount: number;
        affectedCount: number;
        threadState: string;
        updates: Array<{ id: string }>;
      };
      const southBefore = await get<IncidentView>(path('south'));

      // A post and a report on north's copy.
      const north = await server.session('Nora', 'north');
      const posted = await server.api(path('north', '/posts'), {
        method: 'POST',
        token: north.token,
        headers: { 'idempotency-key': ulid() },
        json: { kind: 'answer', body: 'Retrying the push after a minute worked for us.' },
      });
      expect(posted.status, await posted.clone().text()).toBe(201);
      const northPost = (await posted.json()) as { id: string };
      const affected = await server.api(path('north', '/affected'), {
        method: 'PUT',
        token: north.token,
      });
      expect(affected.status).toBe(200);

      // It is on north's thread only; south's copy is as it was.
      type Page = { posts: Array<{ id: string }> };
      expect((await get<Page>(path('north', '/thread'))).posts.map((p) => p.id)).toEqual([
        northPost.id,
      ]);
      expect((await get<Page>(path('south', '/thread'))).posts).toEqual([]);
      expect((await get<Page>(path('south', '/thread?sort=newest'))).posts).toEqual([]);
      const northAfter = await get<IncidentView>(path('north'));
      const southAfter = await get<IncidentView>(path('south'));
      expect([northAfter.postCount, northAfter.affectedCount]).toEqual([1, 1]);
      expect([southAfter.postCount, southAfter.affectedCount]).toEqual([0, 0]);
      expect(southAfter.updates).toEqual(southBefore.updates);
      expect(northAfter.updates.map((u) => u.id)).toEqual(southAfter.updates.map((u) => u.id));

      // A south member cannot reply to north's post through south's copy.
      const south = await server.session('Sam', 'south');
      const reply = await server.api(path('south', '/posts'), {
        method: 'POST',
        token: south.token,
        headers: { 'idempotency-key': ulid() },
        json: { kind: 'reply', parentId: northPost.id, body: 'Same here, thanks.' },
      });
      expect(reply.status).toBeGreaterThanOrEqual(400);
      expect(reply.status).toBeLessThan(500);
      const me = await server.api(path('south', '/me'), { token: south.token });
      expect(me.status).toBe(200);
      expect(((await me.json()) as { affected: boolean }).affected).toBe(false);

      // Locking north's thread leaves south's open.
      const locked = await server.api(
        `/v1/sites/north/moderation/incidents/${encodeURIComponent(shared)}`,
        { method: 'POST', headers: admin, json: { action: 'lock', reason: 'Resolved upstream.' } },
      );
      expect(locked.status, await locked.clone().text()).toBe(200);
      expect((await get<IncidentView>(path('north'))).threadState).toBe('locked');
      expect((await get<IncidentView>(path('south'))).threadState).toBe('open');
      expect(server.count('incidents', `id = '${shared}'`)).toBe(2);
    } finally {
      await server.close();
      await upstream.close();
    }
  });
});
