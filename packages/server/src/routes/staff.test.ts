/**
 * The staff incident API and the admin site API over real HTTP with a real SQLite file:
 * 401 without credentials, 403 for a guest, success with the admin key or a staff session,
 * 400 problems with field errors that store nothing, events for every change.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, SiteStatus } from '@lifeboat/protocol';
import { fixture, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'admin-key-0123456789abcdefghij';
let s: TestServer;
let guest: string;
let staff: string;
let upstream: FakeUpstream;

const admin = { authorization: `Bearer ${ADMIN_KEY}` };
const incidents = () => s.count('incidents');

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY, pollIntervalMs: 200 });
  guest = (await s.session('Guest')).token;
  staff = await s.staffToken();
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await s.close();
  await upstream.close();
});

describe('POST /v1/sites/:site/incidents', () => {
  const valid = {
    title: 'Checkout errors',
    impact: 'major',
    components: ['api'],
    body: 'We are investigating failed checkouts.',
  };

  it('needs credentials (401) and a staff role (403); stores nothing', async () => {
    const before = incidents();
    const none = await s.api('/v1/sites/acme/incidents', { method: 'POST', json: valid });
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await none.json()).code).toBe('unauthorized');
    const asGuest = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: valid,
      token: guest,
    });
    expect(asGuest.status).toBe(403);
    expect((await asGuest.json()).code).toBe('forbidden');
    const wrongKey = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: valid,
      token: 'not-the-admin-key-but-long-enough',
    });
    expect(wrongKey.status).toBe(401);
    expect(incidents()).toBe(before);
  });

  it('opens an incident with the admin key: its thread, update and event', async () => {
    const seq = s.count('events');
    const res = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: valid,
      headers: admin,
    });
    expect(res.status).toBe(201);
    const incident = (await res.json()) as Incident;
    expect(res.headers.get('location')).toBe(`/v1/sites/acme/incidents/${incident.id}`);
    expect(incident).toMatchObject({
      title: 'Checkout errors',
      phase: 'investigating',
      impact: 'major',
      components: ['api'],
      threadState: 'open',
      resolvedAt: null,
    });
    expect(incident.updates.map((u) => u.body)).toEqual(['We are investigating failed checkouts.']);
    expect(s.count('events', `type = 'incident.opened' AND incident_id = '${incident.id}'`)).toBe(
      1,
    );
    expect(s.count('events')).toBe(seq + 1);
    const status = (await (await s.api('/v1/sites/acme/status')).json()) as SiteStatus;
    expect(status.incidents.map((i) => i.id)).toContain(incident.id);
    expect(status.source).toEqual({
      kind: 'manual',
      url: null,
      lastSuccessAt: null,
      stale: false,
      error: null,
    });
    expect(status.maintenances).toEqual([]);
  });

  it('accepts a staff member session', async () => {
    const res = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: { ...valid, title: 'Staff-made' },
      token: staff,
    });
    expect(res.status).toBe(201);
  });

  it('answers bad input with 400 field errors and stores nothing', async () => {
    const before = [incidents(), s.count('events')];
    const res = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: { title: '', impact: 'apocalyptic', body: 'x', extra: 1 },
      headers: admin,
    });
    expect(res.status).toBe(400);
    const problem = await res.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['extra', 'impact', 'title'].sort(),
    );
    const unknown = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: { ...valid, components: ['api', 'nope'] },
      headers: admin,
    });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors).toEqual([
      { field: 'components', message: 'Unknown component "nope".' },
    ]);
    const resolvedAtBirth = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: { ...valid, phase: 'resolved' },
      headers: admin,
    });
    expect(resolvedAtBirth.status).toBe(400);
    const notJson = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      body: '{"title":',
      headers: { ...admin, 'content-type': 'application/json' },
    });
    expect(notJson.status).toBe(400);
    expect([incidents(), s.count('events')]).toEqual(before);
  });

  it('is 404 for an unknown site', async () => {
    const res = await s.api('/v1/sites/nope/incidents', {
      method: 'POST',
      json: valid,
      headers: admin,
    });
    expect(res.status).toBe(404);
  });
});

describe('PATCH /v1/sites/:site/incidents/:incident and …/resolve', () => {
  let id: string;
  beforeAll(async () => {
    const res = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      json: { title: 'Slow dashboard', impact: 'minor', body: 'Looking.' },
      headers: admin,
    });
    id = ((await res.json()) as Incident).id;
  });

  it('changes fields and adds an official update (incident.updated)', async () => {
    const res = await s.api(`/v1/sites/acme/incidents/${id}`, {
      method: 'PATCH',
      json: { phase: 'identified', impact: 'major', components: ['webhooks'], body: 'Found it.' },
      token: staff,
    });
    expect(res.status).toBe(200);
    const incident = (await res.json()) as Incident;
    expect(incident).toMatchObject({
      phase: 'identified',
      impact: 'major',
      components: ['webhooks'],
    });
    expect(incident.updates.map((u) => [u.phase, u.body])).toEqual([
      ['identified', 'Found it.'],
      ['investigating', 'Looking.'],
    ]);
    expect(s.count('events', `type = 'incident.updated' AND incident_id = '${id}'`)).toBe(1);
  });

  it('refuses an empty change, guests, unknown and upstream-owned incidents', async () => {
    const before = s.count('events');
    const empty = await s.api(`/v1/sites/acme/incidents/${id}`, {
      method: 'PATCH',
      json: {},
      headers: admin,
    });
    expect(empty.status).toBe(400);
    const asGuest = await s.api(`/v1/sites/acme/incidents/${id}`, {
      method: 'PATCH',
      json: { title: 'Hacked' },
      token: guest,
    });
    expect(asGuest.status).toBe(403);
    const unknown = await s.api('/v1/sites/acme/incidents/01JZZZZZZZZZZZZZZZZZZZZZZZ', {
      method: 'PATCH',
      json: { title: 'x' },
      headers: admin,
    });
    expect(unknown.status).toBe(404);
    const ingested = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`, {
      method: 'PATCH',
      json: { title: 'x' },
      headers: admin,
    });
    expect(ingested.status).toBe(409);
    expect(s.count('events')).toBe(before);
  });

  it('resolves once (incident.resolved), keeping the thread open for the grace period', async () => {
    const res = await s.api(`/v1/sites/acme/incidents/${id}/resolve`, {
      method: 'POST',
      headers: admin,
    });
    expect(res.status).toBe(200);
    const incident = (await res.json()) as Incident;
    expect(incident).toMatchObject({ phase: 'resolved', threadState: 'open' });
    expect(incident.resolvedAt).not.toBeNull();
    expect(incident.updates[0]!.body).toBe('This incident has been resolved.');
    expect(s.count('events', `type = 'incident.resolved' AND incident_id = '${id}'`)).toBe(1);
    const again = await s.api(`/v1/sites/acme/incidents/${id}/resolve`, {
      method: 'POST',
      json: { body: 'Really resolved.' },
      headers: admin,
    });
    expect(again.status).toBe(409);
    const status = (await (await s.api('/v1/sites/acme/status')).json()) as SiteStatus;
    expect(status.incidents.map((i) => i.id)).not.toContain(id);
  });
});

describe('/v1/admin/sites', () => {
  it('is admin-key only: 401 without, 403 for a guest or a staff session', async () => {
    const before = s.count('sites');
    const body = { slug: 'nokey', name: 'No key' };
    expect((await s.api('/v1/admin/sites', { method: 'POST', json: body })).status).toBe(401);
    expect(
      (await s.api('/v1/admin/sites', { method: 'POST', json: body, token: guest })).status,
    ).toBe(403);
    expect(
      (await s.api('/v1/admin/sites', { method: 'POST', json: body, token: staff })).status,
    ).toBe(403);
    expect((await s.api('/v1/admin/sites')).status).toBe(401);
    expect(s.count('sites')).toBe(before);
  });

  it('answers bad input with field errors and stores nothing', async () => {
    const before = s.count('sites');
    const res = await s.api('/v1/admin/sites', {
      method: 'POST',
      json: { slug: 'Bad Slug!', name: '', pollIntervalMs: 5 },
      headers: admin,
    });
    expect(res.status).toBe(400);
    expect((await res.json()).errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'name',
      'pollIntervalMs',
      'slug',
    ]);
    const semantic = await s.api('/v1/admin/sites', {
      method: 'POST',
      json: {
        slug: 'ok-slug',
        name: 'Fine',
        origins: ['not an origin'],
        statusUrl: 'ftp://x.example/s.json',
      },
      headers: admin,
    });
    expect(semantic.status).toBe(400);
    expect((await semantic.json()).errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'origins',
      'statusUrl',
    ]);
    const taken = await s.api('/v1/admin/sites', {
      method: 'POST',
      json: { slug: 'acme', name: 'Copy' },
      headers: admin,
    });
    expect(taken.status).toBe(409);
    expect(s.count('sites')).toBe(before);
  });

  it('creates a site that follows an upstream page, which the server starts polling', async () => {
    upstream.serve({
      body: fixture(
        'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
      ),
    });
    const res = await s.api('/v1/admin/sites', {
      method: 'POST',
      json: {
        slug: 'mirror',
        name: 'Mirror',
        origins: ['https://status.mirror.example/some/path', '*'],
        statusUrl: upstream.url,
      },
      headers: admin,
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({
      slug: 'mirror',
      origins: ['https://status.mirror.example', '*'],
      statusUrl: upstream.url,
      pollIntervalMs: null,
      source: { kind: 'statuspage', stale: true, lastSuccessAt: null },
    });
    await expect
      .poll(
        async () =>
          ((await (await s.api('/v1/sites/mirror/status')).json()) as SiteStatus).incidents.length,
        { timeout: 5000 },
      )
      .toBe(1);
    const status = (await (await s.api('/v1/sites/mirror/status')).json()) as SiteStatus;
    expect(status.severity).toBe('major');
    expect(status.source).toMatchObject({ url: upstream.url, stale: false, error: null });
    expect(status.maintenances).toEqual([]);

    // changed through PATCH: back to manual incidents, new interval
    const patched = await s.api('/v1/admin/sites/mirror', {
      method: 'PATCH',
      json: { statusUrl: null, pollIntervalMs: 60_000, name: 'Mirror (manual)' },
      headers: admin,
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({
      statusUrl: null,
      pollIntervalMs: 60_000,
      name: 'Mirror (manual)',
      source: { kind: 'manual', url: null, stale: false },
    });
    const list = await (await s.api('/v1/admin/sites', { headers: admin })).json();
    expect(list.sites.map((x: { slug: string }) => x.slug)).toEqual(
      expect.arrayContaining(['acme', 'mirror', 'other']),
    );
    const missing = await s.api('/v1/admin/sites/ghost', {
      method: 'PATCH',
      json: { name: 'x' },
      headers: admin,
    });
    expect(missing.status).toBe(404);
  });

  it('serves maintenances and the source kind in the status snapshot', async () => {
    upstream.serve({
      body: fixture('statuspage-summary-official-docs-example-critical-amureki-statuscheck.json'),
    });
    const res = await s.api('/v1/admin/sites', {
      method: 'POST',
      json: { slug: 'maint', name: 'Maintenance', statusUrl: upstream.url, pollIntervalMs: 60_000 },
      headers: admin,
    });
    expect(res.status).toBe(201);
    await expect
      .poll(
        async () =>
          ((await (await s.api('/v1/sites/maint/status')).json()) as SiteStatus).maintenances
            ?.length,
        { timeout: 5000 },
      )
      .toBe(2);
    const status = (await (await s.api('/v1/sites/maint/status')).json()) as SiteStatus;
    expect(status.severity).toBe('critical');
    expect(status.maintenances!.map((m) => m.status)).toEqual(['scheduled', 'in_progress']);
    expect(status.maintenances![1]!.scheduledFor).toBe('2014-05-14T20:30:00.000Z');
    expect(status.incidents[0]!.id).toBe('statuspage:kctbh9vrtdwd:cp306tmzcl0y');
    await s.api('/v1/admin/sites/maint', {
      method: 'PATCH',
      json: { statusUrl: null },
      headers: admin,
    });
  });

  it('documents the new routes in the OpenAPI', async () => {
    const doc = await (await s.api('/v1/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/admin/sites',
        '/v1/admin/sites/{site}',
        '/v1/sites/{site}/incidents/{incident}/resolve',
      ]),
    );
    expect(doc.paths['/v1/sites/{site}/incidents'].post.operationId).toBe('createIncident');
    expect(doc.paths['/v1/sites/{site}/incidents/{incident}'].patch.operationId).toBe(
      'updateIncident',
    );
    expect(doc.components.schemas.StatusSource).toBeDefined();
  });
});
