/**
 * Display names and the text that moderation matches words in (issue 16).
 *
 * - `cleanText`: Unicode NFKC, then control, format (zero-width, bidi overrides and isolates such
 *   as U+202E), private-use, unassigned and other invisible characters removed, whitespace
 *   collapsed. What a name or a word match is made of: what a reader sees.
 * - `skeleton`: a name reduced to the letters it looks like (lower case, accents dropped, common
 *   Cyrillic and Greek look-alikes and digit/symbol spellings mapped to Latin letters), so
 *   "Αсmе Ѕuppоrt", "ACME-SUPP0RT" and "acme support" compare equal. Enough to stop the obvious;
 *   not Unicode's full confusables table.
 * - `reservedName`: why a guest may not take a name — the site's name, a staff member's name on
 *   the site, or a word that claims a role ("Support", "Staff", "Admin", …).
 */

/** Invisible characters removed from names and from text before word matching. */
const INVISIBLE =
  /[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\u17B4\u17B5\u180E\u2800\u3164\uFFA0]|\u034F|\u115F|\u1160|[\u180B-\u180D\u180F]|[\uFE00-\uFE0E]/gu;
/** More than two combining marks on one letter ("Zalgo" text) are cut to two. */
const STACKED_MARKS = /(\p{M}{2})\p{M}+/gu;

/** NFKC, invisible characters removed, runs of whitespace as one space, trimmed. */
export function cleanText(raw: string): string {
  return raw
    .normalize('NFKC')
    .replace(/[\s\p{Z}]+/gu, ' ')
    .replace(INVISIBLE, '')
    .replace(STACKED_MARKS, '$1')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/**
 * Letters that look like Latin ones (upper and lower case) and the Latin letter they pass for.
 * Applied after NFKC, so full-width and mathematical letters are already Latin.
 */
const LOOKALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  А: 'a',
  в: 'b',
  В: 'b',
  е: 'e',
  Е: 'e',
  ё: 'e',
  Ё: 'e',
  к: 'k',
  К: 'k',
  м: 'm',
  М: 'm',
  н: 'h',
  Н: 'h',
  о: 'o',
  О: 'o',
  р: 'p',
  Р: 'p',
  с: 'c',
  С: 'c',
  т: 't',
  Т: 't',
  у: 'y',
  У: 'y',
  х: 'x',
  Х: 'x',
  і: 'i',
  І: 'i',
  ї: 'i',
  Ї: 'i',
  ј: 'j',
  Ј: 'j',
  ѕ: 's',
  Ѕ: 's',
  һ: 'h',
  Һ: 'h',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  Ԝ: 'w',
  ү: 'y',
  Ү: 'y',
  ӏ: 'l',
  Ӏ: 'l',
  п: 'n',
  г: 'r',
  ь: 'b',
  // Greek
  α: 'a',
  Α: 'a',
  β: 'b',
  Β: 'b',
  ε: 'e',
  Ε: 'e',
  η: 'n',
  Η: 'h',
  ι: 'i',
  Ι: 'i',
  κ: 'k',
  Κ: 'k',
  μ: 'u',
  Μ: 'm',
  ν: 'v',
  Ν: 'n',
  ο: 'o',
  Ο: 'o',
  ρ: 'p',
  Ρ: 'p',
  τ: 't',
  Τ: 't',
  υ: 'u',
  Υ: 'y',
  χ: 'x',
  Χ: 'x',
  ζ: 'z',
  Ζ: 'z',
  ϲ: 'c',
  Ϲ: 'c',
  // Latin look-alikes NFKC keeps
  ı: 'i',
  ȷ: 'j',
  ɑ: 'a',
  ɡ: 'g',
  ɩ: 'i',
  ʟ: 'l',
  ᴀ: 'a',
  ᴄ: 'c',
  ᴅ: 'd',
  ᴇ: 'e',
  ᴍ: 'm',
  ᴏ: 'o',
  ᴘ: 'p',
  ᴛ: 't',
  ᴜ: 'u',
  ᴠ: 'v',
  ᴡ: 'w',
  ᴢ: 'z',
  ſ: 's',
  ł: 'l',
  Ł: 'l',
  ø: 'o',
  Ø: 'o',
  đ: 'd',
  Đ: 'd',
  ħ: 'h',
};

/** Digits and symbols spelled for letters in names ("SUPP0RT", "$taff", "Adm1n"). */
const SPELLED: Record<string, string> = {
  '0': 'o',
  '1': 'l',
  '3': 'e',
  '4': 'a',
  '5': 's',
  '7': 't',
  '8': 'b',
  '9': 'g',
  '@': 'a',
  $: 's',
  '!': 'l',
  '|': 'l',
  '€': 'e',
  '£': 'l',
};

/** Letters that read alike once lower-cased ("I" and "l", "rn" and "m", "vv" and "w"). */
const fold = (s: string) => s.replace(/i/g, 'l').replace(/rn/g, 'm').replace(/vv/g, 'w');

