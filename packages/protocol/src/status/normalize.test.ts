import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeStatusDocument, StatusSourceError, type NormalizedStatus } from '../index.js';
import { htmlToText, toIsoUtc } from './text.js';

const dir = new URL('../../test/fixtures/statuspage/', import.meta.url);
const load = (name: string): unknown => JSON.parse(fs.readFileSync(new URL(name, dir), 'utf8'));
const read = (name: string, url?: string): NormalizedStatus =>
  normalizeStatusDocument(load(name), {
    now: new Date('2026-01-01T00:00:00Z'),
    ...(url ? { url } : {}),
  });
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Every timestamp of a normalized document is ISO UTC. */
function expectUtc(s: NormalizedStatus) {
  for (const i of s.incidents) {
    for (const t of [i.startedAt, i.updatedAt, i.resolvedAt, ...i.updates.map((u) => u.createdAt)])
      if (t !== null) expect(t).toMatch(ISO_UTC);
  }
  for (const m of s.maintenances)
    for (const t of [m.scheduledFor, m.scheduledUntil, ...m.updates.map((u) => u.createdAt)])
      if (t !== null) expect(t).toMatch(ISO_UTC);
}

/** One check per fixture file; the last test fails when a file has none. */
const checks: Record<string, () => void> = {
  'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json':
    () => {
      const s = read(
        'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
      );
      expect(s.source).toBe('statuspage');
      expect(s.document).toBe('summary');
      expect(s.page).toEqual({
        id: 'kctbh9vrtdwd',
        name: 'GitHub',
        url: 'https://www.githubstatus.com',
      });
      // indicator says minor; the open incident is major and Packages is partial_outage → major.
      expect(s.severity).toBe('major');
      expect(s.description).toBe('Partial outage');
      expect(s.components.find((c) => c.id === 'st3j38cctv9l')).toMatchObject({
        name: 'Packages',
        status: 'partial_outage',
        group: null,
      });
      expect(s.incidents).toHaveLength(1);
      const [inc] = s.incidents;
      expect(inc).toMatchObject({
        id: 'statuspage:kctbh9vrtdwd:ljwdk6qml8z8',
        title: 'Incident with Packages and Pages',
        phase: 'investigating',
        impact: 'major',
        components: ['st3j38cctv9l', 'vg70hn9s2tyj'],
        startedAt: '2022-11-25T14:39:09.542Z',
        resolvedAt: null,
        updatedAt: '2022-11-25T15:50:04.967Z',
      });
      expect(inc!.updates).toHaveLength(7);
      const times = inc!.updates.map((u) => u.createdAt);
      expect(times).toEqual([...times].sort().reverse());
      expect(s.maintenances).toEqual([]);
      expectUtc(s);
    },
  'statuspage-summary-githubstatus-all-operational-2019-12-rapid7-github-status-checker.json':
    () => {
      const s = read(
        'statuspage-summary-githubstatus-all-operational-2019-12-rapid7-github-status-checker.json',
      );
      expect(s.severity).toBe('operational');
      expect(s.description).toBe('All Systems Operational');
      expect(s.components).toHaveLength(9);
      expect(s.components.every((c) => c.status === 'operational' && c.group === null)).toBe(true);
      expect(s.incidents).toEqual([]);
      expect(s.maintenances).toEqual([]);
    },
  'statuspage-summary-official-docs-example-critical-amureki-statuscheck.json': () => {
    const s = read('statuspage-summary-official-docs-example-critical-amureki-statuscheck.json');
    // indicator major, but the open incident is critical and a component is major_outage.
    expect(s.severity).toBe('critical');
    expect(s.description).toBe('Major outage');
    const [inc] = s.incidents;
    expect(inc).toMatchObject({
      id: 'statuspage:kctbh9vrtdwd:cp306tmzcl0y',
      phase: 'identified',
      impact: 'critical',
      // no started_at in this older document: created_at, offset -06:00 normalized to UTC
      startedAt: '2014-05-14T20:22:39.441Z',
      updatedAt: '2014-05-14T20:22:40.301Z',
      shortlink: 'http://stspg.co:5000/Q0E',
      components: [],
    });
    expect(s.maintenances.map((m) => [m.id, m.status, m.scheduledFor, m.scheduledUntil])).toEqual([
      [
        'statuspage:kctbh9vrtdwd:w1zdr745wmfy',
        'scheduled',
        '2014-05-18T04:00:00.000Z',
        '2014-05-18T05:30:00.000Z',
      ],
      [
        'statuspage:kctbh9vrtdwd:k7mf5z1gz05c',
        'in_progress',
        '2014-05-14T20:30:00.000Z',
        '2014-05-14T22:30:00.000Z',
      ],
    ]);
    expect(s.maintenances[1]!.updates[0]!.status).toBe('in_progress');
    expectUtc(s);
  },
  'statuspage-summary-illposed-scheduled-maintenance-renku-ui.json': () => {
    const s = read('statuspage-summary-illposed-scheduled-maintenance-renku-ui.json');
    // An upcoming maintenance does not raise the severity.
    expect(s.severity).toBe('operational');
    expect(s.maintenances).toHaveLength(1);
    const [m] = s.maintenances;
    expect(m).toMatchObject({
      id: 'statuspage:q1n7m8bwwlxt:gtny7hgjy2qx',
      title: 'Please shut down any sessions',
      status: 'scheduled',
      scheduledFor: '2021-11-01T08:30:00.000Z',
      scheduledUntil: '2021-11-01T10:30:00.000Z',
      components: ['5wl5x0fggfqv'],
    });
    expect(m!.updates[0]!.body).toBe('Shut down your sessions');
    // KG names a group that is not in the document: no group rather than a bare id.
    expect(s.components.find((c) => c.id === 'y0j1kqyxj1w2')!.group).toBeNull();
  },
  'statuspage-incidents-githubstatus-2024-09-trimmed-slok-stactus.json': () => {
    const s = read('statuspage-incidents-githubstatus-2024-09-trimmed-slok-stactus.json');
    expect(s.document).toBe('incidents');
    expect(s.incidents).toHaveLength(2);
    expect(s.incidents.every((i) => i.phase === 'resolved' && i.resolvedAt !== null)).toBe(true);
    // resolved incidents do not count towards the severity
    expect(s.severity).toBe('operational');
    const first = s.incidents.find((i) => i.id === 'statuspage:kctbh9vrtdwd:69sb0f8lydp4')!;
    expect(first.components.sort()).toEqual(['br0l2tvcx85d', 'vg70hn9s2tyj']);
    const bodies = s.incidents.flatMap((i) => i.updates.map((u) => u.body));
    expect(bodies.some((b) => /<br/i.test(b))).toBe(false);
    expect(bodies).toContain(
      'We are seeing up to 2% of Git SSH connections failing.\n\nWe have taken suspected problematic hosts out of rotation and are monitoring for recovery and continuing to investigate.',
    );
  },
  'statuspage-components-githubstatus-2024-09-trimmed-slok-stactus.json': () => {
    const s = read('statuspage-components-githubstatus-2024-09-trimmed-slok-stactus.json');
    expect(s.document).toBe('components');
    expect(s.components.map((c) => c.name)).toEqual(['Git Operations', 'Webhooks']);
    expect(s.severity).toBe('operational');
    expect(s.incidents).toEqual([]);
  },
  'statuspage-status-githubstatus-2023-09-sprak3000-go-whatsup-client.json': () => {
    const s = read('statuspage-status-githubstatus-2023-09-sprak3000-go-whatsup-client.json');
    expect(s.document).toBe('status');
    expect(s.severity).toBe('operational');
    expect(s.description).toBe('All Systems Operational');
    expect(s.components).toEqual([]);
  },
  'lifeboat-summary-groups-offsets-html.json': () => {
    const s = read('lifeboat-summary-groups-offsets-html.json');
    // indicator "none" is contradicted by a partial outage and an open incident
    expect(s.severity).toBe('major');
    expect(s.description).toBe('Partial outage');
    expect(s.components.map((c) => [c.id, c.group])).toEqual([
      ['eu-api', 'Europe'],
      ['eu-cdn', 'Europe'],
      ['dash', null],
      ['orphan', null],
    ]);
    const inc = s.incidents.find((i) => i.id === 'statuspage:lbtest00001:inc42')!;
    expect(inc.startedAt).toBe('2024-06-01T14:00:00.000Z');
    // display_at wins over created_at; newest first regardless of document order
    expect(inc.updates.map((u) => [u.id, u.createdAt])).toEqual([
      ['u3', '2024-06-01T15:30:00.000Z'],
      ['u2', '2024-06-01T14:45:00.000Z'],
      ['u1', '2024-06-01T14:00:05.000Z'],
    ]);
    expect(inc.updatedAt).toBe('2024-06-01T15:30:00.000Z');
    expect(inc.updates[0]!.body).toBe(
      'A fix is live.\n\n• Retry failed calls\n• Use eu2 & wait\n\n<not a tag>',
    );
    expect(inc.updates[1]!.body).toBe('Cause found: a bad config.\n\nRolling back.');
    expect(inc.updates[2]!.body).toBe("We're looking into elevated errors.\nMore soon.");
    const old = s.incidents.find((i) => i.id === 'statuspage:lbtest00001:inc41')!;
    expect(old).toMatchObject({ phase: 'resolved', resolvedAt: '2024-05-30T07:00:00.000Z' });
    const [m] = s.maintenances;
    expect(m).toMatchObject({
      status: 'in_progress',
      scheduledFor: '2024-06-01T13:00:00.000Z',
      components: ['dash'],
    });
    expect(m!.updates.map((u) => u.id)).toEqual(['m2', 'm1']);
    expectUtc(s);
  },
  'lifeboat-incident-single.json': () => {
    const s = read(
      'lifeboat-incident-single.json',
      'https://status.acme-edge.example/api/v2/incidents/inc42.json',
    );
    expect(s.document).toBe('incident');
    expect(s.page).toEqual({
      id: 'lbtest00001',
      name: 'lbtest00001',
      url: 'https://status.acme-edge.example',
    });
    expect(s.incidents[0]).toMatchObject({
      id: 'statuspage:lbtest00001:inc42',
      phase: 'resolved',
      resolvedAt: '2024-06-01T16:00:00.000Z',
      // no `components`: taken from the updates' affected_components
      components: ['eu-api'],
    });
  },
  'lifeboat-scheduled-maintenances-active.json': () => {
    const s = read('lifeboat-scheduled-maintenances-active.json');
    expect(s.document).toBe('maintenances');
    expect(s.maintenances[0]!.status).toBe('verifying');
    expect(s.severity).toBe('maintenance');
  },
  'instatus-summary-hasissues.json': () => {
    const s = read('instatus-summary-hasissues.json');
    expect(s.source).toBe('instatus');
    expect(s.severity).toBe('major');
    expect(s.page).toEqual({
      id: 'status.lorem.example',
      name: 'Lorem Cloud',
      url: 'https://status.lorem.example',
    });
    expect(s.incidents[0]).toMatchObject({
      id: 'instatus:status.lorem.example:clx1a2b3c0001',
      phase: 'identified',
      impact: 'major',
      startedAt: '2024-03-05T08:12:00.000Z',
      resolvedAt: null,
    });
    expect(s.maintenances[0]).toMatchObject({
      status: 'scheduled',
      scheduledFor: '2024-03-06T22:00:00.000Z',
      scheduledUntil: '2024-03-06T23:30:00.000Z',
    });
  },
  'instatus-summary-up-maintenance.json': () => {
    const s = read('instatus-summary-up-maintenance.json');
    expect(s.source).toBe('instatus');
    expect(s.severity).toBe('maintenance');
    expect(s.maintenances[0]!.status).toBe('in_progress');
  },
  'incidentio-widget-summary.json': () => {
    const s = read('incidentio-widget-summary.json');
    expect(s.source).toBe('incidentio');
    expect(s.severity).toBe('critical');
    expect(s.components).toEqual([
      { id: '01HQ9ZK3W4V5X6Y7Z8A9B0C1E1', name: 'Card API', status: 'major_outage', group: 'APIs' },
    ]);
    expect(s.incidents[0]).toMatchObject({
      id: 'incidentio:01HQ9ZK3W4V5X6Y7Z8A9B0C1D2:01HQ9ZK3W4V5X6Y7Z8A9B0C1F1',
      phase: 'identified',
      impact: 'critical',
      updatedAt: '2024-05-02T08:15:00.000Z',
      components: ['01HQ9ZK3W4V5X6Y7Z8A9B0C1E1'],
    });
    expect(s.incidents[0]!.updates[0]!.body).toBe(
      'We have identified a faulty deploy & are rolling it back.\nRetries are safe.',
    );
    expect(s.maintenances[0]).toMatchObject({
      status: 'scheduled',
      scheduledFor: '2024-05-10T01:00:00.000Z',
    });
  },
  'betterstack-index-vapi-operational-trimmed.json': () => {
    const s = read(
      'betterstack-index-vapi-operational-trimmed.json',
      'https://status.vapi.ai/index.json',
    );
    expect(s.source).toBe('betterstack');
    expect(s.document).toBe('summary');
    expect(s.page).toEqual({ id: '176132', name: 'Vapi', url: 'https://status.vapi.ai' });
    expect(s.severity).toBe('operational');
    // not_monitored is shown grey on the page, not as trouble
    expect(s.components.map((c) => [c.id, c.name, c.status])).toEqual([
      ['8331917', 'Vapi API', 'operational'],
      ['8552532', 'OpenAI', 'operational'],
      ['8552527', 'Anthropic', 'operational'],
    ]);
    expect(s.incidents).toEqual([]);
  },
  'betterstack-index-docs-example-downtime.json': () => {
    const s = read(
      'betterstack-index-docs-example-downtime.json',
      'https://status.example.com/index.json',
    );
    expect(s.severity).toBe('critical');
    expect(s.components.find((c) => c.id === '12345')!.status).toBe('major_outage');
    const open = s.incidents.find((i) => i.id === 'betterstack:165:12345')!;
    expect(open).toMatchObject({
      title: 'Status report title',
      phase: 'investigating',
      impact: 'critical',
      components: ['12345'],
      startedAt: '2021-12-08T15:05:24.000Z',
      resolvedAt: null,
      updatedAt: '2021-12-16T16:35:16.627Z',
    });
    expect(open.updates.map((u) => [u.id, u.body])).toEqual([
      ['123457', 'Second status update message'],
      ['123456', 'First status update message'],
    ]);
    // a report whose aggregate state is resolved is history
    const done = s.incidents.find((i) => i.id === 'betterstack:165:2')!;
    expect(done.phase).toBe('resolved');
    expect(done.resolvedAt).not.toBeNull();
    expectUtc(s);
  },
  'lifeboat-statusio-status-incident.json': () => {
    const s = read(
      'lifeboat-statusio-status-incident.json',
      'https://api.status.io/1.0/status/5a1b2c3d4e5f',
    );
    expect(s.source).toBe('statusio');
    expect(s.page.id).toBe('5a1b2c3d4e5f');
    expect(s.severity).toBe('major');
    // containers are the leaves, grouped by their component
    expect(s.components.map((c) => [c.id, c.name, c.group, c.status])).toEqual([
      ['5f0c1a:5f0c2a', 'US East', 'API', 'partial_outage'],
      ['5f0c1a:5f0c2b', 'EU West', 'API', 'operational'],
      ['5f0c1b:5f0c2c', 'Global', 'Website', 'operational'],
    ]);
    const [inc] = s.incidents;
    expect(inc).toMatchObject({
      id: 'statusio:5a1b2c3d4e5f:6a1b2c',
      phase: 'identified',
      impact: 'major',
      components: ['5f0c1a:5f0c2a'],
      startedAt: '2026-11-30T09:50:00.000Z',
      updatedAt: '2026-11-30T10:05:00.000Z',
    });
    expect(inc!.updates[0]!.body).toBe(
      'A faulty load balancer was identified & replaced.\nMonitoring.',
    );
    expect(s.maintenances[0]).toMatchObject({
      status: 'scheduled',
      scheduledFor: '2026-12-05T02:00:00.000Z',
      components: ['5f0c1b:5f0c2c'],
    });
  },
  'cachet-incidents-docs-example.json': () => {
    const s = read(
      'cachet-incidents-docs-example.json',
      'https://status.acme.example/api/v1/incidents',
    );
    expect(s.source).toBe('cachet');
    expect(s.document).toBe('incidents');
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]).toMatchObject({
      id: 'cachet:status.acme.example:2',
      title: 'Incident Name',
      phase: 'investigating',
      impact: 'minor',
      components: ['1'],
      // no offset in Cachet's times: read as UTC, whatever the machine's zone
      startedAt: '2015-08-01T12:00:00.000Z',
      shortlink: 'https://status.acme.example/incidents/2',
    });
    expect(s.incidents[0]!.updates[0]!.body).toBe('Incident Message');
    expect(s.severity).toBe('minor');
  },
  'cachet-components-bosch-iot-suite.json': () => {
    const s = read(
      'cachet-components-bosch-iot-suite.json',
      'https://status.bosch-iot-suite.com/api/v1/components',
    );
    expect(s.document).toBe('components');
    expect(s.components).toEqual([
      { id: '1', name: 'Bosch IoT Things (EU-1)', status: 'operational', group: null },
    ]);
    expect(s.severity).toBe('operational');
  },
  'uptimekuma-status-page-incident-kwikid.json': () => {
    const s = read(
      'uptimekuma-status-page-incident-kwikid.json',
      'https://status.kwikid.example/api/status-page/kwikid',
    );
    expect(s.source).toBe('uptimekuma');
    expect(s.document).toBe('summary');
    expect(s.page).toEqual({
      id: 'kwikid',
      name: 'KwikID Platform Status',
      url: 'https://status.kwikid.example/status/kwikid',
    });
    // monitors without heartbeats say nothing: the site's components are left alone
    expect(s.componentsListed).toBe(false);
    expect(s.incidents[0]).toMatchObject({
      id: 'uptimekuma:kwikid:42',
      title: 'VKYC Auditor view degraded',
      impact: 'major',
      startedAt: '2026-06-18T08:00:00.000Z',
      resolvedAt: null,
    });
    expect(s.incidents[0]!.updates[0]!.body).toBe('We are investigating.');
    expect(s.severity).toBe('major');
  },
  'uptimekuma-status-page-google-kumaone.json': () => {
    const s = read(
      'uptimekuma-status-page-google-kumaone.json',
      'https://uptime.homelab.example/api/status-page/google',
    );
    expect(s.page.name).toBe('Google Status');
    expect(s.incidents).toEqual([]);
    expect(s.severity).toBe('operational');
  },
  'uptimekuma-heartbeat-foxcode.json': () => {
    const s = read(
      'uptimekuma-heartbeat-foxcode.json',
      'https://status.rjj.cc/api/status-page/heartbeat/foxcode',
    );
    expect(s.document).toBe('components');
    expect(s.page.id).toBe('foxcode');
    expect(s.components).toEqual([
      { id: '2', name: 'Monitor 2', status: 'operational', group: null },
    ]);
  },
  'openstatus-public-status-docs-example.json': () => {
    const s = read(
      'openstatus-public-status-docs-example.json',
      'https://api.openstatus.dev/public/status/acme',
    );
    expect(s).toMatchObject({
      source: 'openstatus',
      document: 'status',
      page: { id: 'acme' },
      severity: 'operational',
      componentsListed: false,
    });
  },
  'upptime-summary-upptime-upptime-trimmed.json': () => {
    const s = read(
      'upptime-summary-upptime-upptime-trimmed.json',
      'https://raw.githubusercontent.com/upptime/upptime/master/history/summary.json',
    );
    expect(s.source).toBe('upptime');
    expect(s.document).toBe('components');
    expect(s.page.id).toBe('upptime.upptime');
    expect(s.components.map((c) => [c.id, c.status])).toEqual([
      ['google', 'operational'],
      ['wikipedia', 'operational'],
      ['hacker-news', 'operational'],
      ['test-broken-site', 'major_outage'],
    ]);
    expect(s.severity).toBe('critical');
  },
  'lifeboat-upptime-github-issues.json': () => {
    const s = read(
      'lifeboat-upptime-github-issues.json',
      'https://api.github.com/repos/http403/uptime_monitor/issues?labels=status&state=all',
    );
    expect(s.source).toBe('upptime');
    expect(s.document).toBe('incidents');
    expect(s.page.id).toBe('http403.uptime_monitor');
    expect(s.incidents.map((i) => [i.id, i.phase, i.impact, i.components])).toEqual([
      ['upptime:http403.uptime_monitor:118', 'investigating', 'major', ['manhuagui']],
      ['upptime:http403.uptime_monitor:117', 'resolved', 'major', ['manhuagui']],
    ]);
    expect(s.incidents[0]).toMatchObject({
      title: '🛑 Manhuagui is down',
      startedAt: '2023-05-15T03:12:41.000Z',
      shortlink: 'https://github.com/http403/uptime_monitor/issues/118',
    });
    expect(s.incidents[0]!.updates[0]!.body).toContain('was **down**:');
    expect(s.incidents[1]!.resolvedAt).toBe('2023-05-14T21:40:04.000Z');
    expect(s.severity).toBe('major');
  },
  'rootly-incidents-docs-example.json': () => {
    const s = read(
      'rootly-incidents-docs-example.json',
      'https://status.example.com/api/v1/incidents.json',
    );
    expect(s.document).toBe('incidents');
    // no page id: the host stands in
    expect(s.page).toEqual({
      id: 'status.example.com',
      name: 'Acme Status',
      url: 'https://status.example.com',
    });
    // no incident id, no update id: both derived, the incident is kept
    expect(s.incidents).toHaveLength(1);
    const [inc] = s.incidents;
    expect(inc!.id).toMatch(/^statuspage:status\.example\.com:u[0-9a-f]{16}$/);
    expect(inc).toMatchObject({
      title: 'API Degradation',
      phase: 'investigating',
      impact: 'minor',
      startedAt: '2026-03-19T10:30:00.000Z',
      shortlink: 'https://status.example.com/incidents/abc123',
    });
    expect(inc!.updates[0]!.body).toBe('We are investigating reports of elevated API latency.');
    // the same document read again gives the same ids (a repeated poll writes nothing)
    const again = read(
      'rootly-incidents-docs-example.json',
      'https://status.example.com/api/v1/incidents.json',
    );
    expect(again.incidents[0]!.id).toBe(inc!.id);
    expect(again.incidents[0]!.updates[0]!.id).toBe(inc!.updates[0]!.id);
  },
  'rootly-status-docs-example.json': () => {
    const s = read(
      'rootly-status-docs-example.json',
      'https://status.example.com/api/v1/status.json',
    );
    expect(s.severity).toBe('operational');
    expect(s.description).toBe('All Systems Operational');
    expect(s.incidents).toEqual([]);
  },
  'incidentio-widget-api-materialize-console.json': () => {
    const s = read(
      'incidentio-widget-api-materialize-console.json',
      'https://status.materialize.example/api/v1/summary',
    );
    expect(s.source).toBe('incidentio');
    expect(s.severity).toBe('major');
    expect(s.incidents[0]).toMatchObject({
      id: 'incidentio:status.materialize.example:fakeid',
      title: 'Inflammable means flammable',
      impact: 'major',
      updatedAt: '2023-12-12T00:00:00.000Z',
    });
    expect(s.maintenances[0]).toMatchObject({
      status: 'in_progress',
      scheduledFor: '2024-01-01T00:00:00.000Z',
      scheduledUntil: '2024-01-02T00:00:00.000Z',
    });
  },
  'incidentio-status-page-incidents-v2-docs-example.json': () => {
    const s = read('incidentio-status-page-incidents-v2-docs-example.json');
    expect(s.source).toBe('incidentio');
    expect(s.document).toBe('incidents');
    expect(s.page.id).toBe('01FCNDV6P870EA6S7TK1DSYDG0');
    expect(s.incidents[0]).toMatchObject({
      id: 'incidentio:01FCNDV6P870EA6S7TK1DSYDG0:01FCNDV6P870EA6S7TK1DSYDG0',
      title: 'Elevated API latency',
      phase: 'investigating',
      impact: 'minor',
      components: ['01GW7P4ES31Q6V1ZQH321T0GJN'],
      startedAt: '2021-08-17T13:28:57.801Z',
    });
    expect(s.incidents[0]!.updates.map((u) => [u.phase, u.body])).toEqual([
      ['investigating', 'abc123'],
    ]);
    expect(s.severity).toBe('minor');
  },
  'lifeboat-incidentio-widget-toplevel-incidents.json': () => {
    // Seen in the field: top-level `incidents`, `current_worst_impact`, `affected_components`.
    const s = read(
      'lifeboat-incidentio-widget-toplevel-incidents.json',
      'https://status.example.com/api/widget',
    );
    expect(s.source).toBe('incidentio');
    expect(s.severity).toBe('major');
    expect(s.components).toEqual([
      { id: '01HX0A', name: 'Payments API', status: 'partial_outage', group: 'APIs' },
    ]);
    expect(s.incidents).toHaveLength(1);
    expect(s.incidents[0]).toMatchObject({
      title: 'Payments failing for some cards',
      phase: 'identified',
      impact: 'major',
      components: ['01HX0A'],
      shortlink: 'https://status.example.com/incidents/01HX0B',
    });
    expect(s.incidents[0]!.updates[0]!.body).toBe('A bad deploy; rolling back.');
  },
  'lifeboat-instatus-summary-no-ids.json': () => {
    // Seen in the field: HASISSUES with active incidents that carry no id.
    const s = read('lifeboat-instatus-summary-no-ids.json');
    expect(s.incidents.map((i) => i.title)).toEqual(['Login errors', 'Slow dashboards']);
    const ids = s.incidents.map((i) => i.id);
    expect(new Set(ids).size).toBe(2);
    // from the URL when there is one, else from the name and start
    expect(ids[0]).toMatch(/^instatus:status\.lorem\.example:u[0-9a-f]{16}$/);
    expect(ids[1]).toMatch(/^instatus:status\.lorem\.example:n[0-9a-f]{16}$/);
    expect(s.severity).toBe('major');
    expect(s.maintenances[0]).toMatchObject({ status: 'in_progress', title: 'Database upgrade' });
  },
  'unknown-shape.json': () => {
    expect(() => read('unknown-shape.json')).toThrow(StatusSourceError);
    expect(() => read('unknown-shape.json')).toThrow(/Not a status document.*keys: ok, services/);
  },
  'unknown-shape-page-without-data.json': () => {
    expect(() => read('unknown-shape-page-without-data.json')).toThrow(StatusSourceError);
  },
};

