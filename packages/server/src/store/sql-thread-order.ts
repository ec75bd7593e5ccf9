/**
 * Thread pages in the reader's order ("helpful" or "newest"), for the SQLite engine.
 *
 * A page is `limit` top-level posts (answers and workarounds) in that order, each with all its
 * published replies (oldest first), so a client can place every post it receives. Pages are
 * keyset pages: the cursor is the sort key of the last top-level post of the page and the next
 * page starts after it. The order is the one `<lifeboat-thread>` sorts by (docs/thread.md):
 *
 * - helpful: verified, pinned, staff author, score, worked − didn't work (all highest first),
 *   then oldest first (created_at, id);
 * - newest: verified, pinned, staff author (highest first), then newest first (created_at, id).
 */
import type { Post } from '@lifeboat/protocol';
import type { StoreDb } from './db.js';
import { POST_SELECT, toPost, type PostRow } from './sql-rows.js';
import type { ThreadOrder, ThreadOrderKey } from './store.js';

/**
 * `staff` as `memberSummary()` (store.ts) derives it: a verified member (staff or host sign-in)
 * with a staff or moderator role. Keep the two in step (thread-order.test.ts checks the order).
 */
const STAFF = `(CASE WHEN m.kind IN ('sso', 'staff') AND m.role IN ('staff', 'moderator') THEN 1 ELSE 0 END)`;

/** Highest-first numbers, negated so that they sort ascending with the rest of the key. */
const HEAD = ['-p.verified', '-p.pinned', `-${STAFF}`];

/** The order's key columns: `asc` ones compare with `>`, `desc` ones with `<`. */
const ORDER: Record<ThreadOrder, { asc: string[]; desc: string[] }> = {
  helpful: {
    asc: [...HEAD, '-p.score', '-(p.worked_count - p.didnt_work_count)', 'p.created_at', 'p.id'],
    desc: [],
  },
  newest: { asc: HEAD, desc: ['p.created_at', 'p.id'] },
};

/** The cursor key of a post in `order` (the values the SQL key columns hold for it). */
export function threadOrderKey(post: Post, order: ThreadOrder): ThreadOrderKey {
  const head = [-Number(post.verified), -Number(post.pinned), -Number(post.author.staff)];
  return order === 'helpful'
    ? [...head, -post.score, -(post.counts.worked - post.counts.didntWork), post.createdAt, post.id]
    : [...head, post.createdAt, post.id];
}

const tuple = (columns: string[]) => `(${columns.join(', ')})`;
const marks = (n: number) => tuple(Array.from({ length: n }, () => '?'));

/** One page of top-level posts after `after` in `order`, with their replies. */
export async function threadOrderSlice(
  db: StoreDb,
  siteId: string,
  incidentId: string,
  order: ThreadOrder,
  after: ThreadOrderKey | null,
  limit: number,
): Promise<{ posts: Post[]; lastKeyWhenMore: ThreadOrderKey | null }> {
  const { asc, desc } = ORDER[order];
  const params: unknown[] = [siteId, incidentId];
  let where = '';
  if (after) {
    const head = after.slice(0, asc.length);
    const tail = after.slice(asc.length);
    where = desc.length
      ? ` AND (${tuple(asc)} > ${marks(asc.length)} OR (${tuple(asc)} = ${marks(asc.length)} AND ${tuple(desc)} < ${marks(desc.length)}))`
      : ` AND ${tuple(asc)} > ${marks(asc.length)}`;
    params.push(...head, ...(desc.length ? [...head, ...tail] : []));
  }
  const orderBy = [...asc, ...desc.map((c) => `${c} DESC`)].join(', ');
  const top = (
    await db.all<PostRow>(
      `${POST_SELECT} WHERE p.site_id = ? AND p.incident_id = ? AND p.state = 'published' AND p.parent_id IS NULL${where}
       ORDER BY ${orderBy} LIMIT ?`,
      ...params,
      limit + 1,
    )
  ).map(toPost);
  const page = top.slice(0, limit);
  const ids = page.map((p) => p.id);
  const replies = ids.length
    ? (
        await db.all<PostRow>(
          `${POST_SELECT} WHERE p.site_id = ? AND p.incident_id = ? AND p.state = 'published' AND p.parent_id IN ${marks(ids.length)}
           ORDER BY p.created_at, p.id`,
          siteId,
          incidentId,
          ...ids,
        )
      ).map(toPost)
    : [];
  return {
    posts: [...page, ...replies],
    lastKeyWhenMore: top.length > limit ? threadOrderKey(page[page.length - 1]!, order) : null,
  };
}
