/**
 * Early warning (issue 12, docs/early-warning.md) on either engine.
 *
 * 1. The test itself (Poisson upper tail below 0.001 and at least `earlyWarningMembers`).
 * 2. The detector on a synthetic series replayed through the real store: four weeks of history
 *    with a daily peak, then a normal week with the same peaks raises nothing; a spike in a
 *    quiet hour raises one alert (one staff event, one notification), once, however many
 *    reports follow; a new site without history uses the floor.
 * 3. Through the real server: reports (one per browser per 15 minutes; unknown component 422),
 *    nothing public without corroboration, staff confirm → public, declare → a manual incident
 *    whose "affected" list is the spike's reporters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, SignalsResult, Spike } from '@lifeboat/protocol';
import {
  expectedFrom,
  isSpike,
  NEW_SITE_EXPECTED,
  poissonUpperTail,
  reportProblem,
} from '../services/early-warning.js';
import type { NotifierEvent } from '../services/notifier.js';
import { startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'admin-key-early-warning-0123456789ab';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

describe('the test', () => {
  it('Poisson upper tail', () => {
    expect(poissonUpperTail(0, 3)).toBe(1);
    expect(poissonUpperTail(1, 1)).toBeCloseTo(1 - Math.exp(-1), 12);
    // P(X ≥ 6 | 1) = 0.000594…: six reporters in an hour of a new site is a spike.
    expect(poissonUpperTail(6, 1)).toBeCloseTo(0.000594, 5);
    expect(poissonUpperTail(5, 1)).toBeCloseTo(0.00366, 4);
    expect(poissonUpperTail(20, 20)).toBeGreaterThan(0.4);
    expect(expectedFrom([])).toBe(NEW_SITE_EXPECTED);
    expect(expectedFrom([0, 0, 0, 0])).toBe(0.25);
    expect(expectedFrom([10, 12, 14, 12])).toBe(12);
    expect(isSpike(6, 1, 5).spike).toBe(true);
    expect(isSpike(5, 1, 5).spike).toBe(false); // p = 0.0037
    expect(isSpike(4, 0.25, 5).spike).toBe(false); // p tiny, but fewer than 5 members
    expect(isSpike(30, 20, 5).spike).toBe(false); // a normal peak
  });
});

let s: TestServer;
let staff: string;

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  staff = await s.staffToken('Sam Staff');
  const res = await s.api('/v1/admin/sites/acme/policy', {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}` },
    json: { earlyWarningMembers: 5, earlyWarningPublicMembers: 30 },
  });
  expect(res.status).toBe(200);
}, 60_000);

afterAll(async () => {
  await s?.close();
});

describe('the detector on a synthetic series', () => {
  it('a normal week with daily peaks raises nothing; a spike raises one alert, once', async () => {
    const { store } = s.app.lifeboat;
    const site = await store.createSite({ slug: 'series', name: 'Series', origins: [] });
    const member = await store.createMember({
      siteId: site.id,
      kind: 'guest',
      displayName: 'G',
      role: 'member',
    });
    const end = Math.floor(Date.now() / HOUR) * HOUR - 2 * HOUR;
    const start = end - 5 * WEEK;
    await s.sql(
      'UPDATE sites SET created_at = ? WHERE id = ?',
      new Date(start).toISOString(),
      site.id,
    );
    const peakHour = (new Date(end).getUTCHours() + 12) % 24;
    /** Reporters in an hour: 12 at the daily peak, one every third hour, none otherwise. */
    const normal = (hourStart: number) => {
      const h = new Date(hourStart).getUTCHours();
      return h === peakHour ? 12 : h % 3 === 0 ? 1 : 0;
    };
    let n = 0;
    const events: NotifierEvent[] = [];
    const notifiers = { notify: async (_site: string, e: NotifierEvent) => void events.push(e) };
    const input = (at: number) => ({
      siteId: site.id,
      memberId: member.id,
      reporter: `reporter-${++n}`,
      component: null,
      at,
    });
    /** Stored without the detector (history). */
    const store_ = (at: number) => store.earlyWarning.addReport(input(at));
    /** Through the detector. */
    const report = (at: number) => reportProblem({ store, notifiers }, input(at));
    // Four weeks of history, stored without the detector.
    for (let h = start; h < end - WEEK; h += HOUR)
      for (let i = 0; i < normal(h); i++) await store_(h + 60_000 + i * 60_000);
    // A normal week, through the detector: its peaks are the baseline's.
    let alerts = 0;
    for (let h = end - WEEK; h < end; h += HOUR)
      for (let i = 0; i < normal(h); i++)
        if ((await report(h + 60_000 + i * 60_000)).detected) alerts++;
    expect(alerts).toBe(0);
    expect(events).toEqual([]);

    // A spike in a quiet hour: 28 reporters. One alert, when the fifth or sixth came.
    const spikeHour = end + HOUR;
    const detected: Spike[] = [];
    for (let i = 0; i < 28; i++) {
      const outcome = await report(spikeHour + 60_000 + i * 60_000);
      if (outcome.detected) detected.push(outcome.detected);
    }
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({ state: 'open', public: false });
    // The quiet hour's baseline is at most one reporter: alerted at 5 or 6, not at 28.
    expect(detected[0]!.expected).toBeLessThanOrEqual(1);
    expect(detected[0]!.members).toBeGreaterThanOrEqual(5);
    expect(detected[0]!.members).toBeLessThanOrEqual(6);
    expect(detected[0]!.pValue).toBeLessThan(0.001);
    expect(events).toEqual([{ type: 'spike.detected', spike: detected[0] }]);
    const staffEvents = await s.sql<{ type: string }>(
      "SELECT type FROM events WHERE site_id = ? AND type LIKE 'spike.%'",
      site.id,
    );
    expect(staffEvents).toEqual([{ type: 'spike.detected' }]);
    const spike = await store.earlyWarning.spike(site.id, detected[0]!.id, 30);
    // All 28 joined it (and the quiet hour's own report before them, if it had one).
    expect(spike!.reports).toBeGreaterThanOrEqual(28);
    expect(spike!.reports).toBeLessThanOrEqual(29);
    expect(spike).toMatchObject({ members: spike!.reports, public: false });
  }, 120_000);

  it('a new site without history uses the floor: 6 reporters in an hour, not 5', async () => {
    const { store } = s.app.lifeboat;
    const site = await store.createSite({ slug: 'fresh', name: 'Fresh', origins: [] });
    const member = await store.createMember({
      siteId: site.id,
      kind: 'guest',
      displayName: 'G',
      role: 'member',
    });
    const notifiers = { notify: async () => {} };
    const at = Date.now();
    const results = [];
    for (let i = 0; i < 6; i++)
      results.push(
        await reportProblem(
          { store, notifiers },
          { siteId: site.id, memberId: member.id, reporter: `r${i}`, component: null, at: at + i },
        ),
      );
    expect(results.map((r) => r.detected !== null)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
    ]);
    expect(results[5]!.detected!.expected).toBe(NEW_SITE_EXPECTED);
  });
});

