/**
 * Authentication comes before parsing and validation: a caller without the right credentials
 * gets 401 (none) or 403 (not staff, not the admin key) whatever it sent — malformed JSON, the
 * wrong shape, the wrong content type, a body too large, bad query or path values — so nothing
 * about a valid request is revealed to it. With the right credentials the same requests are 4xx
 * for what they are.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import { startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'auth-first-admin-key-0123456789-abcdef';

type Who = 'member' | 'staff' | 'admin';

interface Route {
  method: string;
  url: string;
  who: Who;
  /** A path with bad values in it (too long, not an id). */
  badPath?: string;
  /** A query with bad values. */
  badQuery?: string;
}

/** Longer than any id's schema allows, shorter than the router's parameter limit (300). */
const long = 'x'.repeat(250);

/** Every route that needs credentials, by who may call it. */
const ROUTES: Route[] = [
  // members
  { method: 'POST', url: '/v1/sites/:site/incidents/:incident/posts', who: 'member' },
  { method: 'PATCH', url: '/v1/sites/:site/posts/:post', who: 'member' },
  { method: 'DELETE', url: '/v1/sites/:site/posts/:post', who: 'member' },
  { method: 'PUT', url: '/v1/sites/:site/posts/:post/reaction', who: 'member' },
  { method: 'DELETE', url: '/v1/sites/:site/posts/:post/reaction', who: 'member' },
  { method: 'POST', url: '/v1/sites/:site/posts/:post/flags', who: 'member' },
  { method: 'PUT', url: '/v1/sites/:site/incidents/:incident/affected', who: 'member' },
  { method: 'DELETE', url: '/v1/sites/:site/incidents/:incident/affected', who: 'member' },
  { method: 'PATCH', url: '/v1/sites/:site/sessions/me', who: 'member' },
  { method: 'GET', url: '/v1/sites/:site/members/me', who: 'member' },
  { method: 'DELETE', url: '/v1/sites/:site/members/me', who: 'member' },
  { method: 'GET', url: '/v1/sites/:site/members/me/export', who: 'member' },
  { method: 'GET', url: '/v1/sites/:site/incidents/:incident/me', who: 'member' },
  { method: 'POST', url: '/v1/sites/:site/problem-reports', who: 'member' },
  { method: 'POST', url: '/v1/sites/:site/incidents/:incident/email-subscriptions', who: 'member' },
  // staff of the site
  { method: 'POST', url: '/v1/sites/:site/incidents', who: 'staff' },
  { method: 'PATCH', url: '/v1/sites/:site/incidents/:incident', who: 'staff' },
  { method: 'POST', url: '/v1/sites/:site/incidents/:incident/resolve', who: 'staff' },
  { method: 'POST', url: '/v1/sites/:site/posts/:post/merge', who: 'staff' },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/queue',
    who: 'staff',
    badQuery: '?queue=nope&limit=-1',
  },
  { method: 'POST', url: '/v1/sites/:site/moderation/posts/:post', who: 'staff' },
  { method: 'POST', url: '/v1/sites/:site/moderation/incidents/:incident', who: 'staff' },
  { method: 'POST', url: '/v1/sites/:site/moderation/members/:member', who: 'staff' },
  { method: 'PUT', url: '/v1/sites/:site/moderation/slow-mode', who: 'staff' },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/audit',
    who: 'staff',
    badQuery: `?cursor=${long}&limit=abc`,
  },
  { method: 'GET', url: '/v1/sites/:site/moderation/policy', who: 'staff' },
  { method: 'GET', url: '/v1/sites/:site/moderation/spikes', who: 'staff' },
  { method: 'POST', url: '/v1/sites/:site/moderation/spikes/:spike/confirm', who: 'staff' },
  { method: 'POST', url: '/v1/sites/:site/moderation/spikes/:spike/dismiss', who: 'staff' },
  { method: 'POST', url: '/v1/sites/:site/moderation/spikes/:spike/declare', who: 'staff' },
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/members/:member/reputation',
    who: 'staff',
  },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/report',
    who: 'staff',
    badQuery: '?bucketMinutes=0',
  },
  { method: 'GET', url: '/v1/sites/:site/insights', who: 'staff', badQuery: '?days=7' },
  {
    method: 'GET',
    url: '/v1/sites/:site/incidents/:incident/export',
    who: 'staff',
    badQuery: '?format=xml&table=nope',
  },
  // The staff stream: with staff credentials a bad query is a 400 (it never opens).
  {
    method: 'GET',
    url: '/v1/sites/:site/moderation/stream',
    who: 'staff',
    badQuery: '?lastEventId=abc',
  },
  // the admin key
  { method: 'GET', url: '/v1/admin/sites', who: 'admin' },
  { method: 'POST', url: '/v1/admin/sites', who: 'admin' },
  { method: 'PATCH', url: '/v1/admin/sites/:site', who: 'admin' },
  { method: 'GET', url: '/v1/admin/sites/:site/sso', who: 'admin' },
  { method: 'PUT', url: '/v1/admin/sites/:site/sso', who: 'admin' },
  { method: 'GET', url: '/v1/admin/sites/:site/policy', who: 'admin' },
  { method: 'PUT', url: '/v1/admin/sites/:site/policy', who: 'admin' },
  { method: 'GET', url: '/v1/admin/sites/:site/status-push', who: 'admin' },
  { method: 'PUT', url: '/v1/admin/sites/:site/status-push', who: 'admin' },
  { method: 'DELETE', url: '/v1/admin/sites/:site/status-push', who: 'admin' },
  { method: 'GET', url: '/v1/admin/sites/:site/webhooks', who: 'admin' },
  { method: 'POST', url: '/v1/admin/sites/:site/webhooks', who: 'admin' },
  { method: 'PATCH', url: '/v1/admin/sites/:site/webhooks/:id', who: 'admin' },
  { method: 'DELETE', url: '/v1/admin/sites/:site/webhooks/:id', who: 'admin' },
  {
    method: 'GET',
    url: '/v1/admin/sites/:site/webhooks/deliveries',
    who: 'admin',
    badQuery: `?endpoint=${long}&limit=0`,
  },
  { method: 'GET', url: '/v1/admin/sites/:site/webhooks/deliveries/:id', who: 'admin' },
  { method: 'POST', url: '/v1/admin/sites/:site/webhooks/deliveries/:id/redeliver', who: 'admin' },
];

