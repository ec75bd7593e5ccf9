/** Small readers shared by the status normalizers: HTML to text, timestamps to ISO UTC. */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
  ndash: '–',
  mdash: '—',
  hellip: '…',
  lsquo: '‘',
  rsquo: '’',
  ldquo: '“',
  rdquo: '”',
  bull: '•',
  middot: '·',
  copy: '©',
  reg: '®',
  trade: '™',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (match, name: string) => {
    if (name[0] === '#') {
      const code =
        name[1] === 'x' || name[1] === 'X'
          ? parseInt(name.slice(2), 16)
          : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : match;
    }
    return NAMED_ENTITIES[name.toLowerCase()] ?? match;
  });
}

const BLOCKS = new Set([
  'p',
  'div',
  'ul',
  'ol',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'blockquote',
  'pre',
  'tr',
]);
const WORD = /[A-Za-z0-9_]/;
const SPACE = /\s/;

/**
 * The first occurrence at or after a position, for positions that only move forward: each search
 * starts where the last one ended, so all of them together read the text once (a plain
 * `indexOf` per tag would read to the end again for every unclosed tag: quadratic).
 */
function forwardFinder(find: (from: number) => number) {
  let found = -2;
  return (from: number): number => {
    if (found === -1 || found >= from) return found;
    found = find(from);
    return found;
  };
}

/** Tags out, line breaks and bullets in: one pass, each character read a bounded number of times. */
function stripTags(src: string): string {
  // ASCII-only lowercase keeps every index (String#toLowerCase may change the length).
  const lower = src.replace(/[A-Z]+/g, (m) => m.toLowerCase());
  const spacesThen = (at: number, char: string): number => {
    let j = at;
    while (j < src.length && SPACE.test(src[j]!)) j++;
    return src[j] === char ? j : -1;
  };
  const nextGt = forwardFinder((from) => src.indexOf('>', from));
  const commentEnd = forwardFinder((from) => src.indexOf('-->', from));
  /** The first `</name\s*>` at or after a position, as the index just past it. */
  const closer = (name: string) => {
    let end = -1;
    const find = forwardFinder((from) => {
      for (
        let at = lower.indexOf(`</${name}`, from);
        at !== -1;
        at = lower.indexOf(`</${name}`, at + 1)
      ) {
        const gt = spacesThen(at + name.length + 2, '>');
        if (gt !== -1) {
          end = gt + 1;
          return at;
        }
      }
      return -1;
    });
    return (from: number) => (find(from) === -1 ? -1 : end);
  };
  const closers: Record<string, (from: number) => number> = {
    script: closer('script'),
    style: closer('style'),
  };

  let out = '';
  let textFrom = 0;
  for (let lt = src.indexOf('<'); lt !== -1; lt = src.indexOf('<', lt + 1)) {
    let end = -1;
    let replacement = '';
    if (src.startsWith('<!--', lt)) {
      const close = commentEnd(lt + 4);
      if (close !== -1) end = close + 3;
    } else {
      const closing = src[lt + 1] === '/';
      const nameFrom = lt + 1 + (closing ? 1 : 0);
      if (!/[A-Za-z]/.test(src[nameFrom] ?? '')) continue;
      let nameTo = nameFrom;
      while (nameTo < src.length && WORD.test(src[nameTo]!)) nameTo++;
      const gt = nextGt(nameTo);
      if (gt === -1) break; // no tag can end anywhere after this: the rest is text
      const name = lower.slice(nameFrom, nameTo);
      end = gt + 1;
      if (!closing && (name === 'script' || name === 'style')) {
        const after = closers[name]!(gt + 1);
        if (after !== -1) end = after;
      } else if (!closing && name === 'br') {
        const slash = spacesThen(nameTo, '/');
        if (spacesThen(nameTo, '>') === gt || (slash !== -1 && slash + 1 === gt))
          replacement = '\n';
      } else if (name === 'li') {
        if (!closing) replacement = '\n• ';
      } else if (BLOCKS.has(name)) {
        if (!closing) replacement = '\n';
        else if (spacesThen(nameTo, '>') === gt) replacement = '\n\n';
      }
    }
    if (end === -1) continue;
    out += src.slice(textFrom, lt) + replacement;
    textFrom = end;
    lt = end - 1;
  }
  return out + src.slice(textFrom);
}

