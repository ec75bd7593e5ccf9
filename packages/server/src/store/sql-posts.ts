/**
 * The author's own-post writes: edit and delete within the edit window, and the confirmation
 * counts and helpfulness score recomputed with each confirmation. Each write runs in one
 * transaction that ends with its `post.updated` event.
 *
 * An author's edit of a post staff verified or pinned clears both marks (issue 16): staff vouched
 * for the text they read, not the next one. The banner drops it (`incident.updated`), and the
 * audit log gets `unverify`/`unpin` by the system actor "Author's edit". Staff authors keep them.
 */
import type { ThreadState } from '@lifeboat/protocol';
import { helpfulness } from '../content/helpfulness.js';
import { now, type StoreDb } from './db.js';
import { weightedWorked } from './sql-reputation.js';
import { publicView, toPost } from './sql-rows.js';
import { queued, writeAudit } from './sql-moderation.js';
import { announceTopChange, topKey, type AssembleIncident } from './sql-top-workaround.js';
import type { OwnPostOptions, OwnPostOutcome, PostChange } from './store.js';

/**
 * Who a confirmation or a flag counts as: a guest browser (its fingerprint, HMAC of IP and
 * User-Agent) counts once however many guest sessions it starts; other members count by id.
 * `m` is the member, `r` the reaction or flag row.
 */
export const VOTER = 'COALESCE(m.fingerprint, r.member_id)';

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
  verified: number;
  pinned: number;
  /** 1 when the author is staff or a moderator (as `memberSummary` derives `staff`). */
  staff_author: number;
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
    `SELECT p.incident_id, p.member_id, p.kind, p.state, p.created_at, p.deleted_at, p.flag_count, p.verified, p.pinned,
       i.thread_state,
       CASE WHEN m.kind IN ('sso', 'staff') AND m.role IN ('staff', 'moderator') THEN 1 ELSE 0 END AS staff_author
     FROM posts p JOIN incidents i ON i.site_id = p.site_id AND i.id = p.incident_id JOIN members m ON m.id = p.member_id
     WHERE p.id = ? AND p.site_id = ?`,
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
  assemble: AssembleIncident,
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
    const incidentId = own.row.incident_id;
    const marked = own.row.verified === 1 || own.row.pinned === 1;
    const clearMarks = marked && own.row.staff_author !== 1;
    // A published workaround may be the banner's (its marks, its text, or its leaving for review
    // change it): the site lock too, after the post's as everywhere, and the banner before.
    const banner = own.row.kind === 'workaround' && own.row.state === 'published';
    if (banner) await db.lock(`site:${siteId}`);
    const before = banner ? await topKey(db, assemble, siteId, incidentId) : '';
    await db.run(
      'UPDATE posts SET body = ?, workaround = ?, edited_at = ? WHERE id = ?',
      change.body,
      change.workaround ? JSON.stringify(change.workaround) : null,
      at,
      postId,
    );
    // A published post's reasons can only be the note that flags did not hide it because of
    // these marks: gone with them (its flags stay, in the flagged queue).
    if (clearMarks)
      await db.run(
        "UPDATE posts SET verified = 0, pinned = 0, moderation_reasons = '[]' WHERE id = ?",
        postId,
      );
    const held = (change.moderationReasons?.length ?? 0) > 0;
    if (held)
      await db.run(
        "UPDATE posts SET state = 'pending', pinned = 0, moderation_reasons = ? WHERE id = ?",
        JSON.stringify(change.moderationReasons),
        postId,
      );
    let seq: number | null = null;
    let post;
    if (own.row.state === 'pending' || held) {
      // Out of public view: open pages only learn that a public post left (without its text);
      // staff see the edited post in the queue.
      post = toPost((await db.postRow(postId))!);
      if (own.row.state === 'published')
        seq = await db.appendEvent(siteId, post.incidentId, at, (s) => ({
          type: 'post.updated',
          seq: s,
          post: publicView(post!),
        }));
    } else {
      const updated = await db.postUpdated(siteId, postId, at);
      post = updated.post;
      seq = updated.seq;
    }
    if (banner)
      seq = (await announceTopChange(db, assemble, siteId, incidentId, before, at)) ?? seq;
    if (clearMarks) {
      for (const [action, was] of [
        ['unverify', own.row.verified],
        ['unpin', own.row.pinned],
      ] as const) {
        if (was !== 1) continue;
        seq = (
          await writeAudit(
            db,
            siteId,
            {
              action,
              actor: { kind: 'system', id: null, displayName: "Author's edit" },
              target: { kind: 'post', id: postId },
              reason: `Edited by its author after staff ${action === 'unverify' ? 'verified' : 'pinned'} it; staff read the new text before marking it again.`,
              detail: { editedAt: at, ...(held ? { heldForReview: true } : {}) },
            },
            at,
          )
        ).seq;
      }
    }
    seq = (await queued(db, siteId, postId, at)) ?? seq;
    return { kind: 'ok', post, seq };
  });
}