/** Routes anyone may call (reads, sign-in, the preflight, the public stream). */
const OPEN = new Set([
  'GET /healthz',
  'GET /readyz',
  'GET /v1/openapi.json',
  // Whether staff sign-in is on, and the provider's name (the consoles ask before sign-in).
  'GET /v1/staff/sso',
  'GET /cdn/*',
  'OPTIONS /v1/sites/:site/*',
  'GET /v1/sites/:site/status',
  'GET /v1/sites/:site/stream',
  'GET /v1/sites/:site/sessions/challenge',
  'POST /v1/sites/:site/sessions',
  'POST /v1/sites/:site/sessions/sso',
  'GET /v1/sites/:site/incidents',
  'GET /v1/sites/:site/incidents/:incident',
  'GET /v1/sites/:site/incidents/:incident/thread',
  'GET /v1/sites/:site/incidents/:incident/affected/history',
  'GET /v1/sites/:site/incidents/:incident/workarounds/similar',
  'GET /v1/sites/:site/signals',
  // Email links: the token in the URL is the credential (docs/email.md).
  'GET /v1/sites/:site/email-subscriptions/confirm',
  'POST /v1/sites/:site/email-subscriptions/confirm',
  'GET /v1/sites/:site/email-subscriptions/unsubscribe',
  'POST /v1/sites/:site/email-subscriptions/unsubscribe',
  // Push ingestion: the secret in the URL is the credential (docs/webhooks.md).
  'POST /v1/sites/:site/status/push/:token',
]);

