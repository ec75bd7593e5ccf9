/**
 * The status poller against a local fake upstream (real HTTP) and a real store: incidents
 * open, update and resolve with one event each, threads open and lock, 304s, failures keep the
 * last good copy, backoff grows with jitter, and nothing upstream can crash it.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { LifeboatEvent } from '@lifeboat/protocol';
import { MemorySharedState } from '../cluster/shared-state.js';
import { MemoryHub, type HubNotice } from '../realtime/hub.js';
import { buildSiteStatus } from '../services/status.js';
import type { SqlStore } from '../store/sql-store.js';
import type { SiteRecord } from '../store/store.js';
import { fixture, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { testData, type TestData } from '../testing/harness.js';
import { StatusPoller, type PollerTimers } from './poller.js';
import { PUBLIC_SOURCE_ERROR } from './source-info.js';
import { parseAllowList } from './upstream-address.js';

const OPERATIONAL =
  'statuspage-summary-githubstatus-all-operational-2019-12-rapid7-github-status-checker.json';
const ACTIVE =
  'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json';
const INCIDENT_ID = 'statuspage:kctbh9vrtdwd:ljwdk6qml8z8';
const INTERVAL = 1000;
const GRACE = 60_000;

type Json = Record<string, any>;

/** The active-incident summary with one more update, now "identified". */
function withUpdate(): Json {
  const doc = fixture(ACTIVE) as Json;
  const inc = doc['incidents'][0];
  inc.status = 'identified';
  inc.incident_updates.unshift({
    id: 'lbextra00001',
    status: 'identified',
    body: 'We found the cause: a <b>bad</b> deploy &amp; are rolling back.',
    created_at: '2022-11-25T16:05:00.000Z',
    display_at: '2022-11-25T16:05:00.000Z',
  });
  return doc;
}

/** The same incident, resolved. */
function resolved(): Json {
  const doc = withUpdate();
  const inc = doc['incidents'][0];
  inc.status = 'resolved';
  inc.resolved_at = '2022-11-25T16:30:00.000Z';
  inc.incident_updates.unshift({
    id: 'lbextra00002',
    status: 'resolved',
    body: 'This incident has been resolved.',
    created_at: '2022-11-25T16:30:00.000Z',
  });
  return doc;
}

