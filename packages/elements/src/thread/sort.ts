import type { LocalPost } from '@lifeboat/sdk';

export type ThreadSort = 'helpful' | 'newest';

/** Post times, parsed once per post object (sorting compares each post many times). */
const times = new WeakMap<LocalPost, number>();
const time = (p: LocalPost): number => {
  let t = times.get(p);
  if (t === undefined) times.set(p, (t = Date.parse(p.createdAt)));
  return t;
};

export interface ThreadItem {
  post: LocalPost;
  replies: LocalPost[];
}

/**
 * Top-level posts in `sort` order with their replies (one level, oldest first).
 * Helpful: staff-verified first, then pinned, then posts by staff, then by the server's
 * helpfulness `score` (docs/thread.md), then worked − didn't work, then oldest.
 * Newest: verified, pinned and staff posts still first, then newest. The server pages in the
 * same order (`?sort=`, packages/server/src/store/sqlite-thread-order.ts).
 */
export function arrangeThread(
  posts: readonly LocalPost[],
  sort: ThreadSort,
  ownId?: string,
): ThreadItem[] {
  // Hidden and removed posts are only here when a moderator acted on a post already listed:
  // they stay in place as tombstones ("Removed by a moderator"), so nothing below them moves.
  const visible = posts.filter(
    (p) =>
      p.local ||
      p.state === 'published' ||
      p.state === 'hidden' ||
      p.state === 'removed' ||
      (p.state === 'pending' && ownId !== undefined && p.author.id === ownId),
  );
  const ids = new Set(visible.map((p) => p.id));
  const replies = new Map<string, LocalPost[]>();
  const top: LocalPost[] = [];
  for (const post of visible) {
    if (post.parentId && ids.has(post.parentId)) {
      const list = replies.get(post.parentId) ?? [];
      list.push(post);
      replies.set(post.parentId, list);
    } else {
      top.push(post);
    }
  }
  // Sort keys computed once per post, not once per comparison (a 5,000-post thread).
  const keyed = top.map((post) => ({
    post,
    flags: (post.verified ? 4 : 0) + (post.pinned ? 2 : 0) + (post.author.staff ? 1 : 0),
    score: post.score ?? 0,
    net: post.counts.worked - post.counts.didntWork,
    time: time(post),
  }));
  keyed.sort(
    (a, b) =>
      b.flags - a.flags ||
      (sort === 'helpful'
        ? b.score - a.score || b.net - a.net || a.time - b.time
        : b.time - a.time),
  );
  return keyed.map(({ post }) => ({
    post,
    replies: (replies.get(post.id) ?? []).sort((a, b) => time(a) - time(b)),
  }));
}
