/**
 * The poller fetches only from public addresses unless an address is allowed (issue 16, item 8):
 * checked after DNS on the connection itself, and on every redirect; the public status route
 * shows a generic source error, the admin route the detail. Through the real server on either
 * engine, with a fake upstream on loopback.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteStatus } from '@lifeboat/protocol';
import { fixture, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { startTestServer, type TestServer } from '../testing/harness.js';
import { loadConfig } from '../config.js';
import { fetchUpstream } from './fetch-upstream.js';
import { isPublicAddress, parseAllowList, type Resolve } from './upstream-address.js';

const ADMIN_KEY = 'ssrf-admin-key-0123456789-abcdef';
const OPERATIONAL =
  'statuspage-summary-githubstatus-all-operational-2019-12-rapid7-github-status-checker.json';
const GENERIC = 'The status source could not be reached.';

describe('isPublicAddress', () => {
  it('refuses loopback, private, link-local, CGNAT, metadata, unspecified and reserved ranges', () => {
    for (const address of [
      '127.0.0.1',
      '127.8.9.10',
      '10.1.2.3',
      '172.16.0.1',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '100.127.255.254',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '198.18.0.1',
      '::',
      '::1',
      'fe80::1',
      'fe80::1%eth0',
      'fc00::1',
      'fd00:ec2::254',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '::ffff:a9fe:a9fe',
      '64:ff9b::a9fe:a9fe',
      '2002:c0a8:0101::1',
      'ff02::1',
      'not an address',
    ])
      expect(isPublicAddress(address), address).toBe(false);
  });

  it('accepts public addresses', () => {
    for (const address of [
      '1.1.1.1',
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
    ])
      expect(isPublicAddress(address), address).toBe(true);
  });

  it('the allow-list takes IPs, CIDRs and host names, and names a bad entry', () => {
    const policy = parseAllowList(['10.0.0.0/8', '::1', 'Status.Internal.']);
    expect(policy.refusal('x', '10.9.9.9')).toBeNull();
    expect(policy.refusal('x', '::1')).toBeNull();
    expect(policy.refusal('status.internal', '192.168.0.9')).toBeNull();
    expect(policy.refusal('x', '192.168.0.9')).toMatch(/not public/);
    expect(() => parseAllowList(['10.0.0.0/33'])).toThrow(/10\.0\.0\.0\/33/);
    expect(() => parseAllowList(['http://x'])).toThrow(/not an IP address/);
    expect(() => loadConfig({ env: { LIFEBOAT_STATUS_ALLOW: '10.0.0.1, 10.0.0.0/40' } })).toThrow(
      /LIFEBOAT_STATUS_ALLOW: "10\.0\.0\.0\/40" is not a valid CIDR/,
    );
    expect(
      loadConfig({ env: { LIFEBOAT_STATUS_ALLOW: '10.0.0.1, status.lan' } }).statusAllow,
    ).toEqual(['10.0.0.1', 'status.lan']);
  });
});

describe('fetchUpstream', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream();
    upstream.serve({ body: fixture(OPERATIONAL) });
  });
  afterAll(async () => {
    await upstream.close();
  });

  const options = { etag: null, lastModified: null, timeoutMs: 2000, maxBytes: 1 << 20 };
  const port = () => new URL(upstream.url).port;

  it('refuses a loopback address in the URL unless it is allowed', async () => {
    await expect(fetchUpstream(upstream.url, options)).rejects.toThrow(
      /127\.0\.0\.1 is not public/,
    );
    const allowed = { ...options, policy: parseAllowList(['127.0.0.1']) };
    expect(await fetchUpstream(upstream.url, allowed)).toMatchObject({ kind: 'ok' });
  });

  it('checks the address DNS gives, and connects to that very address', async () => {
    const seen: string[] = [];
    // A name that resolves to loopback (as a rebinding DNS would answer at connect time).
    const resolve: Resolve = async (host) => {
      seen.push(host);
      return [{ address: '127.0.0.1', family: 4 }];
    };
    const url = `http://status.example.test:${port()}/api/v2/summary.json`;
    await expect(fetchUpstream(url, { ...options, resolve })).rejects.toThrow(/not public/);
    expect(seen).toEqual(['status.example.test']);
    // Allowed: the connection goes to the address checked (the fake upstream answers).
    const policy = parseAllowList(['127.0.0.1']);
    expect(await fetchUpstream(url, { ...options, resolve, policy })).toMatchObject({ kind: 'ok' });
  });

  it('refuses a host name when any of its addresses is refused', async () => {
    const resolve: Resolve = async () => [
      { address: '93.184.215.14', family: 4 },
      { address: '10.0.0.7', family: 4 },
    ];
    await expect(
      fetchUpstream('http://mixed.example.test/summary.json', { ...options, resolve }),
    ).rejects.toThrow(/10\.0\.0\.7 is not public/);
  });

  it('checks every redirect: to metadata, another loopback address, or a non-http URL', async () => {
    const policy = parseAllowList(['127.0.0.1']);
    for (const [location, reason] of [
      ['http://169.254.169.254/latest/meta-data/', /169\.254\.169\.254 is not public/],
      ['http://[fd00:ec2::254]/latest/meta-data/', /fd00:ec2::254 is not public/],
      ['http://[::ffff:127.0.0.2]/x', /not public/],
      [`http://127.0.0.2:${port()}/api/v2/summary.json`, /127\.0\.0\.2 is not public/],
      ['file:///etc/passwd', /not http\(s\)/],
    ] as const) {
      upstream.serve({ status: 302, headers: { location } });
      await expect(fetchUpstream(upstream.url, { ...options, policy })).rejects.toThrow(reason);
    }
    upstream.serve({ body: fixture(OPERATIONAL) });
  });

  it('follows at most 5 redirects', async () => {
    const policy = parseAllowList(['127.0.0.1']);
    // A relative redirect to itself, forever.
    upstream.serve({ status: 307, headers: { location: '/api/v2/summary.json' } });
    const before = upstream.requests.length;
    await expect(fetchUpstream(upstream.url, { ...options, policy })).rejects.toThrow(
      /more than 5 times/,
    );
    expect(upstream.requests.length - before).toBe(6);
    // Two redirects then the document: fine.
    upstream.serve(
      { status: 301, headers: { location: '/api/v2/summary.json' } },
      { status: 302, headers: { location: upstream.url } },
      { body: fixture(OPERATIONAL) },
    );
    expect(await fetchUpstream(upstream.url, { ...options, policy })).toMatchObject({ kind: 'ok' });
  });
});

describe('through the server', () => {
  let s: TestServer;
  let upstream: FakeUpstream;
  let metadata: http.Server;
  let metadataHits = 0;

  beforeAll(async () => {
    // Nothing allowed: the server polls public addresses only.
    s = await startTestServer({ adminKey: ADMIN_KEY, statusAllow: [] });
    upstream = await startFakeUpstream();
    metadata = http.createServer((_req, res) => {
      metadataHits++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"secret":"aws-key"}');
    });
    await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    await s.close();
    await upstream.close();
    await new Promise((r) => metadata.close(r));
  });

  async function follow(url: string) {
    const res = await s.api('/v1/admin/sites/other', {
      method: 'PATCH',
      token: ADMIN_KEY,
      json: { statusUrl: url },
    });
    expect(res.status).toBe(200);
    const { store, statusPoller } = s.app.lifeboat;
    const site = (await store.getSiteBySlug('other'))!;
    // The change also schedules a poll, and one of the old URL may still be under way: poll
    // until the recorded state is this URL's.
    for (;;) {
      const outcome = await statusPoller.pollSite(site.id);
      if ((await store.getStatusSourceState(site.id))?.url === url) return outcome;
    }
  }

  it('refuses an internal address: the public route says only that the source failed', async () => {
    const address = metadata.address() as { port: number };
    const outcome = await follow(`http://127.0.0.1:${address.port}/latest/meta-data`);
    expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringMatching(/not public/) });
    expect(metadataHits).toBe(0);

    const status = (await (await s.api('/v1/sites/other/status')).json()) as SiteStatus;
    expect(status.source?.error).toBe(GENERIC);
    expect(JSON.stringify(status)).not.toMatch(/not public|aws-key/);
    // The admin sees the detail.
    const { sites } = await (await s.api('/v1/admin/sites', { token: ADMIN_KEY })).json();
    const other = sites.find((site: { slug: string }) => site.slug === 'other');
    expect(other.source.error).toMatch(/127\.0\.0\.1 is not public/);
  });

  it('a host name that resolves to loopback is refused after DNS', async () => {
    const outcome = await follow(
      `http://localhost:${new URL(upstream.url).port}/api/v2/summary.json`,
    );
    expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringMatching(/not public/) });
    expect(upstream.requests).toHaveLength(0);
  });

  it('any other failure shows the same generic text publicly', async () => {
    const restarted = await s.restart({ adminKey: ADMIN_KEY, statusAllow: ['127.0.0.1'] });
    s = restarted;
    upstream.serve({ status: 500, body: 'Internal error at db-7.corp.internal:5432' });
    const outcome = await follow(upstream.url);
    expect(outcome).toMatchObject({ kind: 'failed', error: expect.stringMatching(/HTTP 500/) });
    const status = (await (await s.api('/v1/sites/other/status')).json()) as SiteStatus;
    expect(status.source?.error).toBe(GENERIC);
    // Allowed and healthy: polled, no error.
    upstream.serve({ body: fixture(OPERATIONAL) });
    expect(await follow(upstream.url)).toMatchObject({ kind: 'applied' });
    const ok = (await (await s.api('/v1/sites/other/status')).json()) as SiteStatus;
    expect(ok.source?.error).toBeNull();
  });
});
