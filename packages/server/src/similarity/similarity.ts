/**
 * Near-duplicate workarounds: text normalisation (Unicode folding, lowercase, punctuation out,
 * stopwords out, a light stemmer), character-trigram sets per word, Jaccard similarity. A typed
 * text is compared with an existing workaround's title alone and with its title plus steps; the
 * better of the two counts, so a title typed on its own already finds its duplicate.
 * Pure and synchronous; the threshold is tuned on labelled-pairs.json (see docs/workarounds.md).
 */
import type { WorkaroundFields } from '@lifeboat/protocol';

/** Scores at or above this are "looks alike". Tuned on labelled-pairs.json for precision. */
export const SIMILARITY_THRESHOLD = 0.3;

/** Typed text shorter than this (normalised, in characters) is not compared at all. */
export const MIN_QUERY_CHARS = 6;

const STOPWORDS = new Set(
  (
    'a an and are as at be but by can do does for from has have how i if in into is it its ' +
    'just me my of off on or our out so than that the their then there these this to too up ' +
    'us was we were what when where which while will with you your yours now again then also ' +
    'instead please try use using'
  ).split(' '),
);

/** Strips a common English suffix: "restarting", "restarted", "restarts" → "restart". */
function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const suffix of ['ing', 'ed', 'es', 's']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      return suffix === 'es' && !/(?:ch|sh|ss|x|z)$/.test(base) ? word.slice(0, -1) : base;
    }
  }
  return word;
}

/** Lowercase words without diacritics, punctuation or stopwords, lightly stemmed. */
export function normalize(text: string): string[] {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .split(' ')
    .filter((w) => w && !STOPWORDS.has(w))
    .map(stem);
}

/** Character trigrams of each word, padded so that short words and word edges count too. */
export function trigrams(words: readonly string[]): Set<string> {
  const grams = new Set<string>();
  for (const word of words) {
    const padded = ` ${word} `;
    for (let i = 0; i + 3 <= padded.length; i++) grams.add(padded.slice(i, i + 3));
  }
  return grams;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const g of small) if (large.has(g)) shared++;
  return shared / (a.size + b.size - shared);
}

/** A workaround prepared once for many comparisons. */
export interface Fingerprint {
  title: Set<string>;
  full: Set<string>;
}

export function fingerprint(w: Pick<WorkaroundFields, 'title' | 'steps'>): Fingerprint {
  const title = normalize(w.title);
  return { title: trigrams(title), full: trigrams([...title, ...normalize(w.steps.join(' '))]) };
}

/** How alike a typed text is to an existing workaround, in [0, 1]. */
export function similarity(query: string | Set<string>, candidate: Fingerprint): number {
  const q = typeof query === 'string' ? trigrams(normalize(query)) : query;
  return Math.max(jaccard(q, candidate.title), jaccard(q, candidate.full));
}

/** The candidates that look like `query`, best first, at most `limit`. */
export function findSimilar<T extends { workaround: WorkaroundFields | null }>(
  query: string,
  candidates: readonly T[],
  { limit = 3, threshold = SIMILARITY_THRESHOLD } = {},
): Array<{ item: T; score: number }> {
  const words = normalize(query);
  if (words.join('').length < MIN_QUERY_CHARS) return [];
  const q = trigrams(words);
  const scored: Array<{ item: T; score: number }> = [];
  for (const item of candidates) {
    if (!item.workaround) continue;
    const score = similarity(q, fingerprint(item.workaround));
    if (score >= threshold) scored.push({ item, score: Math.round(score * 1000) / 1000 });
  }
  return scored.sort((x, y) => y.score - x.score).slice(0, limit);
}
