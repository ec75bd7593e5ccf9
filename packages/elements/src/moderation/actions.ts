/** Which moderation actions a queue item offers, and their one-key shortcuts. */
import type { PostModerationAction, QueueItem } from '@lifeboat/protocol';

export type ItemAction = PostModerationAction | 'ban' | 'unban';

/** The keys, in legend order. `r` rejects a pending post and removes a published or hidden one. */
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
  if (post.state === 'pending') {
    list.push({ action: 'approve', key: 'A' }, { action: 'reject', key: 'R' });
  } else {
    if (post.state === 'hidden') list.push({ action: 'restore', key: 'S' });
    if (post.state === 'published') list.push({ action: 'hide', key: 'H' });
    list.push({ action: 'remove', key: 'R' });
    if (post.state === 'published') {
      list.push({ action: 'restore', key: 'S' });
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
