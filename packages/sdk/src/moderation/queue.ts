/** How the moderation queue changes: pure functions over `QueueSnapshot` (events, actions). */
import type { LifeboatEvent, ModerationActionName, Post, QueueItem } from '@lifeboat/protocol';
import type { QueueSnapshot } from './types.js';

/** Actions after which a post no longer waits for a moderator. */
export const CLEARING_ACTIONS: ReadonlySet<ModerationActionName> = new Set([
  'approve',
  'reject',
  'remove',
  'hide',
  'restore',
]);

export const emptyQueue = (): QueueSnapshot => ({
  state: 'loading',
  items: [],
  acting: {},
  failures: {},
  error: null,
});

/** Adds an item at the end, or replaces the one with the same post id (never listed twice). */
export function upsertItem(items: readonly QueueItem[], item: QueueItem): QueueItem[] {
  const index = items.findIndex((i) => i.post.id === item.post.id);
  return index < 0 ? [...items, item] : items.map((it, i) => (i === index ? item : it));
}

export function removeItem(items: readonly QueueItem[], postId: string): QueueItem[] {
  return items.some((i) => i.post.id === postId)
    ? items.filter((i) => i.post.id !== postId)
    : [...items];
}

/** Puts an item back where it was (optimistic rollback), unless the stream listed it again. */
export function restoreItem(
  items: readonly QueueItem[],
  item: QueueItem,
  index: number,
): QueueItem[] {
  if (items.some((i) => i.post.id === item.post.id)) return [...items];
  const next = [...items];
  next.splice(Math.min(index, next.length), 0, item);
  return next;
}

/** The post after a verify / pin style action, as the queue shows it before the server answers. */
export function optimisticPost(post: Post, action: ModerationActionName): Post {
  switch (action) {
    case 'verify':
      return { ...post, verified: true };
    case 'unverify':
      return { ...post, verified: false };
    case 'pin':
      return { ...post, pinned: true };
    case 'unpin':
      return { ...post, pinned: false };
    default:
      return post;
  }
}

/** Applies one stream event to the queue's items. */
export function reduceQueue(items: QueueItem[], event: LifeboatEvent): QueueItem[] {
  switch (event.type) {
    case 'moderation.queued':
      return upsertItem(items, event.item);
    case 'moderation.cleared':
      return items.some((i) => i.post.id === event.postId)
        ? removeItem(items, event.postId)
        : items;
    case 'post.updated':
    case 'post.created': {
      const post = event.post;
      if (!items.some((i) => i.post.id === post.id)) return items;
      return items.map((i) => (i.post.id === post.id ? { ...i, post } : i));
    }
    default:
      return items;
  }
}

/** Marks every queued post of a member as banned (or not). */
export function markBanned(
  items: readonly QueueItem[],
  memberId: string,
  banned: boolean,
): QueueItem[] {
  return items.map((i) =>
    i.author.id === memberId && i.author.banned !== banned
      ? { ...i, author: { ...i.author, banned } }
      : i,
  );
}