/**
 * An upstream update body (HTML fragments, `\r\n`, entities) as plain text: line breaks and
 * block ends become newlines, list items get a bullet, scripts, styles, comments and every other
 * tag go, entities are decoded last (so `&lt;b&gt;` stays the visible text `<b>`).
 *
 * A tokenizer, not regular expressions: it runs in linear time whatever the input (the poller
 * accepts 1 MiB bodies, and direct mode runs this in the visitor's browser). A tag runs from `<`
 * and a letter to the next `>`; a `<` that starts no tag is text.
 */
export function htmlToText(html: unknown): string {
  if (typeof html !== 'string') return '';
  return decodeEntities(stripTags(html.replace(NUL, '').replace(/\r\n?/g, '\n')))
    .replace(/\u00a0/g, ' ')
    .split('\n')
    .map((line) => line.replace(/[ \t]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** `2015-08-01 12:00:00(.000)`: a server's local time without an offset (Cachet, Uptime Kuma). */
const NAIVE = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)$/;

/**
 * Any parseable timestamp (offsets like `-06:00` included) as ISO UTC, or null. A timestamp
 * without an offset (`2015-08-01 12:00:00`) is read as UTC, whatever the machine's time zone:
 * the server and the visitor's browser must read the same instant.
 */
export function toIsoUtc(value: unknown): string | null {
  if (typeof value !== 'string' || value.trim() === '' || value.length > 64) return null;
  const naive = NAIVE.exec(value.trim());
  const ms = Date.parse(naive ? `${naive[1]}T${naive[2]}Z` : value);
  // 1970 to 9999: an ISO string of four-digit years (`+010000-…` is no timestamp of a page).
  return Number.isNaN(ms) || ms < 0 || ms > MAX_TIME ? null : new Date(ms).toISOString();
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** NUL characters: no text of a status page needs one, and PostgreSQL text cannot hold one. */
const NUL = new RegExp(String.fromCharCode(0), 'g');

/** A string or number field as a string (NUL characters dropped), else null. */
export function str(value: unknown): string | null {
  return typeof value === 'string'
    ? value.replace(NUL, '')
    : typeof value === 'number'
      ? String(value)
      : null;
}

/** At most this many items are read from any one list of an upstream document. */
export const MAX_ITEMS = 1000;

/** The objects of a list (anything else dropped), at most `MAX_ITEMS` of them. */
export function records(value: unknown): Record<string, unknown>[] {
  return Array.isArray(value) ? value.slice(0, MAX_ITEMS).filter(isRecord) : [];
}

/**
 * A value from a fixed table by an upstream key: own keys only, so `__proto__`, `constructor` or
 * `toString` from a hostile page read as unknown rather than as Object.prototype's members.
 */
export function lookup<T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined {
  const k = str(key);
  return k !== null && Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined;
}

/** Longest title and update body kept (a page can send megabytes in one field). */
export const MAX_TITLE = 300;
export const MAX_BODY = 20_000;

/** An upstream title as text: tags out, at most MAX_TITLE characters, else the fallback. */
export function titleText(value: unknown, fallback: string): string {
  const text = typeof value === 'string' ? htmlToText(value.slice(0, MAX_TITLE * 4)) : '';
  return text.slice(0, MAX_TITLE).trim() || fallback;
}

/** An upstream update body as text, at most MAX_BODY characters. */
export function bodyText(value: unknown): string {
  return htmlToText(value).slice(0, MAX_BODY);
}

/** A field that may be a string or a number (ids, codes), as a short string or null. */
export function shortStr(value: unknown, max = 200): string | null {
  const s = str(value);
  return s === null || s === '' ? null : s.slice(0, max);
}

/** The host of a URL, or null. */
export function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

/** The origin of a URL, or null. */
export function originOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const origin = new URL(url).origin;
    return origin === 'null' ? null : origin;
  } catch {
    return null;
  }
}

export function latest(times: Array<string | null>): string | null {
  let best: string | null = null;
  for (const t of times) if (t && (!best || t > best)) best = t;
  return best;
}
