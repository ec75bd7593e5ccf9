/** Write limits through the real server: per IP, per member, per staff actor, and trusted proxies. */
import { afterEach, describe, expect, it } from 'vitest';
import { signToken } from '../auth/tokens.js';
import { DEFAULT_RATE_LIMITS, loadConfig, type RateLimitConfig } from '../config.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'admin-key-0123456789abcdef-xyz';
let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

const start = (limits: Partial<RateLimitConfig>, trustProxy: false | string[] = false) =>
  startTestServer({
    adminKey: ADMIN_KEY,
    trustProxy,
    rateLimits: { ...DEFAULT_RATE_LIMITS, ...limits },
  });

async function staffToken(server: TestServer): Promise<string> {
  const { store, keys } = server.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const member = await store.createMember({
    siteId: site.id,
    kind: 'staff',
    displayName: 'Sam (staff)',
    role: 'staff',
  });
  return signToken(keys, {
    sub: member.id,
    site: site.id,
    name: member.displayName,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
}

describe('write limits', () => {
  it('refuses the write over the per-IP limit with 429, Retry-After and RateLimit headers', async () => {
    s = await start({ writesPerIp: 3, sessionsPerIp: 100 });
    const first = await s.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: 'A' },
    });
    expect(first.status).toBe(201);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);
    const token = ((await first.json()) as { token: string }).token;
    // Any write route counts: affected and reactions too.
    const affected = `/v1/sites/acme/incidents/${enc(s.incident)}/affected`;
    expect((await s.api(affected, { method: 'PUT', token })).status).toBe(200);
    expect((await s.api(affected, { method: 'DELETE', token })).status).toBe(200);
    const over = await s.api(affected, { method: 'PUT', token });
    expect(over.status).toBe(429);
    expect(over.headers.get('content-type')).toContain('application/problem+json');
    const problem = await over.json();
    expect(problem).toMatchObject({ status: 429, code: 'rate_limited' });
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(problem.retryAfter).toBe(Number(over.headers.get('retry-after')));
    expect(over.headers.get('ratelimit-remaining')).toBe('0');
    // Reads are never limited by the write limits.
    expect((await s.api('/v1/sites/acme/status')).status).toBe(200);
    // And nothing was stored by the refused write.
    expect(s.count('affected')).toBe(0);
  });

  it('limits each member on its own, and reports the tightest limit in the headers', async () => {
    s = await start({ writesPerIp: 100, writesPerMember: 2 });
    const a = await s.session('A');
    const b = await s.session('B');
    const affected = `/v1/sites/acme/incidents/${enc(s.incident)}/affected`;
    const ok = await s.api(affected, { method: 'PUT', token: a.token });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('ratelimit-limit')).toBe('2');
    expect(ok.headers.get('ratelimit-remaining')).toBe('1');
    expect((await s.api(affected, { method: 'DELETE', token: a.token })).status).toBe(200);
    const over = await s.api(affected, { method: 'PUT', token: a.token });
    expect(over.status).toBe(429);
    expect((await over.json()).code).toBe('rate_limited');
    // Same IP, another member: still allowed.
    expect((await s.api(affected, { method: 'PUT', token: b.token })).status).toBe(200);
  });

  it('gives staff and the admin key their own generous limit, not the per-IP one', async () => {
    s = await start({ writesPerIp: 1, writesPerStaff: 4 });
    const staff = await staffToken(s);
    const path = `/v1/sites/acme/incidents/${enc(s.incident)}/affected`;
    for (let i = 0; i < 4; i++)
      expect((await s.api(path, { method: i % 2 ? 'DELETE' : 'PUT', token: staff })).status).toBe(
        200,
      );
    expect((await s.api(path, { method: 'PUT', token: staff })).status).toBe(429);
    // The admin key is another staff actor with its own window.
    const create = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      token: ADMIN_KEY,
      json: { title: 'Login slow', impact: 'minor', body: 'Looking.' },
    });
    expect(create.status).toBe(201);
    expect(create.headers.get('ratelimit-limit')).toBe('4');
  });

  it('does not let a forged or other-site token escape the per-IP limit', async () => {
    s = await start({ writesPerIp: 2, sessionsPerIp: 100 });
    const other = await s.session('Elsewhere', 'other'); // write 1 of this IP (any site)
    const path = `/v1/sites/acme/incidents/${enc(s.incident)}/affected`;
    expect((await s.api(path, { method: 'PUT', token: other.token })).status).toBe(401); // write 2
    expect((await s.api(path, { method: 'PUT', token: 'v1.x.y.z' })).status).toBe(429);
  });
});