export async function deletePost(
  db: StoreDb,
  siteId: string,
  postId: string,
  memberId: string,
  { windowMs, at = now() }: OwnPostOptions,
  assemble: AssembleIncident,
): Promise<OwnPostOutcome> {
  return await db.tx(async (): Promise<OwnPostOutcome> => {
    await db.lock(`post:${postId}`);
    const own = await ownPost(db, siteId, postId, memberId, windowMs, at);
    // Deleting twice is a no-op (a retried request): the tombstone, no second event.
    if ('kind' in own && own.kind === 'deleted')
      return { kind: 'ok', post: toPost((await db.postRow(postId))!), seq: null };
    if (!('row' in own)) return own;
    const workaround = own.row.kind === 'workaround' && own.row.state === 'published';
    if (workaround) await db.lock(`site:${siteId}`);
    const before = workaround ? await topKey(db, assemble, siteId, own.row.incident_id) : '';
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
    // The banner drops a deleted workaround at once.
    const top = workaround
      ? await announceTopChange(db, assemble, siteId, own.row.incident_id, before, at)
      : null;
    // A flagged post leaves the flagged queue with its text.
    return {
      ...updated,
      kind: 'ok',
      seq: own.row.flag_count > 0 ? await cleared() : (top ?? updated.seq),
    };
  });
}

/**
 * Recounts a post's confirmations from its reactions, each voter once (`VOTER`: several guest
 * sessions of one browser are one confirmation); call inside the confirmation's transaction,
 * under the post's lock.
 */
export async function recountConfirmations(
  db: StoreDb,
  postId: string,
): Promise<{ worked: number; didntWork: number }> {
  const row = (await db.one<{ worked: number; didnt: number }>(
    `SELECT COUNT(DISTINCT CASE WHEN r.kind = 'worked' THEN ${VOTER} END) AS worked,
            COUNT(DISTINCT CASE WHEN r.kind = 'didnt_work' THEN ${VOTER} END) AS didnt
     FROM reactions r JOIN members m ON m.id = r.member_id WHERE r.post_id = ?`,
    postId,
  ))!;
  const counts = { worked: Number(row.worked), didntWork: Number(row.didnt) };
  // The weighted "worked" (trust levels, store/sql-reputation.ts) decides the banner's workaround.
  await db.run(
    'UPDATE posts SET worked_count = ?, didnt_work_count = ?, worked_weight = ? WHERE id = ?',
    counts.worked,
    counts.didntWork,
    await weightedWorked(db, postId),
    postId,
  );
  return counts;
}

/** Recomputes a post's score from its confirmations; call inside the confirmation's transaction. */
export async function recomputeScore(db: StoreDb, postId: string, at: string): Promise<number> {
  const { worked_count: worked } = (await db.one<{ worked_count: number }>(
    'SELECT worked_count FROM posts WHERE id = ?',
    postId,
  ))!;
  // One "didn't work" per voter (the first), as the counts.
  const times = (
    await db.all<{ created_at: string }>(
      `SELECT MIN(r.created_at) AS created_at FROM reactions r JOIN members m ON m.id = r.member_id
       WHERE r.post_id = ? AND r.kind = 'didnt_work' GROUP BY ${VOTER}`,
      postId,
    )
  ).map((r) => r.created_at);
  const score = helpfulness(worked, times, at);
  await db.run('UPDATE posts SET score = ? WHERE id = ?', score, postId);
  return score;
}