/** Timers the test fires by hand. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: PollerTimers = {
    set: (fn, ms) => {
      pending.set(next, { fn, ms });
      return next++;
    },
    clear: (h) => void pending.delete(h as number),
  };
  return { timers, pending };
}

let data: TestData;
let store: SqlStore;
let hub: MemoryHub;
let notices: HubNotice[];
let upstream: FakeUpstream;
let site: SiteRecord;
let clock: number;
let poller: StatusPoller;
let unsubscribe: () => void;

async function events(type?: string): Promise<LifeboatEvent[]> {
  const rows = await store.driver.all<{ payload: string }>(
    'SELECT payload FROM events WHERE site_id = ? ORDER BY seq',
    site.id,
  );
  return rows
    .map((r) => JSON.parse(r.payload) as LifeboatEvent)
    .filter((e) => !type || e.type === type);
}

const makePoller = (extra: Partial<ConstructorParameters<typeof StatusPoller>[0]> = {}) =>
  new StatusPoller({
    store,
    hub,
    defaultIntervalMs: INTERVAL,
    lockGraceMs: GRACE,
    timeoutMs: 500,
    now: () => clock,
    random: () => 0.5,
    // The fake upstream listens on loopback, refused unless allowed.
    policy: parseAllowList(['127.0.0.1']),
    ...extra,
  });

beforeAll(async () => {
  upstream = await startFakeUpstream();
});
afterAll(async () => {
  await upstream.close();
});

beforeEach(async () => {
  data = testData();
  store = await data.open();
  hub = new MemoryHub();
  site = await store.createSite({ slug: 'gh', name: 'GitHub mirror', origins: [] });
  const outcome = await store.updateSite(site.id, { statusUrl: upstream.url });
  if (outcome.kind !== 'ok') throw new Error('site');
  site = outcome.site;
  notices = [];
  unsubscribe = hub.subscribe(site.id, (n) => notices.push(n));
  upstream.requests.length = 0;
  clock = Date.parse('2022-11-25T16:00:00.000Z');
  poller = makePoller();
});
afterEach(async () => {
  poller.stop();
  unsubscribe();
  await store.close();
  data.drop();
});

describe('status poller: an incident from start to locked thread', () => {
  it('opens, updates, resolves and locks with one event per change', async () => {
    upstream.serve(
      { body: fixture(OPERATIONAL), headers: { etag: '"v1"' } },
      {
        body: fixture(ACTIVE),
        headers: { etag: '"v2"', 'last-modified': 'Fri, 25 Nov 2022 15:50:05 GMT' },
        honourEtag: true,
      },
    );

    // 1. operational: components arrive, no incident, no event
    let outcome = await poller.pollSite(site.id);
    expect(outcome).toMatchObject({ kind: 'applied', seqs: [] });
    expect(await store.listComponents(site.id)).toHaveLength(9);
    expect(await events()).toEqual([]);
    let status = await buildSiteStatus(store, site, {
      defaultPollIntervalMs: INTERVAL,
      now: clock,
    });
    expect(status.severity).toBe('operational');
    expect(status.source).toMatchObject({
      kind: 'statuspage',
      url: upstream.url,
      stale: false,
      error: null,
    });

    // 2. an incident: opened with its thread, components replaced, hub told after commit
    outcome = await poller.pollSite(site.id);
    expect(outcome.kind).toBe('applied');
    const opened = await events('incident.opened');
    expect(opened).toHaveLength(1);
    const incident = (opened[0] as Extract<LifeboatEvent, { type: 'incident.opened' }>).incident;
    expect(incident).toMatchObject({
      id: INCIDENT_ID,
      phase: 'investigating',
      impact: 'major',
      threadState: 'open',
    });
    expect(incident.updates).toHaveLength(7);
    expect(notices.at(-1)).toEqual({ site: site.id, seq: opened[0]!.seq });
    const packages = (await store.listComponents(site.id)).find((c) => c.id === 'st3j38cctv9l');
    expect(packages?.status).toBe('partial_outage');
    status = await buildSiteStatus(store, site, { defaultPollIntervalMs: INTERVAL, now: clock });
    expect(status.severity).toBe('major');
    expect(status.incidents.map((i) => i.id)).toEqual([INCIDENT_ID]);

    // 3. unchanged upstream: a conditional request answered 304, nothing written
    clock += INTERVAL;
    outcome = await poller.pollSite(site.id);
    expect(outcome.kind).toBe('not_modified');
    expect(upstream.requests.at(-1)).toMatchObject({
      'if-none-match': '"v2"',
      'if-modified-since': 'Fri, 25 Nov 2022 15:50:05 GMT',
    });
    expect(await events()).toHaveLength(1);
    expect((await store.getStatusSourceState(site.id))!.lastSuccessAt).toBe(
      new Date(clock).toISOString(),
    );

    // 4. a new official update: one incident.updated, HTML turned to text
    upstream.serve({ body: withUpdate() });
    outcome = await poller.pollSite(site.id);
    const updated = await events('incident.updated');
    expect(updated).toHaveLength(1);
    const after = (updated[0] as Extract<LifeboatEvent, { type: 'incident.updated' }>).incident;
    expect(after.phase).toBe('identified');
    expect(after.updates).toHaveLength(8);
    expect(after.updates[0]!.body).toBe('We found the cause: a bad deploy & are rolling back.');

    // 5. the same document again: no duplicate event
    outcome = await poller.pollSite(site.id);
    expect(outcome).toMatchObject({ kind: 'applied', seqs: [] });
    expect(await events()).toHaveLength(2);

    // 6. resolved upstream: incident.resolved; the thread stays open during the grace period
    upstream.serve({ body: resolved() });
    await poller.pollSite(site.id);
    const done = await events('incident.resolved');
    expect(done).toHaveLength(1);
    const closed = (done[0] as Extract<LifeboatEvent, { type: 'incident.resolved' }>).incident;
    expect(closed).toMatchObject({
      phase: 'resolved',
      resolvedAt: '2022-11-25T16:30:00.000Z',
      threadState: 'open',
    });
    expect(await poller.sweep()).toBe(0);
    expect((await buildSiteStatus(store, site)).incidents).toEqual([]);

    // 7. after the grace period the sweep locks the thread (incident.updated, locked)
    clock = Date.parse('2022-11-25T16:30:00.000Z') + GRACE + 1;
    expect(await poller.sweep()).toBe(1);
    const last = (await events()).at(-1) as Extract<LifeboatEvent, { type: 'incident.updated' }>;
    expect(last.type).toBe('incident.updated');
    expect(last.incident.threadState).toBe('locked');
    expect(notices.at(-1)!.seq).toBe(last.seq);
    expect(await poller.sweep()).toBe(0);
  });

  it('resolves an open incident that disappears from the summary', async () => {
    upstream.serve({ body: fixture(ACTIVE) }, { body: fixture(OPERATIONAL) });
    await poller.pollSite(site.id);
    await poller.pollSite(site.id);
    const [resolvedEvent] = (await events('incident.resolved')) as Array<
      Extract<LifeboatEvent, { type: 'incident.resolved' }>
    >;
    expect(resolvedEvent!.incident).toMatchObject({
      id: INCIDENT_ID,
      phase: 'resolved',
      resolvedAt: new Date(clock).toISOString(),
    });
  });

  it('does not ingest incidents that were already resolved when first seen', async () => {
    upstream.serve({ body: resolved() });
    await poller.pollSite(site.id);
    expect(await events()).toEqual([]);
    expect(await store.getIncident(site.id, INCIDENT_ID)).toBeNull();
  });

  it('leaves manual incidents alone', async () => {
    const { incident } = await store.createIncident(site.id, {
      id: '01JA0000000000000000000000',
      title: 'Manual one',
      phase: 'investigating',
      impact: 'minor',
      components: [],
      startedAt: new Date(clock).toISOString(),
      resolvedAt: null,
      threadState: 'open',
      updates: [],
    });
    upstream.serve({ body: fixture(OPERATIONAL) });
    await poller.pollSite(site.id);
    expect((await store.getIncident(site.id, incident.id))!.resolvedAt).toBeNull();
  });
});

/** The operational summary with one maintenance of the given status (and updates so far). */
function withMaintenance(status: 'scheduled' | 'in_progress' | 'completed' | null): Json {
  const doc = fixture(OPERATIONAL) as Json;
  if (!status) return doc;
  const updates = [
    {
      id: 'mu1',
      status: 'scheduled',
      body: 'We will <i>upgrade</i> the database.',
      created_at: '2022-11-20T10:00:00Z',
    },
    {
      id: 'mu2',
      status: 'in_progress',
      body: 'Maintenance started.',
      created_at: '2022-11-25T16:00:00Z',
    },
    { id: 'mu3', status: 'completed', body: 'Done.', created_at: '2022-11-25T17:00:00Z' },
  ];
  const count = { scheduled: 1, in_progress: 2, completed: 3 }[status];
  doc['scheduled_maintenances'] = [
    {
      id: 'mnt001',
      name: 'Database upgrade',
      status,
      impact: 'maintenance',
      scheduled_for: '2022-11-25T16:00:00Z',
      scheduled_until: '2022-11-25T18:00:00Z',
      components: [{ id: '8l4ygp009s5s', name: 'Git Operations' }],
      incident_updates: updates.slice(0, count).reverse(),
    },
  ];
  return doc;
}