describe('admin API', () => {
  it('counts requests without the admin key per IP, so the key cannot be guessed at speed', async () => {
    s = await start({ writesPerIp: 2 });
    const guess = () => s!.api('/v1/admin/sites', { token: 'guess-0123456789abcdefghijkl' });
    expect((await guess()).status).toBe(403);
    expect((await guess()).status).toBe(403);
    const over = await guess();
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).not.toBeNull();
    // The admin key itself is not slowed by the guesses from the same address.
    expect((await s.api('/v1/admin/sites', { token: ADMIN_KEY })).status).toBe(200);
  });
});

describe('trusted proxies (LIFEBOAT_TRUST_PROXY)', () => {
  const session = (server: TestServer, forwardedFor: string) =>
    server.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: 'Guest' },
      headers: { 'x-forwarded-for': forwardedFor },
    });

  it('ignores X-Forwarded-For from a peer that is not a trusted proxy', async () => {
    s = await start({ sessionsPerIp: 2 });
    expect((await session(s, '203.0.113.1')).status).toBe(201);
    expect((await session(s, '203.0.113.2')).status).toBe(201);
    // A new forwarded address does not buy a new window: the key is the peer, 127.0.0.1.
    const over = await session(s, '203.0.113.3');
    expect(over.status).toBe(429);
    expect((await over.json()).code).toBe('rate_limited');
  });

  it('keys the limits by the forwarded client address behind a trusted proxy', async () => {
    s = await start({ sessionsPerIp: 2 }, ['127.0.0.1']);
    expect((await session(s, '203.0.113.1')).status).toBe(201);
    expect((await session(s, '203.0.113.1')).status).toBe(201);
    expect((await session(s, '203.0.113.1')).status).toBe(429);
    // Another client behind the same proxy has its own window.
    expect((await session(s, '203.0.113.2')).status).toBe(201);
    // The proxy appends the peer it saw: the rightmost untrusted address is the client.
    expect((await session(s, '198.51.100.7, 203.0.113.1')).status).toBe(429);
  });

  it('counts an IPv6 client by its /64: new addresses in the same network buy no new window', async () => {
    s = await start({ sessionsPerIp: 2 }, ['127.0.0.1']);
    expect((await session(s, '2001:db8:1:2::1')).status).toBe(201);
    expect((await session(s, '2001:db8:1:2:ffff::9')).status).toBe(201);
    expect((await session(s, '2001:db8:1:2:dead:beef:0:1')).status).toBe(429);
    // Another /64 is another client.
    expect((await session(s, '2001:db8:1:3::1')).status).toBe(201);
    // IPv4-mapped IPv6 counts as the IPv4 address.
    expect((await session(s, '203.0.113.9')).status).toBe(201);
    expect((await session(s, '::ffff:203.0.113.9')).status).toBe(201);
    expect((await session(s, '203.0.113.9')).status).toBe(429);
  });
});

describe('LIFEBOAT_TRUST_PROXY parsing', () => {
  it('is off by default and takes addresses, CIDRs and the named ranges', () => {
    expect(loadConfig({ env: {} }).trustProxy).toBe(false);
    expect(loadConfig({ env: { LIFEBOAT_TRUST_PROXY: 'off' } }).trustProxy).toBe(false);
    expect(
      loadConfig({ env: { LIFEBOAT_TRUST_PROXY: '10.0.0.1, 172.16.0.0/12, ::1, loopback' } })
        .trustProxy,
    ).toEqual(['10.0.0.1', '172.16.0.0/12', '::1', 'loopback']);
  });

  it('refuses "trust everyone" and anything that is not an address', () => {
    expect(() => loadConfig({ env: { LIFEBOAT_TRUST_PROXY: 'true' } })).toThrow(
      /must list the proxy addresses/,
    );
    expect(() => loadConfig({ env: { LIFEBOAT_TRUST_PROXY: 'proxy.internal' } })).toThrow(
      /"proxy.internal" is not an IP address/,
    );
    expect(() => loadConfig({ argv: ['--trust-proxy', '10.0.0.0/33'] })).toThrow(
      /--trust-proxy: "10.0.0.0\/33"/,
    );
  });
});
