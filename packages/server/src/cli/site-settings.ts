/**
 * Strict checks of a site's moderation policy as an operator writes it (CLI
 * `lifeboat site policy`, the config file): every mistake is an error naming its path,
 * nothing is silently dropped. The server reads stored values leniently
 * (moderation/site-policy.ts `resolvePolicy`); these checks keep bad values from being stored.
 */
import type { PreModeration, SitePolicy } from '@lifeboat/protocol';
import { POLICY_LIMITS } from '../moderation/site-policy.js';

export type FieldError = { field: string; message: string };
type Checked<T> = { value: T } | { errors: FieldError[] };

const PRE_MODERATION: readonly PreModeration[] = ['none', 'guests', 'first_posts', 'all'];
const CHALLENGES: readonly SitePolicy['guestChallenge'][] = ['off', 'under_load', 'always'];

type PolicyKey = keyof SitePolicy;
type FieldKind =
  | { type: 'enum'; values: readonly string[] }
  | { type: 'int'; min: number; max: number }
  | { type: 'bool' }
  | { type: 'words' };

/** Every policy field, its type, and what it means (help text). */
export const POLICY_FIELDS: Record<PolicyKey, FieldKind & { help: string }> = {
  preModeration: {
    type: 'enum',
    values: PRE_MODERATION,
    help: 'which posts wait for review: none, guests, first_posts or all',
  },
  firstPosts: {
    type: 'int',
    ...POLICY_LIMITS.firstPosts,
    help: "with first_posts: how many of a member's first posts wait",
  },
  maxLinks: { type: 'int', ...POLICY_LIMITS.maxLinks, help: 'more links than this → review' },
  bannedWords: { type: 'words', help: 'posts with one of these words are rejected' },
  suspectWords: { type: 'words', help: 'posts with one of these words go to review' },
  riskyAdvice: {
    type: 'bool',
    help: 'send risky advice (TLS off, curl | sh, credentials, off-site support) to review',
  },
  flagThreshold: {
    type: 'int',
    ...POLICY_LIMITS.flagThreshold,
    help: 'flags from distinct members that hide a post pending review',
  },
  bannerConfirmations: {
    type: 'int',
    ...POLICY_LIMITS.bannerConfirmations,
    help: 'distinct confirmations that put a workaround in the banner without staff',
  },
  slowModeSeconds: {
    type: 'int',
    ...POLICY_LIMITS.slowModeSeconds,
    help: 'one post per member per N seconds; 0 is off',
  },
  guestChallenge: {
    type: 'enum',
    values: CHALLENGES,
    help: 'proof of work before a guest session: off, under_load or always',
  },
  archiveAfterDays: {
    type: 'int',
    ...POLICY_LIMITS.archiveAfterDays,
    help: 'days after resolution before a thread is archived (read-only)',
  },
  trustBasic: {
    type: 'int',
    ...POLICY_LIMITS.trust,
    help: 'reputation for the basic trust level',
  },
  trustHelper: {
    type: 'int',
    ...POLICY_LIMITS.trust,
    help: 'reputation for the helper trust level (skips pre-moderation holds)',
  },
  trustTrusted: {
    type: 'int',
    ...POLICY_LIMITS.trust,
    help: 'reputation for the trusted level (flags and confirmations count double)',
  },
  newGuestWeight: {
    type: 'enum',
    values: ['full', 'half'],
    help: "what a new guest's flag or confirmation counts for: full or half",
  },
  earlyWarningMembers: {
    type: 'int',
    ...POLICY_LIMITS.earlyWarning,
    help: 'distinct members a problem-report spike needs before staff are alerted',
  },
  earlyWarningPublicMembers: {
    type: 'int',
    ...POLICY_LIMITS.earlyWarning,
    help: 'distinct members after which a spike shows in the public banner',
  },
};

const POLICY_KEYS = Object.keys(POLICY_FIELDS) as PolicyKey[];

