/**
 * The author's own-post writes of the SQLite engine: edit and delete within the edit window, and
 * the helpfulness score recomputed with each confirmation. Each write runs in one transaction
 * that ends with its `post.updated` event.
 */
import type { ThreadState } from '@lifeboat/protocol';
import { helpfulness } from '../content/helpfulness.js';
import { now, type StoreDb } from './db.js';
import { toPost } from './sql-rows.js';
import { publicView, queued } from './sql-moderation.js';
import type { OwnPostOptions, OwnPostOutcome, PostChange } from './store.js';

interface OwnRow {
  incident_id: string;
  member_id: string;
  kind: string;
  state: string;
  created_at: string;
  deleted_at: string | null;
  thread_state: ThreadState;
  /** Flags from members (migration 5): a flagged post is in the moderation queue. */
  flag_count: number;
}

/** Checks the author rules; returns the row when the member may change the post at `at`. */
async function ownPost(
  db: StoreDb,
  siteId: string,
  postId: string,
  memberId: string,
  windowMs: number,
  at: string,
): Promise<{ row: OwnRow } | Exclude<OwnPostOutcome, { kind: 'ok' }>> {
  const row = await db.one<OwnRow>(
    `SELECT p.incident_id, p.member_id, p.kind, p.state, p.created_at, p.deleted_at, p.flag_count, i.thread_state
     FROM posts p JOIN incidents i ON i.site_id = p.site_id AND i.id = p.incident_id WHERE p.id = ? AND p.site_id = ?`,
    postId,
    siteId,
  );
  if (!row || (row.state !== 'published' && row.state !== 'pending'))
    return { kind: 'post_not_found' };
  if (row.member_id !== memberId) return { kind: 'not_owner' };
  if (row.deleted_at) return { kind: 'deleted' };
  if (Date.parse(at) - Date.parse(row.created_at) > windowMs) return { kind: 'window_closed' };
  if (row.thread_state !== 'open') return { kind: 'thread_locked', threadState: row.thread_state };
  return { row };
}

export async function editPost(
  db: StoreDb,
  siteId: string,
  postId: string,
  memberId: string,
  change: PostChange,
  { windowMs, at = now() }: OwnPostOptions,
): Promise<OwnPostOutcome> {
  return await db.tx(async (): Promise<OwnPostOutcome> => {
    await db.lock(`post:${postId}`);
    const own = await ownPost(db, siteId, postId, memberId, windowMs, at);
    if (!('row' in own)) return own;
    if ((own.row.kind === 'workaround') !== (change.workaround !== null))
      return {
        kind: 'invalid',
        field: 'workaround',
        message:
          own.row.kind === 'workaround'
            ? 'A workaround keeps its title and steps: send them with the edit.'
            : 'Only a workaround post carries workaround fields.',
      };
    await db.run(
      'UPDATE posts SET body = ?, workaround = ?, edited_at = ? WHERE id = ?',
      change.body,
      change.workaround ? JSON.stringify(change.workaround) : null,
      at,
      postId,
    );
    const held = (change.moderationReasons?.length ?? 0) > 0;
    if (held)
      await db.run(
        "UPDATE posts SET state = 'pending', pinned = 0, moderation_reasons = ? WHERE id = ?",
        JSON.stringify(change.moderationReasons),
        postId,
      );
    if (own.row.state === 'pending' || held) {
      // Out of public view: open pages only learn that a public post left (without its text);
      // staff see the edited post in the queue.
      const post = toPost((await db.postRow(postId))!);
      let seq: number | null = null;
      if (own.row.state === 'published')
        seq = await db.appendEvent(siteId, post.incidentId, at, (s) => ({
          type: 'post.updated',
          seq: s,
          post: publicView(post),
        }));
      seq = (await queued(db, siteId, postId, at)) ?? seq;
      return { kind: 'ok', post, seq };
    }
    const updated = await db.postUpdated(siteId, postId, at);
    return {
      kind: 'ok',
      post: updated.post,
      seq: (await queued(db, siteId, postId, at)) ?? updated.seq,
    };
  });
}

export async function deletePost(
  db: StoreDb,
  siteId: string,
  postId: string,
  memberId: string,
  { windowMs, at = now() }: OwnPostOptions,
): Promise<OwnPostOutcome> {
  return await db.tx(async (): Promise<OwnPostOutcome> => {
    await db.lock(`post:${postId}`);
    const own = await ownPost(db, siteId, postId, memberId, windowMs, at);
    // Deleting twice is a no-op (a retried request): the tombstone, no second event.
    if ('kind' in own && own.kind === 'deleted')
      return { kind: 'ok', post: toPost((await db.postRow(postId))!), seq: null };
    if (!('row' in own)) return own;
    await db.run(
      "UPDATE posts SET body = '', workaround = NULL, deleted_at = ? WHERE id = ?",
      at,
      postId,
    );
    const cleared = async () =>
      await db.appendEvent(siteId, own.row.incident_id, at, (s) => ({
        type: 'moderation.cleared',
        seq: s,
        postId,
        action: 'remove',
      }));
    // A pending post was never public: only the moderation queue hears that it is gone.
    if (own.row.state === 'pending')
      return { kind: 'ok', post: toPost((await db.postRow(postId))!), seq: await cleared() };
    const updated = await db.postUpdated(siteId, postId, at);
    // A flagged post leaves the flagged queue with its text.
    return { ...updated, kind: 'ok', seq: own.row.flag_count > 0 ? await cleared() : updated.seq };
  });
}

/** Recomputes a post's score from its confirmations; call inside the confirmation's transaction. */
export async function recomputeScore(db: StoreDb, postId: string, at: string): Promise<number> {
  const { worked_count: worked } = (await db.one<{ worked_count: number }>(
    'SELECT worked_count FROM posts WHERE id = ?',
    postId,
  ))!;
  const times = (
    await db.all<{ created_at: string }>(
      "SELECT created_at FROM reactions WHERE post_id = ? AND kind = 'didnt_work'",
      postId,
    )
  ).map((r) => r.created_at);
  const score = helpfulness(worked, times, at);
  await db.run('UPDATE posts SET score = ? WHERE id = ?', score, postId);
  return score;
}