describe('through the real server', () => {
  const report = (token: string | undefined, json: unknown = {}) =>
    s.api('/v1/sites/acme/problem-reports', { method: 'POST', token, json });
  const signals = async () =>
    ((await (await s.api('/v1/sites/acme/signals')).json()) as SignalsResult).signals;

  it('nothing public without corroboration; staff confirm it, then declare an incident', async () => {
    expect((await report(undefined)).status).toBe(401);
    const first = await s.session('Reporter 0', 'acme', 'EW/0');
    const bad = await report(first.token, { component: 'nope' });
    expect(bad.status).toBe(422);
    expect((await report(first.token, { component: 'a'.repeat(500) })).status).toBe(400);

    const components = await s.app.lifeboat.store.listComponents(
      (await s.app.lifeboat.store.getSiteBySlug('acme'))!.id,
    );
    const component = components[0]!.id;
    const ok = await report(first.token, { component });
    expect(ok.status, await ok.clone().text()).toBe(200);
    expect(await ok.json()).toEqual({ counted: true, signals: [] });
    // A second tap, and a second session of the same browser: counted once.
    expect(await (await report(first.token, { component })).json()).toMatchObject({
      counted: false,
    });
    const sameBrowser = await s.session('Reporter 0b', 'acme', 'EW/0');
    expect(await (await report(sameBrowser.token)).json()).toMatchObject({ counted: false });
    // A repeat naming a component names the earlier report's only when it named none.
    const named = await s.session('Reporter named', 'acme', 'EW/named');
    await report(named.token);
    expect(await (await report(named.token, { component })).json()).toMatchObject({
      counted: false,
    });
    expect(
      await s.sql('SELECT component FROM problem_reports WHERE member_id = ?', named.member.id),
    ).toEqual([{ component }]);

    for (let i = 1; i < 5; i++) {
      const g = await s.session(`Reporter ${i}`, 'acme', `EW/${i}`);
      expect((await report(g.token, { component })).status).toBe(200);
    }
    // Six browsers on a new site: a spike for staff, but nothing public (30 needed).
    const list = await s.api('/v1/sites/acme/moderation/spikes', { token: staff });
    const [spike] = ((await list.json()) as { spikes: Spike[] }).spikes;
    expect(spike).toMatchObject({ state: 'open', members: 6, component, public: false });
    expect(await signals()).toEqual([]);

    const confirm = await s.api(`/v1/sites/acme/moderation/spikes/${spike!.id}/confirm`, {
      method: 'POST',
      token: staff,
      json: {},
    });
    expect(confirm.status, await confirm.clone().text()).toBe(200);
    expect(await signals()).toEqual([
      {
        spikeId: spike!.id,
        component,
        componentName: components[0]!.name,
        since: spike!.detectedAt,
      },
    ]);

    // Two staff clicks at once: one incident.
    const [d1, d2] = await Promise.all(
      [1, 2].map(() =>
        s.api(`/v1/sites/acme/moderation/spikes/${spike!.id}/declare`, {
          method: 'POST',
          token: staff,
          json: {},
        }),
      ),
    );
    expect([d1!.status, d2!.status].sort()).toEqual([201, 409]);
    const declare = d1!.status === 201 ? d1! : d2!;
    const body = (await declare.json()) as { spike: Spike; incident: Incident };
    expect(body.spike).toMatchObject({ state: 'declared', incidentId: body.incident.id });
    expect(body.incident).toMatchObject({
      title: `Problems with ${components[0]!.name}`,
      components: [component],
      affectedCount: 6,
    });
    // The reporters are the incident's affected list; the banner drops the signal.
    expect(await signals()).toEqual([]);
    const again = await s.api(`/v1/sites/acme/moderation/spikes/${spike!.id}/declare`, {
      method: 'POST',
      token: staff,
      json: {},
    });
    expect(again.status).toBe(409);
    const incident = (await (
      await s.api(`/v1/sites/acme/incidents/${encodeURIComponent(body.incident.id)}`)
    ).json()) as Incident;
    expect(incident.affectedCount).toBe(6);
  });
});