describe('status poller: maintenances', () => {
  const MAINTENANCE_ID = 'statuspage:kctbh9vrtdwd:mnt001';
  type MaintenanceEvent = Extract<LifeboatEvent, { type: 'maintenance.updated' }>;
  const maintenanceEvents = async () => (await events('maintenance.updated')) as MaintenanceEvent[];

  it('emits maintenance.updated when one is scheduled, starts and completes', async () => {
    // scheduled
    upstream.serve({ body: withMaintenance('scheduled') });
    let outcome = await poller.pollSite(site.id);
    expect((await maintenanceEvents()).map((e) => e.maintenance.status)).toEqual(['scheduled']);
    expect(outcome).toMatchObject({ kind: 'applied', seqs: [(await maintenanceEvents())[0]!.seq] });
    expect(notices.at(-1)).toEqual({ site: site.id, seq: (await maintenanceEvents())[0]!.seq });
    let status = await buildSiteStatus(store, site, {
      defaultPollIntervalMs: INTERVAL,
      now: clock,
    });
    expect(status.severity).toBe('operational');
    expect(status.maintenances!.map((m) => [m.id, m.status])).toEqual([
      [MAINTENANCE_ID, 'scheduled'],
    ]);

    // the same again: no event
    outcome = await poller.pollSite(site.id);
    expect(outcome).toMatchObject({ kind: 'applied', seqs: [] });

    // in progress: one event with the new update; the site is under maintenance
    upstream.serve({ body: withMaintenance('in_progress') });
    await poller.pollSite(site.id);
    const started = (await maintenanceEvents())[1]!;
    expect(started.maintenance).toMatchObject({
      id: MAINTENANCE_ID,
      title: 'Database upgrade',
      status: 'in_progress',
      scheduledFor: '2022-11-25T16:00:00.000Z',
      components: ['8l4ygp009s5s'],
    });
    expect(started.maintenance.updates.map((u) => u.id)).toEqual(['mu2', 'mu1']);
    expect(started.maintenance.updates[1]!.body).toBe('We will upgrade the database.');
    status = await buildSiteStatus(store, site, { defaultPollIntervalMs: INTERVAL, now: clock });
    expect(status.severity).toBe('maintenance');
    expect(status.lastEventId).toBe(started.seq);

    // completed upstream: one event; then it leaves the list: no second event
    upstream.serve({ body: withMaintenance('completed') });
    await poller.pollSite(site.id);
    upstream.serve({ body: withMaintenance(null) });
    await poller.pollSite(site.id);
    expect((await maintenanceEvents()).map((e) => e.maintenance.status)).toEqual([
      'scheduled',
      'in_progress',
      'completed',
    ]);
    status = await buildSiteStatus(store, site, { defaultPollIntervalMs: INTERVAL, now: clock });
    expect(status.severity).toBe('operational');
    expect(status.maintenances).toEqual([]);
    expect((await events()).every((e) => e.type === 'maintenance.updated')).toBe(true);
  });

  it('sends completed for an active maintenance that leaves the list', async () => {
    upstream.serve({ body: withMaintenance('in_progress') }, { body: withMaintenance(null) });
    await poller.pollSite(site.id);
    await poller.pollSite(site.id);
    expect(
      (await maintenanceEvents()).map((e) => [e.maintenance.id, e.maintenance.status]),
    ).toEqual([
      [MAINTENANCE_ID, 'in_progress'],
      [MAINTENANCE_ID, 'completed'],
    ]);
  });

  it('sends nothing for a maintenance already completed when first seen', async () => {
    upstream.serve({ body: withMaintenance('completed') });
    await poller.pollSite(site.id);
    expect(await events()).toEqual([]);
  });
});

