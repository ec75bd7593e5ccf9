/**
 * The helpfulness score of a post, computed on the server in the same transaction as each
 * confirmation (docs/thread.md). Pure: the store passes the counts and the "didn't work" times.
 *
 * score = Wilson lower bound (95 %) of the share of "worked" among all confirmations, where a
 * "didn't work" younger than RECENT_DIDNT_WORK_MS counts RECENT_DIDNT_WORK_WEIGHT times: a fix
 * that stopped working during the incident sinks quickly, an old failure weighs like any vote.
 */

/** z for a two-sided 95 % interval. */
const Z = 1.96;
/** A "didn't work" this recent (at the time of the recompute) weighs more. */
export const RECENT_DIDNT_WORK_MS = 60 * 60 * 1000;
export const RECENT_DIDNT_WORK_WEIGHT = 2;

/** Lower bound of the Wilson score interval for `positive` successes out of `total` (weights allowed). */
export function wilsonLowerBound(positive: number, total: number, z = Z): number {
  if (total <= 0) return 0;
  const p = positive / total;
  const z2 = z * z;
  const centre = p + z2 / (2 * total);
  const margin = z * Math.sqrt((p * (1 - p)) / total + z2 / (4 * total * total));
  return Math.max(0, (centre - margin) / (1 + z2 / total));
}

/**
 * The score from the number of "worked" confirmations and the times of the "didn't work" ones.
 * Rounded to 6 decimals so equal inputs compare equal across engines.
 */
export function helpfulness(worked: number, didntWorkTimes: readonly string[], at: string): number {
  const now = Date.parse(at);
  let negative = 0;
  for (const time of didntWorkTimes) {
    const age = now - Date.parse(time);
    negative += age < RECENT_DIDNT_WORK_MS ? RECENT_DIDNT_WORK_WEIGHT : 1;
  }
  return Math.round(wilsonLowerBound(worked, worked + negative) * 1e6) / 1e6;
}
