/**
 * Workaround reads and the staff merge of duplicates. The merge runs in one transaction: the
 * duplicate is hidden with `merged_into`, its confirmations move to the target (one per member: a
 * member who confirmed both keeps the target's), replies follow, both posts' counts are
 * recomputed from the reactions, and a `post.updated` event is written for each (the duplicate's
 * without its text, as every public event of a post out of view), then `incident.updated` when
 * the incident's top workaround changed (the banner's shows at once). A post still waiting for
 * review is never merged: its text was never public, and a merge must not be the way it gets out.
 */
import type { Post } from '@lifeboat/protocol';
import { now, type StoreDb } from './db.js';
import { POST_SELECT, toPost, type PostRow } from './sql-rows.js';
import { recomputeScore, recountConfirmations } from './sql-posts.js';
import type { AuditActor, MergeOutcome } from './store.js';
import { writeAudit } from './sql-moderation.js';
import type { AssembleIncident } from './sql-top-workaround.js';

/**
 * Published workarounds of an incident not deleted by their authors, oldest first (by the
 * server's time, not the id a client chose).
 */
export async function listWorkarounds(
  db: StoreDb,
  siteId: string,
  incidentId: string,
  limit: number,
): Promise<Post[]> {
  return (
    await db.all<PostRow>(
      `${POST_SELECT} WHERE p.site_id = ? AND p.incident_id = ? AND p.kind = 'workaround' AND p.state = 'published'
       AND p.deleted_at IS NULL ORDER BY p.created_at ASC, p.id ASC LIMIT ?`,
      siteId,
      incidentId,
      limit,
    )
  ).map(toPost);
}

export async function mergePost(
  db: StoreDb,
  siteId: string,
  postId: string,
  intoId: string,
  at = now(),
  audit?: { actor: AuditActor; reason: string | null },
  /** The full incident (with its top workaround); without it no `incident.updated` is written. */
  assemble?: AssembleIncident,
): Promise<MergeOutcome> {
  return await db.tx(async (): Promise<MergeOutcome> => {
    await db.lock(`site:${siteId}`);
    const source = await db.postRow(postId);
    const target = await db.postRow(intoId);
    if (!source || source.site_id !== siteId) return { kind: 'post_not_found', which: 'post' };
    if (!target || target.site_id !== siteId) return { kind: 'post_not_found', which: 'into' };
    if (source.id === target.id)
      return { kind: 'invalid', message: 'A post cannot merge into itself.' };
    if (source.incident_id !== target.incident_id)
      return { kind: 'invalid', message: 'Both posts must be in the same incident.' };
    if (source.kind === 'reply' || target.kind === 'reply')
      return { kind: 'invalid', message: 'Replies cannot be merged.' };
    if (target.state !== 'published' || target.deleted_at)
      return { kind: 'invalid', message: 'Merge into a published post.' };
    if (source.state === 'hidden' || source.state === 'removed' || source.deleted_at)
      return { kind: 'already_hidden' };
    if (source.state === 'pending') return { kind: 'pending' };

    const incidentNow = async () => {
      const row = assemble && (await db.incidentRow(siteId, source.incident_id));
      return row ? await assemble(siteId, row) : null;
    };
    const before = JSON.stringify((await incidentNow())?.topWorkaround ?? null);

    // Confirmations: each member keeps one, on the target; the target's own wins on a clash.
    await db.run(
      `INSERT INTO reactions (post_id, member_id, kind, created_at)
       SELECT ?, r.member_id, r.kind, r.created_at FROM reactions r
       WHERE r.post_id = ? AND NOT EXISTS (SELECT 1 FROM reactions t WHERE t.post_id = ? AND t.member_id = r.member_id)`,
      intoId,
      postId,
      intoId,
    );
    await db.run('DELETE FROM reactions WHERE post_id = ?', postId);
    await db.run('UPDATE posts SET parent_id = ? WHERE parent_id = ?', intoId, postId);
    await db.run("UPDATE posts SET state = 'hidden', merged_into = ? WHERE id = ?", intoId, postId);
    await recountConfirmations(db, postId);
    await recountConfirmations(db, intoId);
    await recomputeScore(db, postId, at);
    await recomputeScore(db, intoId, at);

    const { post: merged } = await db.postUpdated(siteId, postId, at);
    const { post: into, seq: intoSeq } = await db.postUpdated(siteId, intoId, at);
    let updated = intoSeq;
    const incident = await incidentNow();
    if (incident && JSON.stringify(incident.topWorkaround ?? null) !== before)
      updated = await db.appendEvent(siteId, incident.id, at, (s) => ({
        type: 'incident.updated',
        seq: s,
        incident,
      }));
    // The audit entry (staff merges through the API), in the same transaction.
    const seq = audit
      ? (
          await writeAudit(
            db,
            siteId,
            {
              action: 'merge',
              actor: audit.actor,
              target: { kind: 'post', id: postId },
              reason: audit.reason,
              detail: { into: intoId },
            },
            at,
          )
        ).seq
      : updated;
    return { kind: 'merged', merged, into, seq };
  });
}
