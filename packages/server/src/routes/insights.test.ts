/**
 * Site insights (issue 12): per-incident summaries over the last 30 or 90 days, on a controlled
 * clock (the server runs in this process, so faking `Date` moves its clock too). Three incidents
 * built through the API: one where a member's workaround was confirmed before staff moved
 * (community first), one where staff answered first, one still open and quiet.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ulid, type SiteInsights } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const MIN = 60_000;
const DAY = 86_400_000;
const at = (ms: number) => vi.setSystemTime(T0 + ms);
const iso = (ms: number) => new Date(T0 + ms).toISOString();
const SITE = 'other';

let s: TestServer;
let staff = '';
const guests: Record<string, string> = {};
const incidents: Record<string, string> = {};

const ok = async (res: Response, status = 200) => {
  expect(res.status, await res.clone().text()).toBe(status);
  return res;
};

/** Opens an incident with fresh tokens (sessions do not last the 60 days). */
async function open(title: string): Promise<string> {
  staff = await s.staffToken('Sam', SITE);
  // Each guest its own browser: reputation counts distinct browsers, never the author's own.
  for (const g of ['g1', 'g2', 'g3']) guests[g] = (await s.session(g, SITE, `Browser ${g}`)).token;
  const res = await ok(
    await s.api(`/v1/sites/${SITE}/incidents`, {
      method: 'POST',
      token: staff,
      json: { title, impact: 'minor', body: 'Investigating.' },
    }),
    201,
  );
  return ((await res.json()) as { id: string }).id;
}

async function post(who: string, incident: string, kind: 'answer' | 'workaround', text: string) {
  const id = ulid();
  const res = await ok(
    await s.api(`/v1/sites/${SITE}/incidents/${enc(incident)}/posts`, {
      method: 'POST',
      token: who === 'staff' ? staff : guests[who],
      headers: { 'idempotency-key': id },
      json: {
        id,
        kind,
        body: text,
        ...(kind === 'workaround'
          ? { workaround: { title: text, steps: ['Do it.'], risk: 'safe' } }
          : {}),
      },
    }),
    201,
  );
  return ((await res.json()) as { id: string }).id;
}

const worked = async (who: string, postId: string) =>
  ok(
    await s.api(`/v1/sites/${SITE}/posts/${postId}/reaction`, {
      method: 'PUT',
      token: guests[who],
      json: { kind: 'worked' },
    }),
  );

const resolve = async (incident: string) =>
  ok(
    await s.api(`/v1/sites/${SITE}/incidents/${enc(incident)}/resolve`, {
      method: 'POST',
      token: staff,
      json: { body: 'Resolved.' },
    }),
  );

beforeAll(async () => {
  s = await startTestServer();
  vi.useFakeTimers({ toFake: ['Date'] });

  // X, 60 days ago: a member's workaround confirmed at +7 min, staff only resolve at +30.
  at(-60 * DAY);
  incidents.x = await open('Login failures');
  at(-60 * DAY + 1 * MIN);
  await ok(
    await s.api(`/v1/sites/${SITE}/incidents/${enc(incidents.x)}/affected`, {
      method: 'PUT',
      token: guests['g3'],
    }),
  );
  at(-60 * DAY + 5 * MIN);
  const wx = await post('g1', incidents.x, 'workaround', 'Clear the cookies');
  at(-60 * DAY + 7 * MIN);
  await worked('g2', wx);
  at(-60 * DAY + 30 * MIN);
  await resolve(incidents.x);

  // Y, 10 days ago: staff answer at +2 min, before the members' answer (+3) and fix (+6).
  at(-10 * DAY);
  incidents.y = await open('Slow dashboards');
  at(-10 * DAY + 2 * MIN);
  await post('staff', incidents.y, 'answer', 'We are rolling back the last deploy.');
  at(-10 * DAY + 3 * MIN);
  await post('g1', incidents.y, 'answer', 'The API still works while the dashboard is slow.');
  at(-10 * DAY + 4 * MIN);
  const wy = await post('g2', incidents.y, 'workaround', 'Use the API');
  at(-10 * DAY + 6 * MIN);
  await worked('g3', wy);
  await worked('g1', wy);
  at(-10 * DAY + 20 * MIN);
  await resolve(incidents.y);

  // Z, yesterday: open and quiet.
  at(-1 * DAY);
  incidents.z = await open('Email delays');
  at(0);
  staff = await s.staffToken('Sam', SITE);
  await s.app.lifeboat.statusPoller.sweep(); // the lifecycle sweep, now rather than on its timer
}, 60_000); // many requests: give a loaded machine (and PostgreSQL) time