describe('status poller: one instance polls (the lease)', () => {
  it('polls only on the lease holder; another instance takes over when it stops', async () => {
    const shared = new MemorySharedState(() => clock);
    const a = makePoller({ shared, instanceId: 'a', leaseMs: 3000 });
    const b = makePoller({ shared, instanceId: 'b', leaseMs: 3000 });
    try {
      await a.start();
      await b.start();
      expect(a.polls).toBe(true);
      expect(b.polls).toBe(false);
      // a refresh on the instance without the lease does nothing
      b.refresh(site.id);
      expect(b.polls).toBe(false);

      // the holder goes away without a word: after the lease time, b takes over
      a.stop();
      await b.renewLease();
      expect(b.polls).toBe(true);
      await a.start();
      expect(a.polls).toBe(false);
    } finally {
      a.stop();
      b.stop();
    }
  });

  it('a lost lease stops polling; a site given a URL elsewhere is picked up while held', async () => {
    const shared = new MemorySharedState(() => clock);
    const { timers, pending } = manualTimers();
    const a = makePoller({ shared, instanceId: 'a', leaseMs: 3000, timers });
    try {
      await a.start();
      expect(a.polls).toBe(true);
      const polls = () => [...pending.values()].filter((v) => v.ms === 0).length;
      expect(polls()).toBe(1);
      // another instance holds the lease now (ours expired)
      clock += 4000;
      expect(await shared.lease('status-poller', 'b', 3000)).toBe(true);
      await a.renewLease();
      expect(a.polls).toBe(false);
      expect(pending.size).toBe(1); // only the lease renewal is left
      await shared.release('status-poller', 'b');
      const other = await store.createSite({ slug: 'other', name: 'Other', origins: [] });
      await store.updateSite(other.id, { statusUrl: upstream.url });
      await a.renewLease();
      expect(a.polls).toBe(true);
      expect(polls()).toBe(2);
    } finally {
      a.stop();
    }
  });
});

