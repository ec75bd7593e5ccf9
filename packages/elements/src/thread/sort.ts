import type { LocalPost } from '@lifeboat/sdk';

export type ThreadSort = 'helpful' | 'newest';

const time = (p: LocalPost): number => Date.parse(p.createdAt);

/**
 * Helpful: staff-verified first, then pinned, then posts by staff, then by the server's
 * helpfulness `score` (docs/thread.md), then worked − didn't work, then oldest.
 * Newest: verified, pinned and staff posts still first, then newest.
 */
export function comparePosts(sort: ThreadSort): (a: LocalPost, b: LocalPost) => number {
  return (a, b) =>
    Number(b.verified) - Number(a.verified) ||
    Number(b.pinned) - Number(a.pinned) ||
    Number(b.author.staff) - Number(a.author.staff) ||
    (sort === 'helpful'
      ? (b.score ?? 0) - (a.score ?? 0) ||
        b.counts.worked - b.counts.didntWork - (a.counts.worked - a.counts.didntWork) ||
        time(a) - time(b)
      : time(b) - time(a));
}

export interface ThreadItem {
  post: LocalPost;
  replies: LocalPost[];
}

/** Top-level posts in `sort` order with their replies (one level, oldest first). */
export function arrangeThread(
  posts: readonly LocalPost[],
  sort: ThreadSort,
  ownId?: string,
): ThreadItem[] {
  const visible = posts.filter(
    (p) =>
      p.local ||
      p.state === 'published' ||
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
  return top.sort(comparePosts(sort)).map((post) => ({
    post,
    replies: (replies.get(post.id) ?? []).sort((a, b) => time(a) - time(b)),
  }));
}
