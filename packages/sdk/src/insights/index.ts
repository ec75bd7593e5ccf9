/**
 * `@lifeboat/sdk/insights`: the staff side's numbers — the site's incidents over the last 30 or
 * 90 days and one incident's post-incident report (docs/insights.md). A separate entry, so the
 * visitor bundle does not carry it.
 *
 *   const insights = createInsights({ server, site: 'acme', token: staffToken });
 *   insights.$site.subscribe(render);
 *   await insights.loadSite(90);
 *   await insights.loadReport(incidentId);
 *   const csv = await insights.reportText(incidentId, 'csv');
 */
import type { IncidentReport, Problem, SiteInsights } from '@lifeboat/protocol';
import { atom, type ReadableAtom } from 'nanostores';
import { LifeboatError, type Loadable } from '../client-types.js';
import { createRequest, networkError, toLifeboatError, type FetchLike } from '../http.js';

export type {
  IncidentReport,
  IncidentSummary,
  ReportBucket,
  ReportNamed,
  ReportWorkaround,
  SiteInsights,
} from '@lifeboat/protocol';
export type { Loadable } from '../client-types.js';

export type InsightsDays = 30 | 90;
export type ReportFormat = 'csv' | 'markdown';

export interface InsightsOptions {
  /** Origin (and optional path prefix) of the Lifeboat server. */
  server: string;
  /** The site's slug. */
  site: string;
  /** A staff or moderator session token, or the server's admin key. Sent only as a header. */
  token: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
}

export interface InsightsClient {
  /** The site's incidents of the window last asked for (`loadSite`). */
  readonly $site: ReadableAtom<Loadable<SiteInsights>>;
  /** The report of the incident last asked for (`loadReport`); null when none is chosen. */
  readonly $report: ReadableAtom<Loadable<IncidentReport> | null>;
  /** Loads the site's incidents of the last `days` days (30 or 90). */
  loadSite(days: InsightsDays): Promise<void>;
  /** Loads one incident's report; null clears it. */
  loadReport(incidentId: string | null): Promise<void>;
  /** The report as CSV or as the Markdown summary (for a download or the clipboard). */
  reportText(incidentId: string, format: ReportFormat): Promise<string>;
}

const ACCEPT: Record<ReportFormat, string> = { csv: 'text/csv', markdown: 'text/markdown' };

export function createInsights(options: InsightsOptions): InsightsClient {
  const server = options.server.replace(/\/+$/, '');
  const { token } = options;
  const base = `${server}/v1/sites/${encodeURIComponent(options.site)}`;
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const request = createRequest(base, fetchFn);
  const $site = atom<Loadable<SiteInsights>>({ state: 'loading' });
  const $report = atom<Loadable<IncidentReport> | null>(null);
  // Only the latest request of each kind may land (a slower earlier one is dropped).
  let siteRun = 0;
  let reportRun = 0;

  const reportPath = (incidentId: string) => `/incidents/${encodeURIComponent(incidentId)}/report`;

  return {
    $site,
    $report,

    async loadSite(days) {
      const run = ++siteRun;
      // A refresh of the same window keeps showing the numbers; another window starts afresh.
      const prior = $site.get().value;
      $site.set(prior?.days === days ? { state: 'ready', value: prior } : { state: 'loading' });
      try {
        const value = await request<SiteInsights>('GET', `/insights?days=${days}`, { token });
        if (run === siteRun) $site.set({ state: 'ready', value });
      } catch (error) {
        if (run === siteRun) $site.set({ state: 'error', error: toLifeboatError(error) });
      }
    },

    async loadReport(incidentId) {
      const run = ++reportRun;
      if (incidentId === null) {
        $report.set(null);
        return;
      }
      $report.set({ state: 'loading' });
      try {
        const value = await request<IncidentReport>('GET', reportPath(incidentId), { token });
        if (run === reportRun) $report.set({ state: 'ready', value });
      } catch (error) {
        if (run === reportRun) $report.set({ state: 'error', error: toLifeboatError(error) });
      }
    },

    async reportText(incidentId, format) {
      let response: Response;
      let text: string;
      try {
        response = await fetchFn(base + reportPath(incidentId), {
          method: 'GET',
          headers: { accept: ACCEPT[format], authorization: `Bearer ${token}` },
        });
        text = await response.text();
      } catch (error) {
        throw networkError(error);
      }
      if (response.ok) return text;
      let problem: Partial<Problem> = {};
      try {
        problem = JSON.parse(text) as Partial<Problem>;
      } catch {
        // not problem+json (a proxy's page): the status line says enough
      }
      throw new LifeboatError({
        title: problem.title ?? `HTTP ${response.status}`,
        status: response.status,
        code: problem.code ?? 'internal',
        detail: problem.detail,
      });
    },
  };
}