describe('normalizeStatusDocument on every fixture', () => {
  for (const [name, check] of Object.entries(checks)) it(name, check);

  it('has a check for every fixture file', () => {
    const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));
    expect(files.filter((f) => !(f in checks))).toEqual([]);
  });
});

describe('normalizeStatusDocument on odd input', () => {
  it('throws a StatusSourceError for non-objects', () => {
    for (const bad of [null, 42, 'summary', [], [{ page: {} }]])
      expect(() => normalizeStatusDocument(bad)).toThrow(StatusSourceError);
  });

  it('treats a Statuspage-compatible document from an incident.io host as incident.io', () => {
    const s = normalizeStatusDocument(
      load('statuspage-status-githubstatus-2023-09-sprak3000-go-whatsup-client.json'),
      {
        url: 'https://acme.statuspage.incident.io/api/v2/status.json',
      },
    );
    expect(s.source).toBe('incidentio');
  });

  it('never reads an unknown component state as operational', () => {
    const s = normalizeStatusDocument({
      page: { id: 'p', name: 'P' },
      components: [{ id: 'c', name: 'C', status: 'on_fire' }],
    });
    expect(s.components[0]!.status).toBe('degraded_performance');
    expect(s.severity).toBe('minor');
  });

  it('does not read an Instatus page with an unknown status as operational', () => {
    const s = normalizeStatusDocument({
      page: { name: 'X', url: 'https://x.example', status: 'WEIRD' },
      activeIncidents: [],
    });
    expect(s.severity).not.toBe('operational');
  });

  it('survives missing and malformed fields', () => {
    const s = normalizeStatusDocument({
      page: { id: 'p' },
      incidents: [
        { id: 'a', incident_updates: [{ id: 'x', body: 5, created_at: 'not a date' }, null] },
        { name: 'no id' },
        'junk',
      ],
      components: [{ name: 'no id' }, { id: 'ok', status: 'operational' }],
    });
    // the incident without an id is kept (its id derived from its name), junk is dropped
    expect(s.incidents).toHaveLength(2);
    expect(s.incidents[0]).toMatchObject({
      title: 'Untitled incident',
      updates: [],
      impact: 'none',
    });
    expect(s.incidents[0]!.startedAt).toBe(s.incidents[0]!.updatedAt);
    expect(s.incidents[1]!.title).toBe('no id');
    expect(s.components).toEqual([{ id: 'ok', name: 'ok', status: 'operational', group: null }]);
  });
});

describe('text helpers', () => {
  it('decodes numeric entities and leaves unknown ones', () => {
    expect(htmlToText('caf&#233; &#x1F680; &bogus; &#0;')).toBe('café 🚀 &bogus; &#0;');
  });
  it('normalizes offsets to UTC and rejects junk', () => {
    expect(toIsoUtc('2024-01-01T00:00:00+05:30')).toBe('2023-12-31T18:30:00.000Z');
    expect(toIsoUtc('yesterday')).toBeNull();
    expect(toIsoUtc(17)).toBeNull();
  });
});
