/**
 * The early-warning detector (issue 12, ADR 0024, docs/early-warning.md).
 *
 * After each stored "Something not working?" report the detector counts k, the distinct reporters
 * (a guest browser once) in the hour before it, and compares k with λ, the distinct reporters
 * expected in that hour of the week: the mean of the same hour in each of the last 4 weeks the
 * site existed for (at least `MIN_EXPECTED`). A site younger than a week has no baseline: λ is
 * the floor `NEW_SITE_EXPECTED` (1 reporter an hour).
 *
 * A spike is k ≥ the site's `earlyWarningMembers` AND P(X ≥ k | Poisson(λ)) < `P_THRESHOLD`
 * (0.001). While a spike is open (a report within the last hour, neither dismissed nor declared),
 * new reports join it and raise no new alert: one alert per spike. A new spike writes the staff
 * event `spike.detected` and notifies `spike.detected` (services/notifier.ts); the public banner
 * shows it only once corroborated: `earlyWarningPublicMembers` distinct reporters, or staff
 * confirmed it.
 */
import type { Spike } from '@lifeboat/protocol';
import type { NotifierRegistry } from './notifier.js';
import type { Store } from '../store/store.js';

export const P_THRESHOLD = 0.001;
export const NEW_SITE_EXPECTED = 1;
export const MIN_EXPECTED = 0.25;
const HOUR = 3_600_000;

/** P(X ≥ k) for X ~ Poisson(λ), summed in log space (stable for large k and λ). */
export function poissonUpperTail(k: number, lambda: number): number {
  if (k <= 0) return 1;
  if (lambda <= 0) return 0;
  // P(X ≥ k) = 1 − Σ_{i<k} e^−λ λ^i / i!; for k far above λ sum the upper terms instead.
  if (k > lambda) {
    let term = Math.exp(-lambda + k * Math.log(lambda) - logFactorial(k));
    let sum = 0;
    for (let i = k; term > sum * 1e-17 && i < k + 10_000; i++) {
      sum += term;
      term *= lambda / (i + 1);
    }
    return Math.min(1, sum);
  }
  let term = Math.exp(-lambda);
  let below = 0;
  for (let i = 0; i < k; i++) {
    below += term;
    term *= lambda / (i + 1);
  }
  return Math.max(0, 1 - below);
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** λ for an hour: the mean of the baseline weeks (at least MIN_EXPECTED), or the new-site floor. */
export function expectedFrom(baseline: readonly number[]): number {
  if (baseline.length === 0) return NEW_SITE_EXPECTED;
  return Math.max(MIN_EXPECTED, baseline.reduce((a, b) => a + b, 0) / baseline.length);
}

/** The test: at least `minMembers` distinct reporters AND a Poisson tail below 0.001. */
export function isSpike(
  members: number,
  expected: number,
  minMembers: number,
): { spike: boolean; pValue: number } {
  const pValue = poissonUpperTail(members, expected);
  return { spike: members >= minMembers && pValue < P_THRESHOLD, pValue };
}

export interface ReportOutcome {
  counted: boolean;
  /** A spike this report started (staff were alerted); null otherwise. */
  detected: Spike | null;
  /** The staff event's sequence, when one was written. */
  seq: number | null;
}

/**
 * Stores a report and runs the detector. `at` is the report's time (tests replay a series).
 */
export async function reportProblem(
  deps: { store: Store; notifiers: Pick<NotifierRegistry, 'notify'> },
  input: {
    siteId: string;
    memberId: string;
    reporter: string;
    component: string | null;
    at: number;
  },
): Promise<ReportOutcome> {
  const { store, notifiers } = deps;
  const ew = store.earlyWarning;
  const counted = await ew.addReport(input);
  if (!counted) return { counted, detected: null, seq: null };
  const policy = await store.getSitePolicy(input.siteId);
  const active = await ew.activeSpike(input.siteId, input.at);
  if (active) {
    await ew.joinSpike(input.siteId, active.id, input.at);
    return { counted, detected: null, seq: null };
  }
  const stats = await ew.windowStats(input.siteId, input.at - HOUR, input.at);
  const expected = expectedFrom(await ew.baseline(input.siteId, input.at));
  const { spike, pValue } = isSpike(stats.members, expected, policy.earlyWarningMembers);
  if (!spike) return { counted, detected: null, seq: null };
  const detected = await ew.createSpike({
    siteId: input.siteId,
    at: input.at,
    stats,
    expected,
    pValue,
    publicMembers: policy.earlyWarningPublicMembers,
  });
  const seq = await ew.announce(input.siteId, detected, input.at);
  await notifiers.notify(input.siteId, { type: 'spike.detected', spike: detected });
  return { counted, detected, seq };
}
