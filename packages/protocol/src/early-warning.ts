/**
 * Reputation (issue 12, docs/reputation.md) and early warning (docs/early-warning.md): the
 * resources of `…/members/:member/reputation`, `…/problem-reports`, `…/signals` and the staff
 * spike endpoints.
 */
import type { TrustLevel } from './resources.js';

/** A member's standing on a site (staff view). */
export interface MemberReputation {
  memberId: string;
  /** Distinct other people who said "worked for me" on the member's counted posts. */
  helped: number;
  /** The member's counted posts staff verified. */
  verified: number;
  /** The member's posts staff removed. */
  removed: number;
  /** max(0, helped + 3 × verified − 5 × removed). */
  reputation: number;
  level: TrustLevel;
}

/** `POST …/problem-reports`: "Something not working?", optionally naming a component. */
export interface ProblemReportRequest {
  component?: string | null;
}

export interface ProblemReportResult {
  /** False when this member (or browser) already reported in the last 15 minutes: counted once. */
  counted: boolean;
  /** What the public banner shows now (after this report). */
  signals: PublicSignal[];
}

/** A corroborated spike, as the public banner shows it. */
export interface PublicSignal {
  spikeId: string;
  /** The component most reports named; null when they named none. */
  component: string | null;
  /** Its status-page name (null with no component, or one the site no longer lists). */
  componentName: string | null;
  since: string;
}

export interface SignalsResult {
  signals: PublicSignal[];
}

export type SpikeState = 'open' | 'dismissed' | 'declared';

/** A spike of problem reports the detector found (staff view). */
export interface Spike {
  id: string;
  state: SpikeState;
  component: string | null;
  componentName: string | null;
  detectedAt: string;
  lastReportAt: string;
  /** Reports in the spike (one per member per 15 minutes). */
  reports: number;
  /** Distinct members (a guest browser once) in the hour the detector looked at, or since. */
  members: number;
  /** Distinct reporters expected in that hour of the week (the baseline, or the floor). */
  expected: number;
  /** Poisson upper tail P(X ≥ members | expected). */
  pValue: number;
  /** Shown in the public banner: by enough members, or by staff. */
  public: boolean;
  confirmedAt: string | null;
  /** The manual incident staff declared from it. */
  incidentId: string | null;
}

export interface SpikeList {
  spikes: Spike[];
}

/** `POST …/moderation/spikes/:spike/declare`: the incident made from a spike. */
export interface DeclareSpikeRequest {
  title?: string;
  impact?: 'minor' | 'major' | 'critical';
}