describe('status poller: failures', () => {
  it('keeps the last good status through 500s, bad JSON, unknown shapes, timeouts and huge bodies', async () => {
    upstream.serve({ body: fixture(ACTIVE) });
    await poller.pollSite(site.id);
    const good = await buildSiteStatus(store, site, {
      defaultPollIntervalMs: INTERVAL,
      now: clock,
    });
    const eventCount = (await events()).length;

    const small = makePoller({ maxBytes: 2000 });
    const cases: Array<[Parameters<FakeUpstream['serve']>[0], RegExp, StatusPoller?]> = [
      [{ status: 500, body: 'oops' }, /HTTP 500/],
      [{ body: '{"page": {"id": "x"' }, /not answer with valid JSON/],
      [{ body: { hello: 'world' } }, /Not a status document/],
      [{ body: [1, 2, 3] }, /Expected a JSON object/],
      [{ hang: true }, /No answer within 500 ms/],
      [{ body: fixture(ACTIVE) }, /larger than 2000 bytes/, small],
    ];
    let failures = 0;
    for (const [reply, message, p] of cases) {
      upstream.serve(reply);
      clock += INTERVAL;
      const outcome = await (p ?? poller).pollSite(site.id);
      failures++;
      expect(outcome).toMatchObject({ kind: 'failed', failures });
      if (outcome.kind === 'failed') expect(outcome.error).toMatch(message);
    }
    small.stop();

    // nothing changed, and the snapshot says how stale it is
    expect(await events()).toHaveLength(eventCount);
    const status = await buildSiteStatus(store, site, {
      defaultPollIntervalMs: INTERVAL,
      now: clock,
    });
    expect(status.incidents.map((i) => i.id)).toEqual(good.incidents.map((i) => i.id));
    expect(status.components).toEqual(good.components);
    expect(status.severity).toBe('major');
    // The public snapshot says only that the source failed; the recorded state has the detail.
    expect(status.source).toMatchObject({
      stale: true,
      lastSuccessAt: good.source!.lastSuccessAt,
      error: PUBLIC_SOURCE_ERROR,
    });
    expect((await store.getStatusSourceState(site.id))?.error).toMatch(/larger than 2000 bytes/);

    // a success clears the error and the count
    upstream.serve({ body: fixture(ACTIVE) });
    const outcome = await poller.pollSite(site.id);
    expect(outcome.kind).toBe('applied');
    const state = await store.getStatusSourceState(site.id);
    expect(state).toMatchObject({ failures: 0, error: null });
  });

  it('applies an update body of `<a` × 500,000 (1 MB; html→text is linear, issue 16)', async () => {
    const doc = withUpdate();
    doc['incidents'][0].incident_updates[0].body = '<a'.repeat(500_000);
    upstream.serve({ body: doc });
    const outcome = await poller.pollSite(site.id);
    expect(outcome.kind).toBe('applied');
  });

  it('refuses URLs that are not http(s)', async () => {
    await store.updateSite(site.id, { statusUrl: 'file:///etc/passwd' });
    const outcome = await poller.pollSite(site.id);
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'Only http(s) status URLs are polled.',
    });
  });

  it("uses the site's own poll interval over the default", async () => {
    upstream.serve({ body: fixture(OPERATIONAL) });
    expect(await poller.pollSite(site.id)).toMatchObject({ nextDelayMs: INTERVAL });
    await store.updateSite(site.id, { pollIntervalMs: 5000 });
    expect(await poller.pollSite(site.id)).toMatchObject({ kind: 'applied', nextDelayMs: 5000 });
  });

  it('skips a site without a status URL', async () => {
    await store.updateSite(site.id, { statusUrl: null });
    expect(await poller.pollSite(site.id)).toEqual({ kind: 'skipped', reason: 'no status URL' });
  });
});

