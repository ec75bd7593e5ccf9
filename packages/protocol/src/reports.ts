/**
 * Post-incident reports and site insights (issue 12, docs/insights.md): what staff read after an
 * outage to tell whether the community helped, and how fast. Staff only.
 */
import type { Impact, IncidentPhase, ThreadState, TrustLevel } from './resources.js';

/** Activity in one window of an incident's timeline (`start` inclusive, `bucketMinutes` long). */
export interface ReportBucket {
  start: string;
  /** "Affected me too" reports made in the window (reports taken back do not count). */
  affected: number;
  /** Published posts (answers, workarounds, replies) that became public in the window. */
  posts: number;
  /** "Worked for me" confirmations given in the window. */
  confirmations: number;
}

export interface ReportWorkaround {
  id: string;
  title: string;
  /** "Worked for me": one per member. */
  confirmations: number;
  didntWork: number;
  verified: boolean;
  component: string | null;
  platform: string | null;
  createdAt: string;
}

/** A component or platform named in published workarounds, and in how many. */
export interface ReportNamed {
  /** The component id or the platform as written. */
  id: string;
  /** The component's name on the status page (the id when it is not one of the site's). */
  name: string;
  workarounds: number;
}

/** `GET /v1/sites/:site/incidents/:incident/report` (staff). */
export interface IncidentReport {
  site: string;
  incident: {
    id: string;
    title: string;
    impact: Impact;
    phase: IncidentPhase;
    threadState: ThreadState;
    components: string[];
    startedAt: string;
    resolvedAt: string | null;
  };
  generatedAt: string;
  /** From start to resolution; null while the incident is open. */
  durationMs: number | null;
  /** Distinct members who reported "affected", have a published post, or confirmed one. */
  participants: number;
  affected: number;
  /** Published, not deleted (the same for workarounds and replies). */
  answers: number;
  workarounds: number;
  replies: number;
  /** "Worked for me" on published posts, one per member and post. */
  confirmations: number;
  didntWork: number;
  verifiedWorkarounds: number;
  /** When the first published peer (non-staff) answer or workaround became public. */
  firstAnswerAt: string | null;
  /** From the incident's start to `firstAnswerAt`. */
  timeToFirstAnswerMs: number | null;
  /** When staff first verified a workaround that is still verified and published. */
  verifiedFixAt: string | null;
  timeToVerifiedFixMs: number | null;
  bucketMinutes: number;
  timeline: ReportBucket[];
  /** Published workarounds, most confirmed first (at most 10). */
  topWorkarounds: ReportWorkaround[];
  components: ReportNamed[];
  platforms: ReportNamed[];
  moderation: {
    /** Posts that waited for review (still waiting, or approved or rejected from the wait). */
    held: number;
    /** Staff approvals (of held or flagged posts). */
    approved: number;
    rejected: number;
    /** Hides, by staff or by member flags reaching the threshold. */
    hidden: number;
    /** Distinct posts members flagged. */
    flagged: number;
  };
}

/** One incident in the site's insights. */
export interface IncidentSummary {
  id: string;
  title: string;
  impact: Impact;
  startedAt: string;
  resolvedAt: string | null;
  threadState: ThreadState;
  affected: number;
  answers: number;
  workarounds: number;
  confirmations: number;
  timeToFirstAnswerMs: number | null;
  /**
   * The community's first fix: the first published workaround with a confirmation (the time of
   * its first one) or a staff verification, whichever came first; null when none.
   */
  communityFixAt: string | null;
  /** Staff's first move: their first published post, first verification, or the resolution. */
  staffFirstAt: string | null;
  /** True when `communityFixAt` came before `staffFirstAt` (or staff never moved). */
  communityFirst: boolean;
}

/** `GET /v1/sites/:site/insights?days=30|90` (staff). */
export interface SiteInsights {
  site: string;
  days: number;
  generatedAt: string;
  /** Incidents started in the window, oldest first. */
  incidents: IncidentSummary[];
  totals: {
    incidents: number;
    affected: number;
    answers: number;
    confirmations: number;
    /** Incidents where the community found a fix before staff moved. */
    communityFirst: number;
    /** Median time to the first peer answer over incidents that had one; null when none. */
    medianTimeToFirstAnswerMs: number | null;
  };
  /** Workarounds of the window's incidents, most confirmed first (at most 10). */
  topWorkarounds: Array<ReportWorkaround & { incidentId: string }>;
  /**
   * Who helped: the members whose posts most other people confirmed ("worked for me"), across
   * every incident of the site (reputation is not per window; docs/reputation.md), at most 10.
   * Erased members are left out.
   */
  topHelpers: TopHelper[];
}

export interface TopHelper {
  memberId: string;
  displayName: string;
  /** Distinct other people who said "worked for me" on their posts. */
  helped: number;
  reputation: number;
  trust: TrustLevel;
}