const PRINTABLE_ASCII = /^[\x20-\x7e\t\n\r]*$/;
const ASCII_FOLDS_TO_ITSELF = !Object.keys(LOOKALIKES).some((k) => k.charCodeAt(0) < 0x80);

/** One letter or digit as the Latin letter it passes for (after NFKC). */
function latin(ch: string, spelled: boolean): string {
  return LOOKALIKES[ch] ?? (spelled ? (SPELLED[ch] ?? ch) : ch);
}

/**
 * Text for word matching (banned and suspect words, risky advice), one character at a time: NFKC,
 * invisible characters removed, accents dropped, Cyrillic and Greek look-alikes as Latin letters.
 * Case, digits and whitespace are kept (the matching is case-insensitive). `origin[i]` is where
 * the folded character `i` came from in `raw`, so a match can be shown as the author wrote it.
 */
export function foldForMatching(raw: string): { text: string; origin: number[] } {
  // Printable ASCII folds to itself (NFKC and NFD leave it, nothing is invisible or accented, no
  // ASCII character is a look-alike): most posts, checked on every write, skip the loop.
  if (ASCII_FOLDS_TO_ITSELF && PRINTABLE_ASCII.test(raw))
    return { text: raw, origin: Array.from({ length: raw.length + 1 }, (_, i) => i) };
  let text = '';
  const origin: number[] = [];
  let at = 0;
  for (const ch of raw) {
    const isSpace = /\s/u.test(ch);
    const folded = isSpace
      ? ch
      : ch
          .normalize('NFKC')
          .replace(INVISIBLE, '')
          .normalize('NFD')
          .replace(/\p{Mn}/gu, '');
    for (const f of folded) {
      const out = latin(f, false);
      text += out;
      for (let k = 0; k < out.length; k++) origin.push(at);
    }
    at += ch.length;
  }
  origin.push(raw.length);
  return { text, origin };
}

/** `foldForMatching`'s text alone. */
export function matchableText(raw: string): string {
  return foldForMatching(raw).text;
}

/** A name as the letters it looks like: lower case, no accents, look-alikes mapped, a–z only. */
export function skeleton(raw: string): string {
  const base = cleanText(raw).normalize('NFKD').replace(/\p{M}/gu, '');
  let out = '';
  for (const ch of base) out += latin(ch, true).toLowerCase();
  return fold(out.replace(/[^a-z]/g, ''));
}

/** Words of a name, each as its skeleton ("Acme_Supp0rt" → ["acme", "support"]). */
function words(raw: string): string[] {
  return cleanText(raw)
    .split(/[\s\p{P}\p{S}]+/u)
    .map((w) => skeleton(w))
    .filter((w) => w.length > 0);
}

/** Words that claim a role on the site: a guest name with one would pass for staff. */
const ROLE_WORDS = [
  'admin',
  'administrator',
  'administrators',
  'admins',
  'moderator',
  'moderators',
  'mod',
  'mods',
  'staff',
  'support',
  'official',
  'helpdesk',
  'sysadmin',
  'lifeboat',
].map((w) => skeleton(w));

/** Words of a site name too common to reserve on their own ("Acme Cloud": "cloud" stays free). */
const GENERIC = new Set(
  [
    'cloud',
    'status',
    'labs',
    'systems',
    'online',
    'group',
    'software',
    'services',
    'service',
    'platform',
    'page',
    'the',
    'and',
    'app',
    'apps',
    'inc',
    'ltd',
    'llc',
    'corp',
    'company',
    'team',
  ].map((w) => skeleton(w)),
);

export interface ReservedContext {
  /** The site's name ("Acme") and slug ("acme"). */
  siteName: string;
  siteSlug: string;
  /** Display names of the site's staff and moderators. */
  staffNames: readonly string[];
}

/** Why `name` is kept for the site and its staff, or null when a guest may take it. */
export function reservedName(name: string, context: ReservedContext): string | null {
  const whole = skeleton(name);
  const own = words(name);
  const site = skeleton(context.siteName);
  const siteWords = [
    ...words(context.siteName),
    ...(context.siteSlug.length >= 4 ? [skeleton(context.siteSlug)] : []),
  ].filter((w) => w.length >= 4 && !GENERIC.has(w));
  if (
    (site.length >= 3 && whole.includes(site)) ||
    siteWords.some((w) => own.includes(w) || whole.includes(w))
  )
    return `Names that contain the site's name (“${context.siteName}”) are kept for its staff. Choose a name of your own.`;
  const role = own.find((w) => ROLE_WORDS.includes(w)) ?? ROLE_WORDS.find((w) => whole === w);
  if (role)
    return 'Names that claim a role (support, staff, admin, moderator, official) are kept for staff. Choose a name of your own.';
  if (context.staffNames.some((staff) => skeleton(staff).length > 0 && skeleton(staff) === whole))
    return 'A staff member of this site goes by this name. Choose a name of your own.';
  return null;
}