describe('status poller: scheduling and backoff', () => {
  it('backs off exponentially with jitter, honours Retry-After and returns to the interval', () => {
    const low = makePoller({ random: () => 0 });
    const high = makePoller({ random: () => 1 });
    // success: the interval ±10 %
    expect(low.delayAfter(INTERVAL, 0)).toBe(900);
    expect(high.delayAfter(INTERVAL, 0)).toBe(1100);
    // failures: between half and all of interval × 2^failures
    expect([1, 2, 3, 4].map((f) => low.delayAfter(INTERVAL, f))).toEqual([1000, 2000, 4000, 8000]);
    expect([1, 2, 3, 4].map((f) => high.delayAfter(INTERVAL, f))).toEqual([
      2000, 4000, 8000, 16000,
    ]);
    // capped, and never sooner than Retry-After
    expect(high.delayAfter(INTERVAL, 30)).toBe(10 * 60_000);
    expect(low.delayAfter(INTERVAL, 1, 30_000)).toBe(30_000);
  });

  it('schedules the next poll from each outcome', async () => {
    const { timers, pending } = manualTimers();
    const p = makePoller({ timers, random: () => 0 });
    upstream.serve(
      { status: 500 },
      { status: 503, headers: { 'retry-after': '7' } },
      { body: fixture(OPERATIONAL) },
    );
    await p.start();
    // the lock sweep and the sequence watch run on their own timers
    const own = (v: { fn: () => void }) => v.fn.name !== 'sweep' && v.fn.name !== 'watch';
    const siteTimers = () => [...pending].filter(([, v]) => own(v));
    expect(siteTimers().map(([, v]) => v.ms)).toEqual([0]);
    // fire the site's first poll (delay 0) by hand, then each following one
    const delays: number[] = [];
    for (let round = 0; round < 3; round++) {
      const [id, entry] = siteTimers()[0]!;
      pending.delete(id);
      entry.fn();
      await expect
        .poll(() => [...pending.values()].filter(own).length, {
          timeout: 3000,
        })
        .toBe(1);
      delays.push([...pending.values()].find(own)!.ms);
    }
    // 500 → 1 failure (1000 ms), 503 with Retry-After 7 s, then success → the interval (900 ms at random 0)
    expect(delays).toEqual([1000, 7000, 900]);
    p.stop();
    expect(pending.size).toBe(0);
  });
});
