/**
 * The posting rules applied by the routes: bans (403 `banned`), banned words (422
 * `content_rejected`), slow mode (429 `slow_mode`) and the review decision of ./policy.ts.
 */
import type { SitePolicy } from '@lifeboat/protocol';
import { ProblemError } from '../http/problem.js';
import type { AuthorStanding, MemberRecord, SiteRecord, Store } from '../store/store.js';
import { evaluatePost, type PostEvaluation, type PostText } from './policy.js';
import { trustLevel } from '../store/sql-reputation.js';

export const isStaffRole = (member: Pick<MemberRecord, 'role'>) =>
  member.role === 'staff' || member.role === 'moderator';

export function bannedProblem(ban: NonNullable<AuthorStanding['ban']>): ProblemError {
  const until = ban.expiresAt ? ` until ${ban.expiresAt}` : '';
  return new ProblemError(
    403,
    'banned',
    `You are banned from posting on this site${until}.${ban.reason ? ` Reason: ${ban.reason}` : ''}`,
  );
}

/** Throws 403 `banned` when the member (or their guest fingerprint) has an active ban. */
export async function refuseBanned(store: Store, siteId: string, member: MemberRecord) {
  if (isStaffRole(member)) return;
  const ban = await store.activeBan(siteId, {
    memberId: member.id,
    fingerprint: member.fingerprint ?? null,
  });
  if (ban) throw bannedProblem(ban);
}

/** 429 `slow_mode` with `Retry-After`: the member posted less than `seconds` ago. */
export function slowModeProblem(seconds: number, retryAfter: number): ProblemError {
  return new ProblemError(
    429,
    'slow_mode',
    `Slow mode is on: one post every ${seconds} s. Try again in ${retryAfter} s.`,
    undefined,
    { 'Retry-After': String(retryAfter) },
    retryAfter,
  );
}

/** 422 `content_rejected`: a banned word, with a message for each field that holds one. */
export function contentRejected(errors: Array<{ field: string; message: string }>): ProblemError {
  return new ProblemError(
    422,
    'content_rejected',
    errors.length === 1 ? errors[0]!.message : 'This post contains words not allowed on this site.',
    errors,
  );
}

/** Host names of a site's origins: emails on these domains are the site's own support. */
export function siteHosts(site: Pick<SiteRecord, 'origins'>): string[] {
  const hosts: string[] = [];
  for (const origin of site.origins) {
    try {
      if (origin !== '*') hosts.push(new URL(origin).hostname);
    } catch {
      // not a URL: ignore
    }
  }
  return hosts;
}

/**
 * The moderation decision for a member's text: throws 403 `banned` for an active ban and 422
 * `content_rejected` for a banned word; else returns the decision (publish or review, with reasons)
 * and the policy (for slow mode).
 */
export async function judgePost(
  store: Store,
  site: SiteRecord,
  member: MemberRecord,
  text: PostText,
): Promise<{ policy: SitePolicy; evaluation: PostEvaluation }> {
  // Two reads: the policy, and everything about the author (standing and stored reputation).
  const [policy, standing] = await Promise.all([
    store.getSitePolicy(site.id),
    store.authorStanding(site.id, member.id),
  ]);
  if (standing.ban && !isStaffRole(member)) throw bannedProblem(standing.ban);
  const evaluation = evaluatePost(
    text,
    {
      kind: member.kind,
      role: member.role,
      publishedPosts: standing.publishedPosts,
      trust: isStaffRole(member) ? 'trusted' : trustLevel(standing.reputation, policy),
    },
    policy,
    { siteDomains: siteHosts(site) },
  );
  if (evaluation.decision === 'reject')
    throw contentRejected(
      (evaluation.rejections ?? []).map(({ field, message }) => ({ field, message })),
    );
  return { policy, evaluation };
}
