/**
 * `<lifeboat-insights>` in a real browser: after a scripted incident (staff open it, guests
 * report, answer, suggest a workaround, confirm; staff verify and resolve, all over the HTTP API),
 * a staff member signs in on the demo insights page and sees the API's numbers — the period's
 * totals, the incidents, the scripted incident's report, another incident's report — in light
 * and dark, with no axe violations and no console errors under the page's strict CSP.
 * Real server (`lifeboat start --demo`), the built modules, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import type { IncidentReport, SiteInsights } from '@lifeboat/protocol';
import {
  axeViolations,
  launchChromium,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';
import { apiNumbers, scriptIncident, SCRIPTED_TITLE } from './insights-seed.js';
import { ADMIN_KEY, printedStaffToken } from './moderation-seed.js';

let server: RunningServer;
let browser: Browser;
let token: string;
let incident: string;
let report: IncidentReport;
let insights: SiteInsights;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
  browser = await launchChromium();
  await vi.waitFor(() => expect(printedStaffToken(server.output())).toBeTruthy(), {
    timeout: 20_000,
  });
  token = printedStaffToken(server.output())!;
  incident = await scriptIncident(server.url);
  ({ report, insights } = await apiNumbers(server.url, incident));
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

async function staffPage(
  colorScheme: 'light' | 'dark' = 'light',
  width = 1280,
): Promise<{ page: Page; errors: string[]; view: Locator }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, colorScheme });
  contexts.push(context);
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(server.url + '/insights/');
  await page.getByLabel('Staff token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
  const view = page.locator('lifeboat-insights');
  await expect
    .poll(() => view.locator('#report-heading').textContent(), { timeout: 20_000 })
    .toBe(`Report: ${SCRIPTED_TITLE}`);
  return { page, errors, view };
}

/** The tiles of a `<dl>` as label → value. */
async function tiles(scope: Locator): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const tile of await scope.locator(':scope > .tile').all()) {
    const label = (await tile.locator('dt').textContent())!.trim();
    out[label] = (await tile.locator('dd').textContent())!.replace(/\s+/g, ' ').trim();
  }
  return out;
}

/** Durations as the component writes them (packages/elements/src/insights/messages.ts). */
function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

const since = (ms: number | null) => (ms === null ? '—' : `${duration(ms)} in`);

describe('the demo insights page', () => {
  it('the API counts the scripted incident exactly', () => {
    expect(report).toMatchObject({
      participants: 8,
      affected: 6,
      answers: 1,
      workarounds: 1,
      replies: 1,
      confirmations: 4,
      didntWork: 1,
      verifiedWorkarounds: 1,
      moderation: { held: 0, approved: 0, rejected: 0, hidden: 0, flagged: 0 },
    });
    expect(report.timeToFirstAnswerMs).not.toBeNull();
    expect(report.timeToVerifiedFixMs).toBeGreaterThanOrEqual(report.timeToFirstAnswerMs!);
    expect(insights.incidents.map((i) => i.title)).toContain(SCRIPTED_TITLE);
  });

  it("shows staff the API's numbers: totals, incidents and the report", async () => {
    const { view, errors } = await staffPage();
    const t = insights.totals;
    expect(await tiles(view.locator('[part="totals"]'))).toEqual({
      Incidents: String(t.incidents),
      'Affected reports': String(t.affected),
      Answers: String(t.answers),
      '“Worked for me”': String(t.confirmations),
      'Community found a fix first': `${t.communityFirst} of ${t.incidents} ${Math.round((t.communityFirst / t.incidents) * 100)} %`,
      'Median time to first peer answer':
        t.medianTimeToFirstAnswerMs === null ? '—' : duration(t.medianTimeToFirstAnswerMs),
    });

    const rows = view.locator('.incidents tbody tr');
    expect(await rows.count()).toBe(insights.incidents.length);
    const scripted = rows.filter({ hasText: SCRIPTED_TITLE });
    const cells = (await scripted.locator('td').allTextContents()).map((c) => c.trim());
    const summary = insights.incidents.find((i) => i.id === incident)!;
    expect(cells.slice(1, 6)).toEqual([
      String(summary.affected),
      String(summary.answers),
      String(summary.confirmations),
      duration(summary.timeToFirstAnswerMs!),
      summary.communityFirst ? 'Yes' : 'No',
    ]);

    const r = view.locator('[part="report"]');
    expect(await tiles(r.locator('dl.tiles').first())).toEqual({
      Participants: String(report.participants),
      Affected: String(report.affected),
      Answers: String(report.answers),
      Workarounds: String(report.workarounds),
      Replies: String(report.replies),
      '“Worked for me”': String(report.confirmations),
      '“Didn’t work”': String(report.didntWork),
      'Verified workarounds': String(report.verifiedWorkarounds),
      'First peer answer': since(report.timeToFirstAnswerMs),
      'First verified fix': since(report.timeToVerifiedFixMs),
    });
    expect(await tiles(r.locator('dl.tiles').last())).toEqual({
      'Held for review': '0',
      Approved: '0',
      Rejected: '0',
      Hidden: '0',
      Flagged: '0',
    });
    // The timeline's data table holds the API's windows.
    const timeline = view.locator('#chart-timeline-table tbody tr');
    expect(await timeline.count()).toBe(report.timeline.length);
    const sum = (i: number) =>
      timeline.evaluateAll(
        (trs, col) => trs.reduce((n, tr) => n + Number(tr.children[col]!.textContent), 0),
        i,
      );
    expect(await sum(1)).toBe(report.affected);
    expect(await sum(3)).toBe(report.confirmations);
    expect(await view.locator('svg[role="img"]').count()).toBe(8);
    expect(errors).toEqual([]);
  });

  it("opens another incident's report and switches to 90 days", async () => {
    const { view, page } = await staffPage();
    const other = insights.incidents.find((i) => i.title.startsWith('Delayed job starts'))!;
    await view.getByRole('button', { name: `Report of “${other.title}”` }).click();
    await expect
      .poll(() => view.locator('#report-heading').textContent())
      .toBe(`Report: ${other.title}`);
    const theirs = (await apiNumbers(server.url, other.id)).report;
    const shown = await tiles(view.locator('[part="report"] dl.tiles').first());
    expect([shown['Participants'], shown['Affected'], shown['“Worked for me”']]).toEqual([
      String(theirs.participants),
      String(theirs.affected),
      String(theirs.confirmations),
    ]);
    expect(await page.evaluate(() => document.activeElement?.localName)).toBe('lifeboat-insights');

    await view.getByRole('button', { name: 'Last 90 days' }).click();
    await expect
      .poll(() => view.getByRole('button', { name: 'Last 90 days' }).getAttribute('aria-pressed'))
      .toBe('true');
    await expect
      .poll(async () => (await tiles(view.locator('[part="totals"]')))['Incidents'])
      .toBe(String(insights.totals.incidents));
  });

  for (const colorScheme of ['light', 'dark'] as const)
    for (const width of [375, 1280])
      it(`has no axe violations (${colorScheme}, ${width} px), nothing wider than the screen`, async () => {
        const { page, errors } = await staffPage(colorScheme, width);
        expect(await axeViolations(page)).toEqual([]);
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - window.innerWidth,
        );
        expect(overflow).toBeLessThanOrEqual(0);
        expect(errors).toEqual([]);
      });
});
