/**
 * Staff sign-in with OpenID Connect against a real provider (oidc-provider on loopback, its
 * development login screens), driven with a cookie-keeping HTTP client: roles mapped from claims
 * per site, the session working on the staff API, and the attacks — wrong state, a replayed
 * code, a nonce mismatch, ID tokens of another audience or issuer, no mapped role, an open
 * redirect, a replayed or stolen handoff code. On the suite's engine (SQLite or PostgreSQL).
 */
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { ConfigError, DEFAULT_RATE_LIMITS, loadConfig, type OidcConfig } from '../config.js';
import { openValue, sealValue } from '../auth/staff-oidc.js';
import { tempDir, testData, type TestData } from '../testing/harness.js';
import {
  CookieJar,
  freeLoopbackPort,
  mintIdToken,
  signInAtProvider,
  startOidcProvider,
  type OidcTestProvider,
  type TestClient,
} from '../testing/oidc-test-provider.js';

const ACCOUNTS = {
  ana: { name: 'Ana Support', email: 'ana@acme.test', groups: ['support', 'everyone'] },
  sam: { name: 'Sam SRE', email: 'sam@acme.test', groups: ['sre'] },
  bob: { name: 'Bob Sales', email: 'bob@acme.test', groups: ['sales'] },
};

let port: number;
let origin: string;
let provider: OidcTestProvider;
let foreign: OidcTestProvider;
let app: FastifyInstance;
let data: TestData;
let lifeboatClient: TestClient;
let otherClient: TestClient;

beforeAll(async () => {
  port = await freeLoopbackPort();
  origin = `http://127.0.0.1:${port}`;
  lifeboatClient = {
    client_id: 'lifeboat',
    client_secret: 'lifeboat-client-secret-0123456789',
    redirect_uris: [`${origin}/v1/staff/sso/callback`],
  };
  otherClient = {
    client_id: 'other-app',
    client_secret: 'other-client-secret-0123456789',
    redirect_uris: ['http://127.0.0.1:9/other-app/callback'],
  };
  provider = await startOidcProvider([lifeboatClient, otherClient], ACCOUNTS);
  // Another provider the attacker runs, with a client of the same id.
  foreign = await startOidcProvider([lifeboatClient], ACCOUNTS);
  const oidc: OidcConfig = {
    issuer: provider.issuer,
    clientId: lifeboatClient.client_id,
    clientSecret: lifeboatClient.client_secret,
    name: 'Acme SSO',
    scopes: 'openid profile email groups',
    roles: {
      acme: [{ claim: 'groups', value: 'sre', role: 'staff' }],
      '*': [{ claim: 'groups', value: 'support', role: 'moderator' }],
    },
  };
  data = testData(tempDir());
  app = await buildApp({
    ...loadConfig({ env: {}, argv: [] }),
    port,
    host: '127.0.0.1',
    dataDir: data.dir,
    databaseUrl: data.databaseUrl,
    logLevel: 'silent',
    secret: 'test-secret-0123456789abcdef',
    rateLimits: { ...DEFAULT_RATE_LIMITS, sessionsPerIp: 10_000 },
    publicOrigin: origin,
    oidc,
  });
  const { store } = app.lifeboat;
  await store.createSite({ slug: 'acme', name: 'Acme', origins: ['https://status.acme.test'] });
  await store.createSite({ slug: 'other', name: 'Other', origins: ['*'] });
  await app.listen({ port, host: '127.0.0.1' });
});

afterAll(async () => {
  await app?.close();
  await provider?.close();
  await foreign?.close();
  data?.drop();
});

interface Started {
  jar: CookieJar;
  verifier: string;
  /** The provider's authorization URL. */
  authorize: URL;
}

