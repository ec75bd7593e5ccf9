/**
 * Stable ids for upstream items that carry none. An incident is never dropped because its page
 * left out an optional `id`: its id is derived from what identifies it on every poll, its URL,
 * else its name and start. The same document read twice gives the same ids, so a repeated poll
 * writes nothing.
 */
import { str } from './text.js';

/** FNV-1a, two 32-bit lanes with different offsets: 16 hex characters, stable everywhere. */
export function hash(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x5bd1e995;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x01000197) >>> 0;
  }
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

/** Longest upstream id used as is; longer ones are hashed (ids end up in URLs and keys). */
const MAX_ID = 120;

/**
 * The id of an upstream item: its own `id` when it has one, else `u<hash>` of its URL, else
 * `n<hash>` of its name and start. Null only when there is nothing at all to tell it apart.
 */
export function itemId(
  rawId: unknown,
  derive: { url?: unknown; name?: unknown; start?: unknown } = {},
): string | null {
  const id = str(rawId)?.trim();
  if (id) return id.length <= MAX_ID && !/[\s/]/.test(id) ? id : `h${hash(id)}`;
  const url = str(derive.url)?.trim();
  if (url) return `u${hash(url)}`;
  const name = str(derive.name)?.trim() ?? '';
  const start = str(derive.start)?.trim() ?? '';
  if (!name && !start) return null;
  return `n${hash(`${name}\u0000${start}`)}`;
}
