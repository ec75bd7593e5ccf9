/** CORS is per site: the same origin may be allowed on one site and refused on another. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enc, startTestServer, TEST_ORIGIN, type TestServer } from '../testing/harness.js';

describe('CORS per site', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
    // `acme` allows TEST_ORIGIN; `locked-down` allows only its own page.
    await s.app.lifeboat.store.createSite({
      slug: 'locked-down',
      name: 'Locked down',
      origins: ['https://status.locked.test'],
    });
  });
  afterAll(async () => {
    await s.close();
  });

  const preflight = (site: string, origin: string, path = 'sessions') =>
    s.api(`/v1/sites/${site}/${path}`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    });

  it('answers a preflight only for the origins of the site in the URL', async () => {
    const allowed = await preflight('acme', TEST_ORIGIN);
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    expect(allowed.headers.get('access-control-allow-methods')).toContain('POST');

    const refused = await preflight('locked-down', TEST_ORIGIN);
    expect(refused.status).toBe(403);
    expect((await refused.json()).code).toBe('origin_not_allowed');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    expect(refused.headers.get('access-control-allow-methods')).toBeNull();

    const own = await preflight('locked-down', 'https://status.locked.test');
    expect(own.status).toBe(204);
    expect(own.headers.get('access-control-allow-origin')).toBe('https://status.locked.test');
  });

  it('answers a preflight of a deep route per site too, and 404 for an unknown site', async () => {
    const deep = `incidents/${enc(s.incident)}/posts`;
    expect((await preflight('acme', TEST_ORIGIN, deep)).status).toBe(204);
    expect((await preflight('locked-down', TEST_ORIGIN, deep)).status).toBe(403);
    const unknown = await preflight('nope', TEST_ORIGIN);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a write from an origin of another site, and stores nothing', async () => {
    const members = s.count('members');
    const res = await s.api('/v1/sites/locked-down/sessions', {
      method: 'POST',
      json: { displayName: 'Cross-site' },
      headers: { origin: TEST_ORIGIN },
    });
    expect(res.status).toBe(403);
    expect(s.count('members')).toBe(members);
  });

  it('varies every site response on Origin, even when none was sent', async () => {
    const res = await s.api('/v1/sites/acme/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('vary')).toMatch(/Origin/);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });
});
