/**
 * The community writes of the SQLite engine: posts (idempotent), confirmations, affected reports.
 * Each runs in one transaction that ends with its event row.
 */
import type { ReactionKind, ThreadState } from '@lifeboat/protocol';
import { now, type StoreDb } from './db.js';
import { recomputeScore, recountConfirmations } from './sql-posts.js';
import { queued } from './sql-moderation.js';
import { topWorkaround, type AssembleIncident } from './sql-top-workaround.js';
import { toPost } from './sql-rows.js';
import { refreshReputation, voteWeight } from './sql-reputation.js';
import type { AffectedOutcome, CreatePostOutcome, NewPost, ReactionOutcome } from './store.js';

export async function createPost(db: StoreDb, input: NewPost): Promise<CreatePostOutcome> {
  return await db.tx(async (): Promise<CreatePostOutcome> => {
    // Idempotency keys and slow mode are per member; the post id is global (ADR 0017).
    await db.lock(`member:${input.memberId}`, `post:${input.id}`);
    // What the rules below need, in one read: the author (erasure holds the member lock too, so
    // a post that waited for it must not outlive it), a prior request with this key, the
    // incident's thread and whether the id is taken.
    const pre = await db.one<{
      member: number | null;
      deleted_at: string | null;
      prior_hash: string | null;
      prior_post: string | null;
      thread_state: ThreadState | null;
      id_taken: number | null;
    }>(
      `SELECT
         (SELECT 1 FROM members WHERE id = ?) AS member,
         (SELECT deleted_at FROM members WHERE id = ?) AS deleted_at,
         (SELECT request_hash FROM idempotency_keys WHERE site_id = ? AND member_id = ? AND key = ?) AS prior_hash,
         (SELECT post_id FROM idempotency_keys WHERE site_id = ? AND member_id = ? AND key = ?) AS prior_post,
         (SELECT thread_state FROM incidents WHERE site_id = ? AND id = ?) AS thread_state,
         (SELECT 1 FROM posts WHERE id = ?) AS id_taken`,
      input.memberId,
      input.memberId,
      input.siteId,
      input.memberId,
      input.idempotency?.key ?? null,
      input.siteId,
      input.memberId,
      input.idempotency?.key ?? null,
      input.siteId,
      input.incidentId,
      input.id,
    );
    if (!pre?.member || pre.deleted_at) return { kind: 'member_erased' };
    if (input.idempotency && pre.prior_post) {
      if (pre.prior_hash !== input.idempotency.requestHash) return { kind: 'idempotency_mismatch' };
      return { kind: 'replayed', post: toPost((await db.postRow(pre.prior_post))!) };
    }
    if (!pre.thread_state) return { kind: 'incident_not_found' };
    if (pre.thread_state !== 'open')
      return { kind: 'thread_locked', threadState: pre.thread_state };
    if (pre.id_taken) return { kind: 'id_conflict' };
    if (input.kind === 'reply') {
      const parent = await db.one<{
        incident_id: string;
        kind: string;
        state: string;
        deleted_at: string | null;
      }>(
        'SELECT incident_id, kind, state, deleted_at FROM posts WHERE id = ? AND site_id = ?',
        input.parentId,
        input.siteId,
      );
      if (
        !parent ||
        parent.incident_id !== input.incidentId ||
        parent.state !== 'published' ||
        parent.deleted_at
      ) {
        return {
          kind: 'bad_parent',
          message: 'No published post with this id in this incident.',
        };
      }
      if (parent.kind === 'reply')
        return {
          kind: 'bad_parent',
          message: 'Reply to an answer or a workaround, not to a reply.',
        };
    }
    const at = input.createdAt ?? now();
    if (input.slowModeSeconds && input.slowModeSeconds > 0) {
      const last = (
        await db.one<{ at: string | null }>(
          'SELECT MAX(created_at) AS at FROM posts WHERE site_id = ? AND member_id = ?',
          input.siteId,
          input.memberId,
        )
      )?.at;
      const wait = last ? Date.parse(last) + input.slowModeSeconds * 1000 - Date.parse(at) : 0;
      if (wait > 0) return { kind: 'slow_mode', retryAfter: Math.max(1, Math.ceil(wait / 1000)) };
    }
    await db.run(
      `INSERT INTO posts (id, site_id, incident_id, parent_id, member_id, kind, body, workaround, state, created_at, moderation_reasons)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      input.id,
      input.siteId,
      input.incidentId,
      input.kind === 'reply' ? input.parentId : null,
      input.memberId,
      input.kind,
      input.body,
      input.workaround ? JSON.stringify(input.workaround) : null,
      input.state,
      at,
      JSON.stringify(input.state === 'pending' ? (input.moderationReasons ?? []) : []),
    );
    if (input.idempotency) {
      await db.run(
        'INSERT INTO idempotency_keys (site_id, member_id, key, request_hash, post_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        input.siteId,
        input.memberId,
        input.idempotency.key,
        input.idempotency.requestHash,
        input.id,
        at,
      );
    }
    const post = toPost((await db.postRow(input.id))!);
    // A post waiting for review is announced to staff only; approval writes its post.created.
    const pending = input.state === 'pending' ? await queued(db, input.siteId, input.id, at) : null;
    const seq =
      pending ??
      (await db.appendEvent(input.siteId, input.incidentId, at, (s) => ({
        type: 'post.created',
        seq: s,
        post,
      })));
    return { kind: 'created', post, seq };
  });
}

export async function setReaction(
  db: StoreDb,
  siteId: string,
  postId: string,
  memberId: string,
  kind: ReactionKind | null,
  at = now(),
  /** The full incident: a confirmation of a workaround may change the banner's. */
  assemble?: AssembleIncident,
): Promise<ReactionOutcome> {
  return await db.tx(async (): Promise<ReactionOutcome> => {
    await db.lock(`post:${postId}`);
    const post = await db.one<{
      incident_id: string;
      member_id: string;
      kind: string;
      worked_count: number;
      didnt_work_count: number;
    }>(
      "SELECT incident_id, member_id, kind, worked_count, didnt_work_count FROM posts WHERE id = ? AND site_id = ? AND state = 'published' AND deleted_at IS NULL",
      postId,
      siteId,
    );
    if (!post) return { kind: 'post_not_found' };
    const prior =
      (
        await db.one<{ kind: ReactionKind }>(
          'SELECT kind FROM reactions WHERE post_id = ? AND member_id = ?',
          postId,
          memberId,
        )
      )?.kind ?? null;
    if (prior === kind) {
      return {
        kind: 'ok',
        postId,
        reaction: kind,
        counts: { worked: post.worked_count, didntWork: post.didnt_work_count },
        seq: null,
      };
    }
    // A workaround's confirmations can put it in (or out of) the banner: the site lock, as
    // every write that changes the banner takes, before any row is written.
    const banner = assemble && post.kind === 'workaround' ? assemble : null;
    if (banner) await db.lock(`site:${siteId}`);
    // Which workaround is in the banner (its counts move with `reaction.changed`).
    const topId = async () => (await topWorkaround(db, siteId, post.incident_id))?.id ?? null;
    const before = banner ? await topId() : null;
    // What this confirmation counts for: the voter's trust level now (store/sql-reputation.ts).
    const weight = kind === null ? 0 : await voteWeight(db, siteId, memberId);
    if (prior === null)
      await db.run(
        'INSERT INTO reactions (post_id, member_id, kind, created_at, weight) VALUES (?, ?, ?, ?, ?)',
        postId,
        memberId,
        kind,
        at,
        weight,
      );
    else if (kind === null)
      await db.run('DELETE FROM reactions WHERE post_id = ? AND member_id = ?', postId, memberId);
    else
      await db.run(
        'UPDATE reactions SET kind = ?, created_at = ?, weight = ? WHERE post_id = ? AND member_id = ?',
        kind,
        at,
        weight,
        postId,
        memberId,
      );
    // Recounted, not incremented: several guest sessions of one browser are one confirmation.
    const counts = await recountConfirmations(db, postId);
    // The author's reputation ("helped N people") moves with it, in the same transaction.
    await refreshReputation(db, siteId, post.member_id);
    // The score moves with the counts, in the same transaction (docs/thread.md).
    const score = await recomputeScore(db, postId, at);
    let seq = await db.appendEvent(siteId, post.incident_id, at, (s) => ({
      type: 'reaction.changed',
      seq: s,
      incidentId: post.incident_id,
      postId,
      counts,
      score,
    }));
    const row =
      banner && (await topId()) !== before && (await db.incidentRow(siteId, post.incident_id));
    if (banner && row) {
      const incident = await banner(siteId, row);
      seq = await db.appendEvent(siteId, post.incident_id, at, (s) => ({
        type: 'incident.updated',
        seq: s,
        incident,
      }));
    }
    return { kind: 'ok', postId, reaction: kind, counts, seq };
  });
}

export async function setAffected(
  db: StoreDb,
  siteId: string,
  incidentId: string,
  memberId: string,
  affected: boolean,
  at = now(),
): Promise<AffectedOutcome> {
  return await db.tx(async (): Promise<AffectedOutcome> => {
    // Per incident, not per member: the count below must see every report committed before this
    // one's event (READ COMMITTED), or two reports at once would both announce the same count.
    await db.lock(`affected:${siteId}:${incidentId}`);
    if (!(await db.incidentRow(siteId, incidentId))) return { kind: 'incident_not_found' };
    const prior =
      (await db.one(
        'SELECT 1 FROM affected WHERE site_id = ? AND incident_id = ? AND member_id = ?',
        siteId,
        incidentId,
        memberId,
      )) !== undefined;
    const count = async () =>
      (await db.one<{ n: number }>(
        'SELECT COUNT(*) AS n FROM affected WHERE site_id = ? AND incident_id = ?',
        siteId,
        incidentId,
      ))!.n;
    if (prior === affected) return { kind: 'ok', affected, count: await count(), seq: null };
    if (affected)
      await db.run(
        'INSERT INTO affected (site_id, incident_id, member_id, created_at) VALUES (?, ?, ?, ?)',
        siteId,
        incidentId,
        memberId,
        at,
      );
    else
      await db.run(
        'DELETE FROM affected WHERE site_id = ? AND incident_id = ? AND member_id = ?',
        siteId,
        incidentId,
        memberId,
      );
    const n = await count();
    const seq = await db.appendEvent(siteId, incidentId, at, (s) => ({
      type: 'affected.changed',
      seq: s,
      incidentId,
      count: n,
    }));
    return { kind: 'ok', affected, count: n, seq };
  });
}