afterAll(async () => {
  vi.useRealTimers();
  await s?.close();
});

const insights = async (query = '') =>
  (await (
    await ok(await s.api(`/v1/sites/${SITE}/insights${query}`, { token: staff }))
  ).json()) as SiteInsights;

describe('GET /v1/sites/:site/insights', () => {
  it('summarizes the last 90 days exactly, with who found a fix first', async () => {
    const summary = await insights('?days=90');
    expect(summary).toEqual({
      site: SITE,
      days: 90,
      generatedAt: iso(0),
      incidents: [
        {
          id: incidents.x,
          title: 'Login failures',
          impact: 'minor',
          startedAt: iso(-60 * DAY),
          resolvedAt: iso(-60 * DAY + 30 * MIN),
          threadState: 'archived', // resolved longer ago than the 30-day retention
          affected: 1,
          answers: 0,
          workarounds: 1,
          confirmations: 1,
          timeToFirstAnswerMs: 5 * MIN,
          communityFixAt: iso(-60 * DAY + 7 * MIN),
          staffFirstAt: iso(-60 * DAY + 30 * MIN),
          communityFirst: true,
        },
        {
          id: incidents.y,
          title: 'Slow dashboards',
          impact: 'minor',
          startedAt: iso(-10 * DAY),
          resolvedAt: iso(-10 * DAY + 20 * MIN),
          threadState: 'locked', // past the lock grace, within the retention
          affected: 0,
          answers: 2,
          workarounds: 1,
          confirmations: 2,
          timeToFirstAnswerMs: 3 * MIN,
          communityFixAt: iso(-10 * DAY + 6 * MIN),
          staffFirstAt: iso(-10 * DAY + 2 * MIN),
          communityFirst: false,
        },
        {
          id: incidents.z,
          title: 'Email delays',
          impact: 'minor',
          startedAt: iso(-1 * DAY),
          resolvedAt: null,
          threadState: 'open',
          affected: 0,
          answers: 0,
          workarounds: 0,
          confirmations: 0,
          timeToFirstAnswerMs: null,
          communityFixAt: null,
          staffFirstAt: null,
          communityFirst: false,
        },
      ],
      totals: {
        incidents: 3,
        affected: 1,
        answers: 2,
        confirmations: 3,
        communityFirst: 1,
        medianTimeToFirstAnswerMs: 4 * MIN, // (3 + 5) / 2
      },
      topWorkarounds: [
        expect.objectContaining({
          title: 'Use the API',
          confirmations: 2,
          incidentId: incidents.y,
        }),
        expect.objectContaining({
          title: 'Clear the cookies',
          confirmations: 1,
          incidentId: incidents.x,
        }),
      ],
      // Who helped, across every incident: g2's fix worked for g3 and g1, g1's for g2; staff's
      // answer was confirmed by no one, g3 helped no one.
      topHelpers: [
        expect.objectContaining({ displayName: 'g2', helped: 2, trust: 'basic' }),
        expect.objectContaining({ displayName: 'g1', helped: 1, trust: 'basic' }),
      ],
    });
  });

  it('keeps to the last 30 days by default', async () => {
    const summary = await insights();
    expect(summary.days).toBe(30);
    expect(summary.incidents.map((i) => i.id)).toEqual([incidents.y, incidents.z]);
    expect(summary.totals).toEqual({
      incidents: 2,
      affected: 0,
      answers: 2,
      confirmations: 2,
      communityFirst: 0,
      medianTimeToFirstAnswerMs: 3 * MIN,
    });
  });

  it('takes only 30 or 90 days, and is for staff', async () => {
    const bad = await s.api(`/v1/sites/${SITE}/insights?days=7`, { token: staff });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe('validation_failed');
    expect((await s.api(`/v1/sites/${SITE}/insights`)).status).toBe(401);
    expect((await s.api(`/v1/sites/${SITE}/insights`, { token: guests['g1'] })).status).toBe(403);
  });
});
