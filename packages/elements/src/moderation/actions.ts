/**
 * Which moderation actions a queue item offers, and their one-key shortcuts. Mirrors what the
 * server accepts (routes/moderation.ts): approve and reject any queued post, restore a hidden
 * one, hide, verify and pin a published one (replies are never verified or pinned).
 */
import type { PostModerationAction, QueueItem } from '@lifeboat/protocol';

export type ItemAction = PostModerationAction | 'ban' | 'unban';

/** The keys of the legend, in order. */
export const SHORTCUTS: ReadonlyArray<{
  key: string;
  label: 'approve' | 'reject' | 'hide' | 'restore' | 'verify' | 'pin' | 'ban';
}> = [
  { key: 'A', label: 'approve' },
  { key: 'R', label: 'reject' },
  { key: 'H', label: 'hide' },
  { key: 'S', label: 'restore' },
  { key: 'V', label: 'verify' },
  { key: 'P', label: 'pin' },
  { key: 'B', label: 'ban' },
];

/** The actions that make sense for an item, in button order, with their key. */
export function actionsFor(item: QueueItem): Array<{ action: ItemAction; key: string }> {
  const { post, author } = item;
  const list: Array<{ action: ItemAction; key: string }> = [];
  if (post.state === 'hidden') list.push({ action: 'restore', key: 'S' });
  else list.push({ action: 'approve', key: 'A' });
  list.push({ action: 'reject', key: 'R' });
  if (post.state === 'published') {
    list.push({ action: 'hide', key: 'H' });
    if (post.kind !== 'reply') {
      list.push({ action: post.verified ? 'unverify' : 'verify', key: 'V' });
      list.push({ action: post.pinned ? 'unpin' : 'pin', key: 'P' });
    }
  }
  if (!author.staff) list.push({ action: author.banned ? 'unban' : 'ban', key: 'B' });
  return list;
}

/** The action a key press asks for on an item, if the item offers it. */
export function actionForKey(item: QueueItem, key: string): ItemAction | undefined {
  const upper = key.toUpperCase();
  return actionsFor(item).find((a) => a.key === upper)?.action;
}
