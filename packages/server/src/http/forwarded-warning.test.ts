/**
 * Issue 16, item 10: a server that trusts no proxy but receives forwarded headers says so in its
 * log, once (cached reads, answered before the router, included); a server told which proxy to
 * trust does not.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../testing/harness.js';
import { FORWARDED_WARNING } from './forwarded-warning.js';

let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  s = null;
});

const forwarded = (server: TestServer, headers: Record<string, string>) =>
  server.api('/v1/sites/acme/status', { headers });

const warnings = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.filter((call) => call.includes(FORWARDED_WARNING));

describe('forwarded headers without a trusted proxy', () => {
  it('are warned about once, at the first such request', async () => {
    s = await startTestServer({ trustProxy: false });
    const warn = vi.spyOn(s.app.log, 'warn');
    expect((await forwarded(s, {})).status).toBe(200);
    expect(warnings(warn)).toHaveLength(0);
    expect((await forwarded(s, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect((await forwarded(s, { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200);
    expect((await forwarded(s, { forwarded: 'for=192.0.2.60' })).status).toBe(200);
    expect(warnings(warn)).toHaveLength(1);
    expect(warn.mock.calls[0]![0]).toMatchObject({ proxy: '127.0.0.1' });
  });

  it('are not warned about when a proxy is trusted', async () => {
    s = await startTestServer({ trustProxy: ['loopback'] });
    const warn = vi.spyOn(s.app.log, 'warn');
    expect((await forwarded(s, { 'x-forwarded-for': '203.0.113.7' })).status).toBe(200);
    expect(warnings(warn)).toHaveLength(0);
  });
});
