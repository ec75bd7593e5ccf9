import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startTestServer, TEST_ORIGIN, type TestServer } from '../testing/harness.js';
import { parseSigningKeys, signToken, verifyToken } from '../auth/tokens.js';

describe('CORS', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('echoes an allowed origin with Vary and exposed headers', async () => {
    const res = await s.api('/v1/sites/acme/status', { headers: { origin: TEST_ORIGIN } });
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(res.headers.get('access-control-expose-headers')).toContain('Idempotent-Replayed');
    expect(res.headers.get('access-control-expose-headers')).toContain('RateLimit-Remaining');
  });

  it('answers a preflight with methods, headers and max-age', async () => {
    const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
      method: 'OPTIONS',
      headers: {
        origin: TEST_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(res.headers.get('access-control-allow-methods')).toBe('GET, POST, PUT, PATCH, DELETE');
    expect(res.headers.get('access-control-allow-headers')).toContain('Idempotency-Key');
    expect(res.headers.get('access-control-allow-headers')).toContain('Last-Event-ID');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('gives a denied origin no CORS headers, and 403 on writes with nothing stored', async () => {
    const evil = 'https://evil.test';
    const read = await s.api('/v1/sites/acme/status', { headers: { origin: evil } });
    expect(read.status).toBe(200);
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
    const members = s.count('members');
    const write = await s.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: 'Mallory' },
      headers: { origin: evil },
    });
    expect(write.status).toBe(403);
    expect((await write.json()).code).toBe('origin_not_allowed');
    expect(write.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await s.api('/v1/sites/acme/sessions', {
      method: 'OPTIONS',
      headers: { origin: evil, 'access-control-request-method': 'POST' },
    });
    expect(preflight.status).toBe(403);
    expect(s.count('members')).toBe(members);
  });

  it('allows same-origin requests and `*` sites', async () => {
    const same = await s.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: 'Local' },
      headers: { origin: s.url },
    });
    expect(same.status).toBe(201);
    const star = await s.api('/v1/sites/other/sessions', {
      method: 'POST',
      json: { displayName: 'Anyone' },
      headers: { origin: 'https://random.test' },
    });
    expect(star.status).toBe(201);
    expect(star.headers.get('access-control-allow-origin')).toBe('https://random.test');
  });
});

describe('tokens', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });
  const me = (token: string, site = 'acme', incident = s.incident) =>
    s.api(`/v1/sites/${site}/incidents/${enc(incident)}/me`, { token });

  it('rejects a token for another site', async () => {
    const other = await s.session('Elsewhere', 'other');
    const res = await me(other.token);
    expect(res.status).toBe(401);
    expect((await res.json()).code).toBe('unauthorized');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('rejects tampered, malformed and unknown-key tokens', async () => {
    const { token } = await s.session('Honest');
    expect((await me(token)).status).toBe(200);
    const [v, kid, payload, sig] = token.split('.') as [string, string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'someone-else' })).toString(
      'base64url',
    );
    expect((await me(`${v}.${kid}.${forged}.${sig}`)).status).toBe(401);
    expect((await me(`${v}.${kid}.${payload}.${sig.slice(0, -2)}AA`)).status).toBe(401);
    expect((await me(`${v}.other.${payload}.${sig}`)).status).toBe(401);
    expect((await me('garbage')).status).toBe(401);
  });

  it('verifies with rotated keys and refuses expired tokens', () => {
    const oldKeys = parseSigningKeys('old:0123456789abcdef0123');
    const rotated = parseSigningKeys('new:fedcba9876543210fedc,old:0123456789abcdef0123');
    const claims = { sub: 'm', site: 's', name: 'n', exp: Math.floor(Date.now() / 1000) + 60 };
    const token = signToken(oldKeys, claims);
    expect(verifyToken(rotated, token)).toEqual(claims);
    expect(signToken(rotated, claims).split('.')[1]).toBe('new');
    expect(verifyToken(rotated, signToken(rotated, { ...claims, exp: 1 }))).toBeNull();
  });
});

describe('rate limits', () => {
  let s: TestServer;
  let poster: string;
  beforeAll(async () => {
    s = await startTestServer({
      rateLimits: {
        sessionsPerIp: 3,
        writesPerIp: 1000,
        writesPerMember: 1000,
        writesPerStaff: 1000,
        postsPerMember: 2,
        windowMs: 60_000,
      },
    });
    poster = (await s.session('Poster')).token;
  });
  afterAll(async () => {
    await s.close();
  });

  it('limits session creation per IP with 429 + Retry-After + RateLimit headers', async () => {
    for (let i = 1; i < 3; i++) {
      const ok = await s.api('/v1/sites/acme/sessions', {
        method: 'POST',
        json: { displayName: `G${i}` },
      });
      expect(ok.status).toBe(201);
      expect(ok.headers.get('ratelimit-remaining')).toBe(String(2 - i));
    }
    const members = s.count('members');
    const res = await s.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: 'Too many' },
    });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(res.headers.get('ratelimit-limit')).toBe('3');
    expect(res.headers.get('ratelimit-remaining')).toBe('0');
    expect(Number(res.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    const problem = await res.json();
    expect(problem).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(problem.retryAfter).toBeGreaterThan(0);
    expect(s.count('members')).toBe(members);
  });

  it('limits posts per member', async () => {
    const post = (key: string) =>
      s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
        method: 'POST',
        token: poster,
        json: { kind: 'answer', body: key },
        headers: { 'idempotency-key': key },
      });
    expect((await post('p1')).status).toBe(201);
    expect((await post('p2')).status).toBe(201);
    const posts = s.count('posts');
    const limited = await post('p3');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeTruthy();
    expect(s.count('posts')).toBe(posts);
  });
});
