/**
 * Every status source through the real stack: the real server polls a local HTTP server that
 * serves a real capture at the path the vendor serves it from, and the public status snapshot
 * (`GET /v1/sites/:site/status`) shows what the page said: its incident, its severity, its kind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { startTestServer, type TestServer } from '../testing/harness.js';

interface Snapshot {
  severity: string;
  components: Array<{ id: string; name: string; status: string }>;
  incidents: Array<{ id: string; title: string; impact: string; phase: string }>;
  source: { kind: string; error: string | null };
}

let s: TestServer;
const upstreams: FakeUpstream[] = [];
beforeAll(async () => {
  s = await startTestServer({ statusAllow: ['127.0.0.1'] });
});
afterAll(async () => {
  await s?.close();
  for (const u of upstreams) await u.close();
});

/** A site following a local upstream that serves `body` at `path`; its first poll applied. */
async function follow(slug: string, path: string, body: unknown) {
  const upstream = await startFakeUpstream(path);
  upstreams.push(upstream);
  upstream.serve({ body });
  const { store, statusPoller } = s.app.lifeboat;
  const site = await store.createSite({ slug, name: slug, origins: [] });
  await store.updateSite(site.id, { statusUrl: upstream.url });
  const outcome = await statusPoller.pollSite(site.id);
  expect(outcome.kind).toBe('applied');
  const snapshot = async () => (await (await s.api(`/v1/sites/${slug}/status`)).json()) as Snapshot;
  return { upstream, site, snapshot, poll: () => statusPoller.pollSite(site.id) };
}

describe('status sources through the real server', () => {
  it('Better Stack index.json: the open report is an incident, the resolved one is history', async () => {
    const { snapshot } = await follow(
      'src-betterstack',
      '/index.json',
      fixture('betterstack-index-docs-example-downtime.json'),
    );
    const status = await snapshot();
    expect(status.source).toMatchObject({ kind: 'betterstack', error: null });
    expect(status.severity).toBe('critical');
    expect(status.incidents.map((i) => i.title)).toEqual(['Status report title']);
    expect(status.components.map((c) => c.name)).toEqual(['API', 'Dashboard']);
  });

  it('Status.io: the active incident and the containers as components', async () => {
    const { snapshot } = await follow(
      'src-statusio',
      '/1.0/status/5a1b2c3d4e5f',
      fixture('lifeboat-statusio-status-incident.json'),
    );
    const status = await snapshot();
    expect(status.source.kind).toBe('statusio');
    expect(status.incidents).toMatchObject([
      {
        id: 'statusio:5a1b2c3d4e5f:6a1b2c',
        title: 'Elevated API errors in US East',
        impact: 'major',
      },
    ]);
    expect(status.components.find((c) => c.name === 'US East')?.status).toBe('partial_outage');
  });

  it('Cachet incidents: an open incident with its message', async () => {
    const { snapshot } = await follow(
      'src-cachet',
      '/api/v1/incidents',
      fixture('cachet-incidents-docs-example.json'),
    );
    const status = await snapshot();
    expect(status.source.kind).toBe('cachet');
    expect(status.incidents.map((i) => i.title)).toEqual(['Incident Name']);
  });

  it('Uptime Kuma: the pinned incident opens, unpinned it resolves; monitors are left alone', async () => {
    const page = fixture('uptimekuma-status-page-incident-kwikid.json');
    const { snapshot, upstream, poll, site } = await follow(
      'src-kuma',
      '/api/status-page/kwikid',
      page,
    );
    let status = await snapshot();
    expect(status.source.kind).toBe('uptimekuma');
    expect(status.severity).toBe('major');
    expect(status.incidents).toMatchObject([
      { id: 'uptimekuma:kwikid:42', title: 'VKYC Auditor view degraded', impact: 'major' },
    ]);
    // The page took the incident down: it is resolved at the next poll.
    upstream.serve({ body: { ...page, incident: null } });
    expect((await poll()).kind).toBe('applied');
    status = await snapshot();
    expect(status.incidents).toEqual([]);
    const row = await s.app.lifeboat.store.getIncident(site.id, 'uptimekuma:kwikid:42');
    expect(row?.resolvedAt).not.toBeNull();
  });

  it('Uptime Kuma heartbeats: each monitor is a component with its latest state', async () => {
    const { snapshot } = await follow(
      'src-kuma-beats',
      '/api/status-page/heartbeat/foxcode',
      fixture('uptimekuma-heartbeat-foxcode.json'),
    );
    const status = await snapshot();
    expect(status.components).toMatchObject([
      { id: '2', name: 'Monitor 2', status: 'operational' },
    ]);
  });

  it('Upptime summary.json: a site that is down is a major outage', async () => {
    const { snapshot } = await follow(
      'src-upptime',
      '/upptime/upptime/master/history/summary.json',
      fixture('upptime-summary-upptime-upptime-trimmed.json'),
    );
    const status = await snapshot();
    expect(status.source.kind).toBe('upptime');
    expect(status.severity).toBe('critical');
    expect(status.components.find((c) => c.id === 'test-broken-site')?.status).toBe('major_outage');
  });

  it('Upptime issues: the open "is down" issue is an incident on its site', async () => {
    const { snapshot } = await follow(
      'src-upptime-issues',
      '/repos/http403/uptime_monitor/issues',
      fixture('lifeboat-upptime-github-issues.json'),
    );
    const status = await snapshot();
    expect(status.source.kind).toBe('upptime');
    expect(status.incidents).toMatchObject([{ title: '🛑 Manhuagui is down', impact: 'major' }]);
    // the closed one is history; the open one is known by its issue number
    expect(status.incidents[0]!.id).toMatch(/^upptime:.+:118$/);
  });

  it('OpenStatus badge: the page-wide state', async () => {
    const { snapshot } = await follow('src-openstatus', '/public/status/acme', {
      status: 'degraded_performance',
    });
    const status = await snapshot();
    expect(status.source.kind).toBe('openstatus');
    expect(status.severity).toBe('minor');
  });

  it('Rootly (Statuspage-compatible, no ids): the incident is kept and a repeat poll writes nothing', async () => {
    const { snapshot, poll } = await follow(
      'src-rootly',
      '/api/v1/incidents.json',
      fixture('rootly-incidents-docs-example.json'),
    );
    const first = await snapshot();
    expect(first.source.kind).toBe('statuspage');
    expect(first.incidents.map((i) => i.title)).toEqual(['API Degradation']);
    const outcome = await poll();
    expect(outcome).toMatchObject({ kind: 'applied', seqs: [] });
    expect((await snapshot()).incidents.map((i) => i.id)).toEqual(first.incidents.map((i) => i.id));
  });

  it('incident.io widget with top-level incidents, current_worst_impact and affected_components', async () => {
    const { snapshot } = await follow(
      'src-incidentio-widget',
      '/api/widget',
      fixture('lifeboat-incidentio-widget-toplevel-incidents.json'),
    );
    const status = await snapshot();
    expect(status.source).toMatchObject({ kind: 'incidentio', error: null });
    expect(status.incidents.map((i) => i.title)).toEqual(['Payments failing for some cards']);
    expect(status.severity).toBe('major');
  });

  it('Instatus summary.json whose active incidents have no id: both incidents show', async () => {
    const { snapshot } = await follow(
      'src-instatus-noid',
      '/summary.json',
      fixture('lifeboat-instatus-summary-no-ids.json'),
    );
    const status = await snapshot();
    expect(status.incidents.map((i) => i.title).sort()).toEqual([
      'Login errors',
      'Slow dashboards',
    ]);
  });
});
