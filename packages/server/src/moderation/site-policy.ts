/**
 * A site's moderation policy: the defaults, and the stored JSON (`sites.policy`) read over them.
 * A stored field of the wrong type or out of range is ignored (its default applies), so an old
 * or hand-edited row never breaks posting.
 */
import type { PreModeration, SitePolicy } from '@lifeboat/protocol';

export const DEFAULT_POLICY: Readonly<SitePolicy> = Object.freeze({
  preModeration: 'none',
  firstPosts: 1,
  maxLinks: 3,
  bannedWords: [],
  suspectWords: [],
  riskyAdvice: true,
  flagThreshold: 3,
  bannerConfirmations: 3,
  slowModeSeconds: 0,
  guestChallenge: 'under_load',
  archiveAfterDays: 30,
  trustBasic: 1,
  trustHelper: 5,
  trustTrusted: 15,
  newGuestWeight: 'full',
  earlyWarningMembers: 5,
  earlyWarningPublicMembers: 10,
});

/** Bounds of the numeric fields (the admin API's schema uses the same). */
export const POLICY_LIMITS = {
  firstPosts: { min: 1, max: 100 },
  maxLinks: { min: 0, max: 5 },
  flagThreshold: { min: 1, max: 100 },
  bannerConfirmations: { min: 1, max: 1000 },
  slowModeSeconds: { min: 0, max: 86_400 },
  words: { maxItems: 500, maxLength: 100 },
  archiveAfterDays: { min: 1, max: 3650 },
  trust: { min: 1, max: 100_000 },
  earlyWarning: { min: 1, max: 10_000 },
} as const;

const PRE_MODERATION: readonly PreModeration[] = ['none', 'guests', 'first_posts', 'all'];
const CHALLENGES: readonly SitePolicy['guestChallenge'][] = ['off', 'under_load', 'always'];

const intIn = (v: unknown, { min, max }: { min: number; max: number }) =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;

const words = (v: unknown): string[] | null =>
  Array.isArray(v) && v.every((w) => typeof w === 'string')
    ? [...new Set(v.map((w: string) => w.trim()).filter((w) => w.length > 0))]
    : null;

/**
 * The effective policy of a site: its stored policy (JSON text, or an already parsed object)
 * merged over the defaults, field by field.
 */
export function resolvePolicy(stored: string | Partial<SitePolicy> | null | undefined): SitePolicy {
  let raw: Record<string, unknown> = {};
  if (typeof stored === 'string') {
    try {
      const parsed: unknown = JSON.parse(stored);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
        raw = parsed as Record<string, unknown>;
    } catch {
      raw = {};
    }
  } else if (stored && typeof stored === 'object') {
    raw = stored as Record<string, unknown>;
  }
  const policy: SitePolicy = { ...DEFAULT_POLICY, bannedWords: [], suspectWords: [] };
  if (PRE_MODERATION.includes(raw['preModeration'] as PreModeration))
    policy.preModeration = raw['preModeration'] as PreModeration;
  if (intIn(raw['firstPosts'], POLICY_LIMITS.firstPosts))
    policy.firstPosts = raw['firstPosts'] as number;
  if (intIn(raw['maxLinks'], POLICY_LIMITS.maxLinks)) policy.maxLinks = raw['maxLinks'] as number;
  policy.bannedWords = words(raw['bannedWords']) ?? [];
  policy.suspectWords = words(raw['suspectWords']) ?? [];
  if (typeof raw['riskyAdvice'] === 'boolean') policy.riskyAdvice = raw['riskyAdvice'];
  if (intIn(raw['flagThreshold'], POLICY_LIMITS.flagThreshold))
    policy.flagThreshold = raw['flagThreshold'] as number;
  if (intIn(raw['bannerConfirmations'], POLICY_LIMITS.bannerConfirmations))
    policy.bannerConfirmations = raw['bannerConfirmations'] as number;
  if (intIn(raw['slowModeSeconds'], POLICY_LIMITS.slowModeSeconds))
    policy.slowModeSeconds = raw['slowModeSeconds'] as number;
  if (CHALLENGES.includes(raw['guestChallenge'] as SitePolicy['guestChallenge']))
    policy.guestChallenge = raw['guestChallenge'] as SitePolicy['guestChallenge'];
  if (intIn(raw['archiveAfterDays'], POLICY_LIMITS.archiveAfterDays))
    policy.archiveAfterDays = raw['archiveAfterDays'] as number;
  for (const key of ['trustBasic', 'trustHelper', 'trustTrusted'] as const)
    if (intIn(raw[key], POLICY_LIMITS.trust)) policy[key] = raw[key] as number;
  if (raw['newGuestWeight'] === 'full' || raw['newGuestWeight'] === 'half')
    policy.newGuestWeight = raw['newGuestWeight'];
  for (const key of ['earlyWarningMembers', 'earlyWarningPublicMembers'] as const)
    if (intIn(raw[key], POLICY_LIMITS.earlyWarning)) policy[key] = raw[key] as number;
  return policy;
}
