/**
 * The moderation decision for a post, from its text, its author and the site's policy. Pure: no
 * storage, no clock (the caller counts the author's published posts).
 *
 * - staff and moderators always publish;
 * - a banned word (whole word, case-insensitive, in the body or the workaround's fields) rejects,
 *   with a message for each field that holds one;
 * - suspect words, more links than `maxLinks`, risky advice and pre-moderation send the post to
 *   review, each with a reason a moderator can read.
 */
import { scanLinks } from '@lifeboat/protocol';
import type {
  MemberKind,
  MemberRole,
  ModerationReason,
  SitePolicy,
  TrustLevel,
  WorkaroundFields,
} from '@lifeboat/protocol';
import { foldForMatching, matchableText } from '../content/display-name.js';
import { riskyAdvice, type RiskyContext } from './risky-advice.js';

export { DEFAULT_POLICY, resolvePolicy } from './site-policy.js';

export interface PostText {
  body: string;
  workaround?: WorkaroundFields | null;
}

export interface PostAuthor {
  kind: MemberKind;
  role: MemberRole;
  /** Posts of this member already published on the site (for `first_posts`). */
  publishedPosts: number;
  /**
   * The member's trust level (store/sql-reputation.ts): `helper` and `trusted` skip the
   * pre-moderation holds (`pre_moderation`, `guest`, `first_posts`); the content rules still apply.
   */
  trust?: TrustLevel;
}

export interface Rejection {
  /** `body`, `workaround.title`, `workaround.steps`, … (as in validation problems). */
  field: string;
  message: string;
  /** The banned word found. */
  match: string;
}

export interface PostEvaluation {
  decision: 'publish' | 'review' | 'reject';
  /** Why the post waits for review (empty when it publishes). */
  reasons: ModerationReason[];
  /** Set when rejected: which fields hold a banned word. */
  rejections?: Rejection[];
}

/** The texts of a post, by field name. */
export function postFields({ body, workaround }: PostText): Array<[string, string]> {
  const fields: Array<[string, string]> = [['body', body]];
  if (workaround) {
    fields.push(['workaround.title', workaround.title]);
    fields.push(['workaround.steps', workaround.steps.join('\n')]);
    if (workaround.riskNote) fields.push(['workaround.riskNote', workaround.riskNote]);
    if (workaround.platform) fields.push(['workaround.platform', workaround.platform]);
  }
  return fields;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiled word patterns by word (a site's lists are short and change rarely; bounded anyway). */
const patterns = new Map<string, RegExp | null>();

/** `word` as a whole-word, case-insensitive pattern over `matchableText`; null for an empty word. */
function wordPattern(word: string): RegExp | null {
  let re = patterns.get(word);
  if (re === undefined) {
    const w = matchableText(word).trim();
    re = w
      ? new RegExp(
          `(?<![\\p{L}\\p{N}_])${escape(w).replace(/\s+/g, '\\s+')}(?![\\p{L}\\p{N}_])`,
          'iu',
        )
      : null;
    if (patterns.size >= 1000) patterns.clear();
    patterns.set(word, re);
  }
  return re;
}

/**
 * Finds the first of `words` in `text` as a whole word (Unicode-aware), case-insensitive, both
 * read as `matchableText` (issue 16): NFKC, no zero-width or bidi characters, no accents, Cyrillic
 * and Greek look-alikes as Latin letters — "cаs\u200Bino" is "casino". Returns the match as written.
 */
export function findWord(text: string, words: readonly string[]): string | null {
  if (words.length === 0) return null;
  const folded = foldForMatching(text);
  for (const word of words) {
    const re = wordPattern(word);
    if (!re) continue;
    const m = re.exec(folded.text);
    if (m) {
      const end = m.index + m[0].length;
      // The match as the author wrote it, from its first to its last folded character.
      const last = folded.origin[end - 1]!;
      return text.slice(folded.origin[m.index], last + (text.codePointAt(last)! > 0xffff ? 2 : 1));
    }
  }
  return null;
}

const HTTPS_LINK = /\bhttps:\/\/[^\s<>()[\]"']+/gi;

/** Links of a post: the body's, plus those in the workaround fields that the body does not repeat. */
function countLinks(text: PostText): { count: number; last: string | null } {
  const body = text.body.match(HTTPS_LINK) ?? [];
  const rest = postFields(text)
    .slice(1)
    .flatMap(([, t]) => t.match(HTTPS_LINK) ?? []);
  const pool = [...body];
  const extra = rest.filter((l) => {
    const i = pool.indexOf(l);
    if (i >= 0) {
      pool.splice(i, 1);
      return false;
    }
    return true;
  });
  const all = [...body, ...extra];
  // scanLinks counts what the post-input rules count; keep the larger for safety.
  const count = Math.max(all.length, scanLinks(text.body).https);
  return { count, last: all[all.length - 1] ?? null };
}

export function evaluatePost(
  text: PostText,
  author: PostAuthor,
  policy: SitePolicy,
  context: RiskyContext = {},
): PostEvaluation {
  if (author.role === 'staff' || author.role === 'moderator')
    return { decision: 'publish', reasons: [] };

  const fields = postFields(text);
  const rejections: Rejection[] = [];
  for (const [field, value] of fields) {
    const word = findWord(value, policy.bannedWords);
    if (word)
      rejections.push({
        field,
        match: word,
        message: `“${word}” is not allowed on this site. Remove it and post again.`,
      });
  }
  if (rejections.length > 0) return { decision: 'reject', reasons: [], rejections };

  const all = fields.map(([, v]) => v).join('\n');
  const reasons: ModerationReason[] = [];

  const proven = author.trust === 'helper' || author.trust === 'trusted';
  if (proven) {
    // Proven helpers skip pre-moderation (issue 12, docs/reputation.md).
  } else if (policy.preModeration === 'all')
    reasons.push({
      code: 'pre_moderation',
      message: 'Every post on this site is reviewed before it is published.',
    });
  else if (policy.preModeration === 'guests' && author.kind === 'guest')
    reasons.push({ code: 'guest', message: 'Posts by guests are reviewed before publication.' });
  else if (policy.preModeration === 'first_posts' && author.publishedPosts < policy.firstPosts)
    reasons.push({
      code: 'first_posts',
      message:
        policy.firstPosts === 1
          ? "The member's first post is reviewed before publication."
          : `The member's first ${policy.firstPosts} posts are reviewed before publication (${author.publishedPosts} published so far).`,
    });

  const links = countLinks(text);
  if (links.count > policy.maxLinks)
    reasons.push({
      code: 'links',
      message: `${links.count} links; posts with more than ${policy.maxLinks} are reviewed.`,
      ...(links.last ? { match: links.last } : {}),
    });

  const suspect = findWord(all, policy.suspectWords);
  if (suspect)
    reasons.push({
      code: 'suspect_word',
      message: `Contains “${suspect}”, a word this site reviews.`,
      match: suspect,
    });

  // Risky advice is matched on the text as read (no zero-width characters inside `curl -k`).
  if (policy.riskyAdvice) reasons.push(...riskyAdvice(matchableText(all), context));

  return { decision: reasons.length > 0 ? 'review' : 'publish', reasons };
}
