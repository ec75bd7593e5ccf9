/**
 * A status page whose texts hold a NUL character (a component name, an incident name, an update
 * body) is still applied: the incident reaches the status route. Found while fuzzing (issue 16).
 * The normalizers drop NUL (protocol `status/text.ts`): PostgreSQL text cannot hold one, and before
 * they did, every poll of such a page failed there and the site never showed the incident.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, fixture, type FakeUpstream } from '../testing/fake-upstream.js';
import { startTestServer, type TestServer } from '../testing/harness.js';

let upstream: FakeUpstream | null = null;
let s: TestServer | null = null;
afterEach(async () => {
  await s?.close();
  await upstream?.close();
});

describe('an upstream status page with NUL characters', () => {
  it('is applied: its incident reaches the status route', async () => {
    upstream = await startFakeUpstream();
    s = await startTestServer({ statusAllow: ['127.0.0.1'] });
    const doc = fixture(
      'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
    ) as {
      components: Array<{ name: string }>;
      incidents: Array<{ name: string; incident_updates: Array<{ body: string }> }>;
    };
    doc.components[0]!.name = 'Git\u0000 Operations';
    doc.incidents[0]!.name = 'Incident with\u0000 Packages';
    doc.incidents[0]!.incident_updates[0]!.body = 'Still\u0000 investigating.';
    upstream.serve({ body: doc });
    const { store, statusPoller } = s.app.lifeboat;
    const site = await store.createSite({ slug: 'nul-upstream', name: 'NUL', origins: [] });
    await store.updateSite(site.id, { statusUrl: upstream.url });
    const outcome = await statusPoller.pollSite(site.id);
    expect(outcome.kind).toBe('applied');
    const status = (await (await s.api('/v1/sites/nul-upstream/status')).json()) as {
      incidents: Array<{ title: string }>;
    };
    expect(status.incidents.map((i) => i.title)).toContain('Incident with Packages');
  });
});