function describeKind(kind: FieldKind): string {
  switch (kind.type) {
    case 'enum':
      return `one of ${kind.values.join(', ')}`;
    case 'int':
      return `a whole number from ${kind.min} to ${kind.max}`;
    case 'bool':
      return 'true or false';
    case 'words':
      return `a list of at most ${POLICY_LIMITS.words.maxItems} words of 1 to ${POLICY_LIMITS.words.maxLength} characters`;
  }
}

function checkField(key: PolicyKey, value: unknown, path: string): Checked<unknown> {
  const kind = POLICY_FIELDS[key];
  const wrong = (): Checked<unknown> => ({
    errors: [{ field: path, message: `Use ${describeKind(kind)}.` }],
  });
  switch (kind.type) {
    case 'enum':
      return typeof value === 'string' && kind.values.includes(value) ? { value } : wrong();
    case 'int':
      return typeof value === 'number' &&
        Number.isInteger(value) &&
        value >= kind.min &&
        value <= kind.max
        ? { value }
        : wrong();
    case 'bool':
      return typeof value === 'boolean' ? { value } : wrong();
    case 'words': {
      if (!Array.isArray(value) || value.length > POLICY_LIMITS.words.maxItems) return wrong();
      const words: string[] = [];
      const errors: FieldError[] = [];
      value.forEach((w: unknown, i) => {
        const word = typeof w === 'string' ? w.trim() : '';
        if (!word || word.length > POLICY_LIMITS.words.maxLength)
          errors.push({
            field: `${path}[${i}]`,
            message: `Use a word of 1 to ${POLICY_LIMITS.words.maxLength} characters.`,
          });
        else if (!words.includes(word)) words.push(word);
      });
      return errors.length ? { errors } : { value: words };
    }
  }
}

/**
 * A policy or part of one (`{ maxLinks: 1 }`), checked field by field. Unknown fields are errors
 * (a typo must not pass silently). `path` prefixes the field names in errors.
 */
export function checkPolicy(input: unknown, path = 'policy'): Checked<Partial<SitePolicy>> {
  if (!input || typeof input !== 'object' || Array.isArray(input))
    return { errors: [{ field: path, message: 'Use a JSON object of policy fields.' }] };
  const errors: FieldError[] = [];
  const value: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input as Record<string, unknown>)) {
    const fieldPath = `${path}.${key}`;
    if (!(key in POLICY_FIELDS)) {
      errors.push({
        field: fieldPath,
        message: `Unknown policy field; use ${POLICY_KEYS.join(', ')}.`,
      });
      continue;
    }
    const checked = checkField(key as PolicyKey, raw, fieldPath);
    if ('errors' in checked) errors.push(...checked.errors);
    else value[key] = checked.value;
  }
  return errors.length ? { errors } : { value: value as Partial<SitePolicy> };
}

/**
 * `key=value` from the command line, typed by the field: numbers, true/false, and word lists
 * comma separated (`bannedWords=` clears the list).
 */
export function parsePolicySetting(setting: string): Checked<Partial<SitePolicy>> {
  const eq = setting.indexOf('=');
  const key = eq > 0 ? setting.slice(0, eq).trim() : '';
  const raw = eq > 0 ? setting.slice(eq + 1).trim() : '';
  if (!key)
    return { errors: [{ field: setting, message: 'Use key=value, e.g. --set maxLinks=1.' }] };
  const kind = POLICY_FIELDS[key as PolicyKey];
  if (!kind) return checkPolicy({ [key]: raw }, 'policy');
  let value: unknown = raw;
  if (kind.type === 'int') value = /^-?\d+$/.test(raw) ? Number(raw) : raw;
  else if (kind.type === 'bool')
    value = raw === 'true' || raw === 'on' ? true : raw === 'false' || raw === 'off' ? false : raw;
  else if (kind.type === 'words')
    value = raw === '' ? [] : raw.split(',').map((w) => w.trim() || ' ');
  return checkPolicy({ [key]: value }, 'policy');
}

export const POLICY_HELP = POLICY_KEYS.map(
  (k) => `  ${k.padEnd(16)} ${describeKind(POLICY_FIELDS[k])}: ${POLICY_FIELDS[k].help}`,
).join('\n');