/** The bad requests sent to a route: each must be refused for the credentials alone. */
function badRequests(route: Route): Array<{ name: string; path: string; init: RequestInit }> {
  const path = route.url
    .replace(':site', 'acme')
    .replace(':incident', encodeURIComponent(incident))
    .replace(':post', ulid())
    .replace(':member', ulid())
    .replace(':spike', ulid())
    .replace(':id', ulid());
  const badPath = route.url
    .replace(':site', 'acme')
    .replace(':incident', long)
    .replace(':post', long)
    .replace(':member', long)
    .replace(':spike', long)
    .replace(':id', long);
  const json = { 'content-type': 'application/json', 'idempotency-key': '!' };
  const out: Array<{ name: string; path: string; init: RequestInit }> = [
    { name: 'bad query', path: `${path}${route.badQuery ?? '?limit=abc&cursor=%%%'}`, init: {} },
  ];
  if (badPath !== path) out.push({ name: 'bad path values', path: badPath, init: {} });
  if (route.method !== 'GET' && route.method !== 'DELETE')
    out.push(
      { name: 'malformed JSON', path, init: { body: '{"nope', headers: json } },
      {
        name: 'wrong shape',
        path,
        init: { body: JSON.stringify({ unexpected: true, title: 5, body: [] }), headers: json },
      },
      {
        name: 'wrong content type',
        path,
        init: { body: 'hello', headers: { 'content-type': 'text/plain' } },
      },
      {
        name: 'body too large',
        path,
        init: { body: JSON.stringify({ body: 'y'.repeat(40_000) }), headers: json },
      },
    );
  return out.map((r) => ({ ...r, init: { ...r.init, method: route.method } }));
}

let s: TestServer;
let incident: string;
let guest: string;
let staff: string;

async function send(
  path: string,
  init: RequestInit,
  token: string | null,
): Promise<{ status: number; code: string | undefined }> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  const res = await fetch(s.url + path, { ...init, headers });
  const text = await res.text();
  const code = text.startsWith('{') ? (JSON.parse(text) as { code?: string }).code : undefined;
  return { status: res.status, code };
}

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  incident = s.incident;
  guest = (await s.session('Curious guest')).token;
  staff = await s.staffToken();
}, 60_000);
afterAll(async () => {
  await s.close();
});

describe('authentication before validation', () => {
  it('every route that needs credentials is listed here (or is open to all)', () => {
    const listed = new Set(ROUTES.map((r) => `${r.method} ${r.url}`));
    const unlisted = s.app.lifeboat.routes
      .filter((r) => r.method !== 'HEAD')
      .map((r) => `${r.method} ${r.url}`)
      .filter((key) => !listed.has(key) && !OPEN.has(key) && !key.startsWith('GET /moderation'));
    expect(unlisted).toEqual([]);
  });

  it('anonymous: 401 for any bad request to a member, staff or admin route', async () => {
    for (const route of ROUTES)
      for (const bad of badRequests(route)) {
        const res = await send(bad.path, bad.init, null);
        expect(res, `${route.method} ${route.url}: ${bad.name}`).toEqual({
          status: 401,
          code: 'unauthorized',
        });
      }
  });

  it('a guest: 403 on staff and admin routes, whatever was sent', async () => {
    for (const route of ROUTES.filter((r) => r.who !== 'member'))
      for (const bad of badRequests(route)) {
        const res = await send(bad.path, bad.init, guest);
        expect(res, `${route.method} ${route.url}: ${bad.name}`).toEqual({
          status: 403,
          code: 'forbidden',
        });
      }
  });

  it('a staff member: 403 on admin routes, whatever was sent', async () => {
    for (const route of ROUTES.filter((r) => r.who === 'admin'))
      for (const bad of badRequests(route)) {
        const res = await send(bad.path, bad.init, staff);
        expect(res, `${route.method} ${route.url}: ${bad.name}`).toEqual({
          status: 403,
          code: 'forbidden',
        });
      }
  });

  it('with the right credentials the same requests fail for what they are (4xx, never 401/403)', async () => {
    const tokenFor: Record<Who, string> = { member: guest, staff, admin: ADMIN_KEY };
    for (const route of ROUTES)
      for (const bad of badRequests(route)) {
        // An erasure with a bad query still erases: keep the guest.
        if (route.method === 'DELETE' && route.url.endsWith('/members/me')) continue;
        const res = await send(bad.path, bad.init, tokenFor[route.who]);
        const label = `${route.method} ${route.url}: ${bad.name} → ${res.status}`;
        expect([401, 403], label).not.toContain(res.status);
        expect(res.status, label).toBeLessThan(500);
        // Refused while parsing, whatever the route's schema: always a 4xx. (A route without a
        // query or body schema may ignore a bad query or an unexpected shape.)
        if (
          ['malformed JSON', 'wrong content type', 'body too large'].includes(bad.name) ||
          route.badQuery
        )
          expect(res.status, label).toBeGreaterThanOrEqual(400);
      }
  });
});