async function start(site: string, returnTo = `${origin}/moderation/`): Promise<Started> {
  const jar = new CookieJar();
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const url = new URL('/v1/staff/sso/start', origin);
  url.search = new URLSearchParams({ site, return: returnTo, challenge }).toString();
  const res = await jar.fetch(url);
  expect(res.status).toBe(302);
  const authorize = new URL(res.headers.get('location')!);
  expect(authorize.origin).toBe(provider.issuer);
  expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
  expect(authorize.searchParams.get('state')).toBeTruthy();
  expect(authorize.searchParams.get('nonce')).toBeTruthy();
  const cookie = res.headers.getSetCookie()[0]!;
  expect(cookie).toMatch(/HttpOnly/);
  expect(cookie).toMatch(/SameSite=Lax/);
  expect(cookie).toMatch(/Path=\/v1\/staff\/sso\/callback/);
  return { jar, verifier, authorize };
}

const callbackPrefix = () => `${origin}/v1/staff/sso/callback`;

/** Signs in at the provider; returns the callback URL (not yet visited). */
async function atProvider(started: Started, login: string): Promise<URL> {
  return signInAtProvider(started.jar, started.authorize, login, callbackPrefix());
}

async function exchange(code: string, verifier: string) {
  return fetch(`${origin}/v1/staff/sso/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, verifier }),
  });
}

/** The whole flow; returns the callback's answer and the handoff code when there is one. */
async function signIn(site: string, login: string) {
  const started = await start(site);
  const callback = await atProvider(started, login);
  const res = await started.jar.fetch(callback);
  const location = res.headers.get('location');
  const code = location ? new URL(location).hash.replace(/^#lifeboat_sso=/, '') : null;
  return { started, callback, res, location, code };
}

describe('staff sign-in with OpenID Connect', () => {
  it('advertises the provider by name', async () => {
    const res = await fetch(`${origin}/v1/staff/sso`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: 'Acme SSO' });
  });

  it('a support agent becomes a moderator of the site; the session opens the staff API of that site only', async () => {
    const { res, location, code, started } = await signIn('acme', 'ana');
    expect(res.status).toBe(303);
    expect(location!.startsWith(`${origin}/moderation/#lifeboat_sso=`)).toBe(true);
    // Nothing secret in the URL a server would see or log: only in the fragment.
    expect(new URL(location!).search).toBe('');
    // The state cookie is gone.
    expect([...started.jar.cookies.keys()].some((k) => k.startsWith('lifeboat_sso_'))).toBe(false);

    const session = await exchange(code!, started.verifier);
    expect(session.status).toBe(200);
    const body = (await session.json()) as {
      token: string;
      site: string;
      member: { displayName: string; role: string; staff: boolean };
      expiresAt: string;
    };
    expect(body.site).toBe('acme');
    expect(body.member).toMatchObject({
      displayName: 'Ana Support',
      role: 'moderator',
      staff: true,
    });
    expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(12 * 3600 * 1000);

    const queue = await fetch(`${origin}/v1/sites/acme/moderation/queue?queue=pending`, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(queue.status).toBe(200);
    const elsewhere = await fetch(`${origin}/v1/sites/other/moderation/queue?queue=pending`, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(elsewhere.status).toBe(401);
    // Not the admin API: the admin key stays for automation.
    const admin = await fetch(`${origin}/v1/admin/sites/acme/policy`, {
      headers: { authorization: `Bearer ${body.token}` },
    });
    expect(admin.status).toBe(403);

    // The handoff code works once.
    const again = await exchange(code!, started.verifier);
    expect(again.status).toBe(401);
    expect(((await again.json()) as { detail: string }).detail).toMatch(/already used/);
  });

  it('roles are per site: an SRE is staff on acme, and has no role on another site (403, clear message)', async () => {
    const acme = await signIn('acme', 'sam');
    const session = (await (await exchange(acme.code!, acme.started.verifier)).json()) as {
      member: { role: string };
    };
    expect(session.member.role).toBe('staff');

    const members = await app.lifeboat.store.listMembers(
      (await app.lifeboat.store.getSiteBySlug('other'))!.id,
      'sso',
    );
    const other = await signIn('other', 'sam');
    expect(other.res.status).toBe(403);
    const page = await other.res.text();
    expect(page).toContain('No staff role on this site');
    expect(page).toContain('Sam SRE');
    expect(page).toContain('Ask an administrator');
    expect(other.location).toBeNull();
    // Nobody was made a member of that site.
    const after = await app.lifeboat.store.listMembers(
      (await app.lifeboat.store.getSiteBySlug('other'))!.id,
      'sso',
    );
    expect(after.length).toBe(members.length);
  });

  it('a user without a mapped role gets 403 and no session', async () => {
    const { res } = await signIn('acme', 'bob');
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('no staff or moderator role on Acme');
  });

  it('wrong or missing state: refused, and the code is not exchanged', async () => {
    const started = await start('acme');
    const callback = await atProvider(started, 'ana');
    const forged = new URL(callback);
    forged.searchParams.set('state', crypto.randomBytes(32).toString('base64url'));
    const wrong = await started.jar.fetch(forged);
    expect(wrong.status).toBe(400);
    expect(await wrong.text()).toContain('not started in this browser');
    // Another browser (no state cookie) with the right URL.
    const stranger = await new CookieJar().fetch(callback);
    expect(stranger.status).toBe(400);
    // The rightful browser still finishes (the code was never spent).
    const ok = await started.jar.fetch(callback);
    expect(ok.status).toBe(303);
  });

  it('a replayed authorization code is refused', async () => {
    const started = await start('acme');
    const callback = await atProvider(started, 'ana');
    const cookies = new Map(started.jar.cookies);
    expect((await started.jar.fetch(callback)).status).toBe(303);
    // The attacker replays the same callback with the state cookie captured before.
    const attacker = new CookieJar();
    for (const [k, v] of cookies) attacker.cookies.set(k, v);
    const replay = await attacker.fetch(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('could not be verified');
  });

  it('a nonce that does not match the ID token is refused', async () => {
    const started = await start('acme');
    const callback = await atProvider(started, 'ana');
    const [name, cookie] = [...started.jar.cookies].find(([k]) => k.startsWith('lifeboat_sso_'))!;
    const login = openValue(app.lifeboat.secrets, cookie.value, 'login')!;
    const changed = sealValue(app.lifeboat.secrets, { ...login, nonce: 'another-nonce-value' });
    started.jar.cookies.set(name, { ...cookie, value: changed });
    const res = await started.jar.fetch(callback);
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(
      /could not be verified \(unexpected ID Token &quot;nonce&quot;/,
    );
  });

  it('an ID token minted for another client (audience) or by another issuer is refused', async () => {
    for (const [issuer, client, reason] of [
      [provider.issuer, otherClient, /unexpected JWT &quot;aud&quot; \(audience\)/],
      [foreign.issuer, lifeboatClient, /unexpected JWT &quot;iss&quot; \(issuer\)/],
    ] as const) {
      const started = await start('acme');
      const nonce = started.authorize.searchParams.get('nonce')!;
      const alien = await mintIdToken(issuer, client, 'ana', nonce);
      const callback = await atProvider(started, 'ana');
      provider.tamper(alien);
      try {
        const res = await started.jar.fetch(callback);
        expect(res.status).toBe(400);
        expect(await res.text()).toMatch(reason);
      } finally {
        provider.tamper(null);
      }
    }
  });

  it('the handoff code needs the verifier of the console that started the sign-in', async () => {
    const { code } = await signIn('acme', 'ana');
    const thief = await exchange(code!, crypto.randomBytes(32).toString('base64url'));
    expect(thief.status).toBe(401);
    const garbage = await exchange('not-a-code', crypto.randomBytes(32).toString('base64url'));
    expect(garbage.status).toBe(401);
    const bad = await fetch(`${origin}/v1/staff/sso/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: 'x' }),
    });
    expect(bad.status).toBe(400);
  });

  it('a handoff the server did not seal is refused (an unsealed value is not read as plaintext)', async () => {
    // A staff member exists (signed in once); the attacker knows the site and member ids.
    const { code } = await signIn('acme', 'sam');
    const handoff = openValue(app.lifeboat.secrets, code!, 'handoff')!;
    const verifier = crypto.randomBytes(32).toString('base64url');
    const forged = Buffer.from(
      JSON.stringify({
        ...handoff,
        jti: crypto.randomBytes(16).toString('base64url'),
        challenge: crypto.createHash('sha256').update(verifier).digest('base64url'),
      }),
    ).toString('base64url');
    const res = await exchange(forged, verifier);
    expect(res.status).toBe(401);
  });

  it('no open redirect: the return URL must be this server or one of the site’s origins', async () => {
    const challenge = crypto.createHash('sha256').update('v'.repeat(43)).digest('base64url');
    const attempt = (site: string, returnTo: string) => {
      const url = new URL('/v1/staff/sso/start', origin);
      url.search = new URLSearchParams({ site, return: returnTo, challenge }).toString();
      return fetch(url, { redirect: 'manual' });
    };
    for (const evil of [
      'https://evil.example/moderation/',
      `${origin}.evil.example/`,
      `http://user@127.0.0.1:${port}/`,
      'javascript:alert(1)',
      '//evil.example/',
      '/moderation/',
    ]) {
      const res = await attempt('acme', evil);
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
    }
    // `*` in a site's origins allows CORS, never a redirect anywhere.
    expect((await attempt('other', 'https://evil.example/')).status).toBe(400);
    expect((await attempt('acme', 'https://status.acme.test/admin/moderation')).status).toBe(302);
    expect((await attempt('nope', `${origin}/moderation/`)).status).toBe(400);
    // A challenge is required.
    const url = new URL('/v1/staff/sso/start', origin);
    url.search = new URLSearchParams({ site: 'acme', return: `${origin}/` }).toString();
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(400);
  });
});

describe('staff sign-in configuration', () => {
  const base = {
    LIFEBOAT_OIDC_ISSUER: 'https://login.acme.example/realms/staff',
    LIFEBOAT_OIDC_CLIENT_ID: 'lifeboat',
    LIFEBOAT_OIDC_ROLES: '{"*":[{"claim":"groups","value":"support","role":"moderator"}]}',
  };
  it('reads the provider and the role rules; refuses what cannot work', () => {
    expect(loadConfig({ env: {} }).oidc).toBeNull();
    expect(loadConfig({ env: base }).oidc).toMatchObject({
      issuer: base.LIFEBOAT_OIDC_ISSUER,
      clientId: 'lifeboat',
      clientSecret: null,
      name: 'SSO',
      roles: { '*': [{ claim: 'groups', value: 'support', role: 'moderator' }] },
    });
    expect(() => loadConfig({ env: { ...base, LIFEBOAT_OIDC_CLIENT_ID: '' } })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ env: { ...base, LIFEBOAT_OIDC_ROLES: '' } })).toThrow(/claims/);
    expect(() => loadConfig({ env: { ...base, LIFEBOAT_OIDC_ROLES: '{' } })).toThrow(/JSON/);
    expect(() =>
      loadConfig({
        env: {
          ...base,
          LIFEBOAT_OIDC_ROLES: '{"acme":[{"claim":"groups","value":"x","role":"admin"}]}',
        },
      }),
    ).toThrow(/staff or moderator/);
    expect(() => loadConfig({ env: { ...base, LIFEBOAT_OIDC_ISSUER: 'not a url' } })).toThrow(
      ConfigError,
    );
  });

  it('needs the public origin (the redirect URI)', async () => {
    const dir = tempDir();
    await expect(
      buildApp({ ...loadConfig({ env: base, argv: [] }), dataDir: dir, logLevel: 'silent' }),
    ).rejects.toThrow(/LIFEBOAT_PUBLIC_ORIGIN/);
  });
});
