/**
 * An InsightsClient built from real nanostores atoms, for `<lifeboat-insights>` tests: tests set
 * the stores, and see what the component asked for in `calls`. `sampleInsights()` and
 * `sampleReport()` are a period of three incidents and the report of the latest.
 */
import type { IncidentReport, SiteInsights } from '@lifeboat/protocol';
import type { InsightsClient, InsightsDays, Loadable, ReportFormat } from '@lifeboat/sdk/insights';
import { atom } from 'nanostores';

const T = Date.parse('2026-03-02T10:00:00.000Z');
const at = (minutes: number) => new Date(T + minutes * 60_000).toISOString();
const DAY = 24 * 60;

export function sampleInsights(days: InsightsDays = 30): SiteInsights {
  return {
    site: 'acme',
    days,
    generatedAt: at(0),
    incidents: [
      {
        id: 'inc-1',
        title: 'Login failures',
        impact: 'minor',
        startedAt: at(-20 * DAY),
        resolvedAt: at(-20 * DAY + 40),
        threadState: 'locked',
        affected: 41,
        answers: 6,
        workarounds: 2,
        confirmations: 19,
        timeToFirstAnswerMs: 5 * 60_000,
        communityFixAt: at(-20 * DAY + 9),
        staffFirstAt: at(-20 * DAY + 25),
        communityFirst: true,
      },
      {
        id: 'inc-2',
        title: 'Slow dashboards',
        impact: 'major',
        startedAt: at(-9 * DAY),
        resolvedAt: at(-9 * DAY + 90),
        threadState: 'locked',
        affected: 12,
        answers: 3,
        workarounds: 1,
        confirmations: 4,
        timeToFirstAnswerMs: 14 * 60_000,
        communityFixAt: at(-9 * DAY + 30),
        staffFirstAt: at(-9 * DAY + 3),
        communityFirst: false,
      },
      {
        id: 'inc-3',
        title: 'Webhook deliveries delayed',
        impact: 'major',
        startedAt: at(-60),
        resolvedAt: at(-13),
        threadState: 'open',
        affected: 312,
        answers: 9,
        workarounds: 3,
        confirmations: 57,
        timeToFirstAnswerMs: 6 * 60_000,
        communityFixAt: at(-50),
        staffFirstAt: at(-40),
        communityFirst: true,
      },
    ],
    totals: {
      incidents: 3,
      affected: 365,
      answers: 18,
      confirmations: 80,
      communityFirst: 2,
      medianTimeToFirstAnswerMs: 6 * 60_000,
    },
    topWorkarounds: [
      {
        id: 'w1',
        title: 'Switch to batch delivery',
        confirmations: 41,
        didntWork: 3,
        verified: true,
        component: 'webhooks',
        platform: null,
        createdAt: at(-52),
        incidentId: 'inc-3',
      },
      {
        id: 'w2',
        title: 'Clear the session cookie and sign in again',
        confirmations: 17,
        didntWork: 1,
        verified: false,
        component: null,
        platform: 'iOS',
        createdAt: at(-20 * DAY + 6),
        incidentId: 'inc-1',
      },
    ],
    topHelpers: [
      { memberId: 'm1', displayName: 'Priya (SRE)', helped: 23, reputation: 29, trust: 'trusted' },
      { memberId: 'm2', displayName: 'Jonas', helped: 9, reputation: 9, trust: 'helper' },
      { memberId: 'm3', displayName: 'Guest 4f2a', helped: 2, reputation: 2, trust: 'basic' },
    ],
  };
}

export function sampleReport(): IncidentReport {
  const timeline = Array.from({ length: 12 }, (_, i) => ({
    start: at(-60 + i * 5),
    affected: [40, 90, 70, 45, 30, 15, 10, 5, 4, 2, 1, 0][i]!,
    posts: [0, 2, 3, 2, 1, 1, 1, 1, 0, 0, 0, 0][i]!,
    confirmations: [0, 0, 4, 9, 12, 10, 8, 6, 4, 2, 1, 1][i]!,
  }));
  return {
    site: 'acme',
    incident: {
      id: 'inc-3',
      title: 'Webhook deliveries delayed',
      impact: 'major',
      phase: 'resolved',
      threadState: 'open',
      components: ['webhooks'],
      startedAt: at(-60),
      resolvedAt: at(-13),
    },
    generatedAt: at(0),
    durationMs: 47 * 60_000,
    participants: 330,
    affected: 312,
    answers: 9,
    workarounds: 3,
    replies: 14,
    confirmations: 57,
    didntWork: 6,
    verifiedWorkarounds: 1,
    firstAnswerAt: at(-54),
    timeToFirstAnswerMs: 6 * 60_000,
    verifiedFixAt: at(-40),
    timeToVerifiedFixMs: 20 * 60_000,
    bucketMinutes: 5,
    timeline,
    topWorkarounds: [
      {
        id: 'w1',
        title: 'Switch to batch delivery',
        confirmations: 41,
        didntWork: 3,
        verified: true,
        component: 'webhooks',
        platform: null,
        createdAt: at(-52),
      },
      {
        id: 'w3',
        title: 'Poll the events API instead',
        confirmations: 12,
        didntWork: 2,
        verified: false,
        component: 'api',
        platform: 'Android',
        createdAt: at(-48),
      },
    ],
    components: [
      { id: 'webhooks', name: 'Webhooks', workarounds: 2 },
      { id: 'api', name: 'API', workarounds: 1 },
    ],
    platforms: [{ id: 'Android', name: 'Android', workarounds: 1 }],
    moderation: { held: 4, approved: 3, rejected: 1, hidden: 2, flagged: 3 },
  };
}

type Call =
  | { name: 'loadSite'; days: InsightsDays }
  | { name: 'loadReport'; incidentId: string | null }
  | { name: 'reportText'; incidentId: string; format: ReportFormat };

export class FakeInsights implements InsightsClient {
  readonly $site = atom<Loadable<SiteInsights>>({ state: 'loading' });
  readonly $report = atom<Loadable<IncidentReport> | null>(null);
  readonly calls: Call[] = [];
  /** What `loadSite` / `loadReport` resolve to; null leaves the store as the test set it. */
  site: SiteInsights | null = null;
  report: IncidentReport | null = null;
  text: Record<ReportFormat, string> = { csv: 'section,key,value\r\n', markdown: '## Summary\n' };

  callsOf<N extends Call['name']>(name: N): Array<Extract<Call, { name: N }>> {
    return this.calls.filter((c): c is Extract<Call, { name: N }> => c.name === name);
  }

  async loadSite(days: InsightsDays): Promise<void> {
    this.calls.push({ name: 'loadSite', days });
    if (this.site) this.$site.set({ state: 'ready', value: { ...this.site, days } });
  }

  async loadReport(incidentId: string | null): Promise<void> {
    this.calls.push({ name: 'loadReport', incidentId });
    if (incidentId === null) this.$report.set(null);
    else if (this.report)
      this.$report.set({
        state: 'ready',
        value: { ...this.report, incident: { ...this.report.incident, id: incidentId } },
      });
  }

  async reportText(incidentId: string, format: ReportFormat): Promise<string> {
    this.calls.push({ name: 'reportText', incidentId, format });
    return this.text[format];
  }
}
