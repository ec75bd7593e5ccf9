/**
 * The messages of `<lifeboat-insights>`. A table of its own (not in `localize.ts`) so the visitor
 * bundle does not carry staff strings; same rules as the others: English defaults,
 * `setInsightsMessages()` overrides any subset, plurals and numbers follow `setMessages()`'s locale.
 */
import type { Impact } from '@lifeboat/protocol';
import { formatNumber, plural } from '../localize.js';
import { createMessageTable, type MessageOverrides } from '../message-table.js';

/** "45 s", "6 min", "1 h 20 min", "2 d 3 h". */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${formatNumber(s)} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${formatNumber(m)} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${formatNumber(h)} h ${formatNumber(m % 60)} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${formatNumber(d)} d ${formatNumber(h % 24)} h` : `${formatNumber(d)} d`;
}

const defaults = {
  heading: 'Community insights',
  siteLabel: (site: string) => `Site ${site}`,
  windowLabel: 'Period',
  lastDays: (days: number) => `Last ${days} days`,
  loading: 'Loading insights…',
  loadError: 'Could not load the insights.',
  reportError: 'Could not load this report.',
  retry: 'Retry',
  noToken:
    'Staff sign-in needed. Set the token attribute to a staff session token (printed by `lifeboat staff add`) or the server’s admin key.',
  noServer: 'Set the server and site attributes to the Lifeboat server and site.',
  signInPrompt: 'Sign in with your company account to see this site’s insights.',
  signInWith: (provider: string) => `Sign in with ${provider}`,
  unauthorized:
    'This token is not accepted for this site. Use a staff or moderator token of this site, or the admin key.',
  noIncidents: (days: number) =>
    `No incidents in the last ${days} days. Numbers appear here after the next one.`,
  // Site totals
  totalsLabel: 'Totals for the period',
  incidents: 'Incidents',
  affectedReports: 'Affected reports',
  peerAnswers: 'Answers',
  confirmations: '“Worked for me”',
  communityFirst: 'Community found a fix first',
  communityFirstValue: (n: number, of: number) =>
    of ? `${formatNumber(n)} of ${formatNumber(of)}` : '—',
  medianFirstAnswer: 'Median time to first peer answer',
  none: '—',
  // Charts
  chartsLabel: 'Charts',
  dataTable: 'Data table',
  affectedChart: 'Affected reports per incident',
  affectedSummary: (max: number, title: string) =>
    max ? `Most: ${formatNumber(max)} in “${title}”.` : 'No affected reports.',
  activityChart: 'Answers and confirmations per incident',
  activitySummary: (answers: number, confirmations: number) =>
    `${plural(answers, { one: '# answer', other: '# answers' })} and ${plural(confirmations, { one: '# confirmation', other: '# confirmations' })} in all.`,
  firstAnswerChart: 'Time to first peer answer per incident',
  firstAnswerSummary: (median: string | null) =>
    median ? `Median: ${median}.` : 'No peer answers yet.',
  noAnswer: 'no peer answer',
  topWorkaroundsChart: 'Top workarounds by “worked for me”',
  topWorkaroundsSummary: (n: number) =>
    n ? plural(n, { one: '# workaround', other: 'Top # workarounds' }) : 'No workarounds yet.',
  helpersChart: 'Who helped: people others said “worked for me” to',
  helpersSummary: (n: number) =>
    n
      ? `${plural(n, { one: '# member', other: 'Top # members' })}, across every incident (reputation is not per period).`
      : 'No one has been confirmed as helpful yet.',
  memberColumn: 'Member',
  helpedColumn: 'People helped',
  reputationColumn: 'Reputation',
  trustColumn: 'Trust level',
  trustLevel: (level: 'new' | 'basic' | 'helper' | 'trusted') =>
    ({ new: 'New', basic: 'Basic', helper: 'Helper', trusted: 'Trusted' })[level],
  shareChart: 'Who found a fix first',
  shareSummary: (n: number, of: number) =>
    of
      ? `The community was first in ${formatNumber(n)} of ${plural(of, { one: '# incident', other: '# incidents' })} (${formatNumber(Math.round((n / of) * 100))} %).`
      : 'No incidents.',
  shareCommunity: 'Community first',
  shareStaff: 'Staff first',
  shareNoFix: 'No community fix',
  // Tables
  incidentColumn: 'Incident',
  startedColumn: 'Started',
  affectedColumn: 'Affected',
  answersColumn: 'Answers',
  confirmationsColumn: 'Worked for me',
  firstAnswerColumn: 'First peer answer',
  communityFirstColumn: 'Community first',
  workaroundColumn: 'Workaround',
  yes: 'Yes',
  no: 'No',
  incidentsTable: 'Incidents of the period',
  viewReport: 'Report',
  viewReportLabel: (title: string) => `Report of “${title}”`,
  // Report
  reportHeading: (title: string) => `Report: ${title}`,
  reportLoading: 'Loading the report…',
  impact: (impact: Impact) =>
    ({ none: 'No impact', minor: 'Minor', major: 'Major', critical: 'Critical' })[impact],
  ongoing: 'Ongoing',
  lasted: (d: string) => `Lasted ${d}`,
  participants: 'Participants',
  affected: 'Affected',
  answers: 'Answers',
  workarounds: 'Workarounds',
  replies: 'Replies',
  didntWork: '“Didn’t work”',
  verifiedWorkarounds: 'Verified workarounds',
  firstAnswer: 'First peer answer',
  verifiedFix: 'First verified fix',
  inTime: (d: string) => `${d} in`,
  timelineChart: 'Activity over time',
  timelineSummary: (bucket: string) => `Per ${bucket}.`,
  windowColumn: 'From',
  postsSeries: 'Posts',
  affectedSeries: 'Affected',
  confirmationsSeries: 'Worked for me',
  reportWorkarounds: 'Workarounds by “worked for me”',
  verified: 'Verified',
  componentsNamed: 'Components named in workarounds',
  platformsNamed: 'Platforms named in workarounds',
  noneNamed: 'None named.',
  moderation: 'Moderation',
  held: 'Held for review',
  approved: 'Approved',
  rejected: 'Rejected',
  hidden: 'Hidden',
  flagged: 'Flagged',
  downloadCsv: 'Download CSV',
  copyMarkdown: 'Copy summary (Markdown)',
  copied: 'Summary copied.',
  copyFailed: 'Could not copy; the summary is shown below to copy by hand.',
  exportFailed: 'Could not export the report.',
};

export type InsightsMessages = typeof defaults;
export type InsightsMessageOverrides = MessageOverrides<InsightsMessages>;

const table = createMessageTable<InsightsMessages>(defaults);

export const insightsMessages = (): InsightsMessages => table.get();

/** Overrides some insights messages; connected `<lifeboat-insights>` elements re-render. */
export function setInsightsMessages(overrides: InsightsMessageOverrides): void {
  table.set(overrides);
}

export const onInsightsMessagesChange = (listener: () => void): (() => void) =>
  table.onChange(listener);
