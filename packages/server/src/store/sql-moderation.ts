/**
 * Moderation in the SQLite engine (ADR 0010): the site policy, the queue, staff actions on posts,
 * incidents and members, flags, bans and the audit log.
 *
 * Every action runs in one transaction that writes its change, its `moderation_actions` row, a
 * staff `moderation.audit` event, `moderation.cleared` when it takes a post out of the queue, and
 * the public events it implies (`post.created` on approval, `post.updated` when a public post
 * changes, `incident.updated` when the thread state or the top workaround changes).
 */
import {
  ulid,
  type AuditEntry,
  type AuditPage,
  type FlagReason,
  type FlagRequest,
  type IncidentModerationAction,
  type MemberKind,
  type MemberModerationAction,
  type ModerationQueue,
  type ModerationReason,
  type PostModerationAction,
  type QueueItem,
  type SitePolicy,
} from '@lifeboat/protocol';
import { resolvePolicy } from '../moderation/site-policy.js';
import { now, type StoreDb } from './db.js';
import { storedTrust, voteWeight, weightedFlags } from './sql-reputation.js';
import { publicView, toPost, type PostRow } from './sql-rows.js';
import { announceTopChange, topKey, type AssembleIncident } from './sql-top-workaround.js';
import type {
  ActiveBan,
  AuditActor,
  AuditInput,
  AuthorStanding,
  FlagOutcome,
  ModerateIncidentOutcome,
  ModerateMemberOutcome,
  ModeratePostOutcome,
  PolicyWriteOutcome,
} from './moderation-types.js';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The next id after `id` in ULID order (same length, base 32 + 1). */
function nextId(id: string): string {
  const chars = id.split('');
  for (let i = chars.length - 1; i >= 0; i--) {
    const v = ALPHABET.indexOf(chars[i]!);
    if (v < 31) {
      chars[i] = ALPHABET[v + 1]!;
      return chars.join('');
    }
    chars[i] = '0';
  }
  return chars.join('');
}

/** Past participles, for conflict messages. */
const DONE: Record<PostModerationAction, string> = {
  approve: 'approved',
  reject: 'rejected',
  hide: 'hidden',
  restore: 'restored',
  remove: 'removed',
  verify: 'verified',
  unverify: 'unverified',
  pin: 'pinned',
  unpin: 'unpinned',
};

interface AuditRow {
  id: string;
  action: string;
  actor_kind: string;
  actor_id: string | null;
  actor_name: string;
  target_kind: string;
  target_id: string;
  reason: string | null;
  detail: string | null;
  created_at: string;
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    action: row.action as AuditEntry['action'],
    actor: {
      kind: row.actor_kind as AuditActor['kind'],
      id: row.actor_id,
      displayName: row.actor_name,
    },
    target: { kind: row.target_kind as AuditEntry['target']['kind'], id: row.target_id },
    reason: row.reason,
    detail: row.detail ? (JSON.parse(row.detail) as Record<string, unknown>) : null,
    createdAt: row.created_at,
  };
}

export { publicView };
export type { AssembleIncident };

/** Who a flag counts as: a guest browser once, other members by id (as confirmations). */
const FLAGGER = 'COALESCE(m.fingerprint, f.member_id)';

/** Distinct flaggers of a post (several guest sessions of one browser are one). */
async function countFlags(db: StoreDb, postId: string): Promise<number> {
  return Number(
    (await db.one<{ n: number }>(
      `SELECT COUNT(DISTINCT ${FLAGGER}) AS n FROM flags f JOIN members m ON m.id = f.member_id WHERE f.post_id = ?`,
      postId,
    ))!.n,
  );
}

/**
 * The reasons of a published post that reached the flag threshold and stayed up (JSON): why
 * member flags did not hide it; `[]` when nothing protects it (any more).
 */
function shieldNote(row: PostRow, count: number, threshold: number): string {
  const shielded = protectedBecause(row);
  if (!shielded || count < threshold) return '[]';
  const reasons: ModerationReason[] = [
    {
      code: 'flagged',
      message: `Flagged by ${count} members (threshold ${threshold}) but not hidden: ${shielded}. Keep it (clear the flags) or hide it.`,
    },
  ];
  return JSON.stringify(reasons);
}

/**
 * Why member flags never hide this post (issue 16): staff wrote it, or staff verified or pinned
 * it. Null for any other post.
 */
function protectedBecause(row: PostRow): string | null {
  if (row.pinned === 1) return 'staff pinned it';
  if (row.verified === 1) return 'staff verified it';
  if (
    (row.author_kind === 'sso' || row.author_kind === 'staff') &&
    (row.author_role === 'staff' || row.author_role === 'moderator')
  )
    return 'a staff member wrote it';
  return null;
}

/** Reads the stored policy of a site. */
export async function sitePolicy(db: StoreDb, siteId: string): Promise<SitePolicy> {
  const row = await db.one<{ policy: string }>('SELECT policy FROM sites WHERE id = ?', siteId);
  return resolvePolicy(row?.policy ?? null);
}

/**
 * Writes one audit row and its `moderation.audit` event; call inside the action's transaction.
 * Ids grow with each entry of a site, so the log reads newest first by id.
 */
export async function writeAudit(
  db: StoreDb,
  siteId: string,
  input: AuditInput,
  at: string,
): Promise<{ entry: AuditEntry; seq: number }> {
  let id = ulid(Date.parse(at) || Date.now());
  const last = (
    await db.one<{ id: string | null }>(
      'SELECT MAX(id) AS id FROM moderation_actions WHERE site_id = ?',
      siteId,
    )
  )?.id;
  if (last && id <= last) id = nextId(last);
  const entry: AuditEntry = {
    id,
    action: input.action,
    actor: input.actor,
    target: input.target,
    reason: input.reason,
    detail: input.detail,
    createdAt: at,
  };
  await db.run(
    `INSERT INTO moderation_actions (id, site_id, action, actor_kind, actor_id, actor_name, target_kind, target_id, reason, detail, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    id,
    siteId,
    entry.action,
    entry.actor.kind,
    entry.actor.id,
    entry.actor.displayName,
    entry.target.kind,
    entry.target.id,
    entry.reason,
    entry.detail ? JSON.stringify(entry.detail) : null,
    at,
  );
  const incidentId =
    input.target.kind === 'incident'
      ? input.target.id
      : input.target.kind === 'post'
        ? ((
            await db.one<{ incident_id: string }>(
              'SELECT incident_id FROM posts WHERE id = ? AND site_id = ?',
              input.target.id,
              siteId,
            )
          )?.incident_id ?? null)
        : null;
  const seq = await db.appendEvent(siteId, incidentId, at, (s) => ({
    type: 'moderation.audit',
    seq: s,
    entry,
  }));
  return { entry, seq };
}

/** Display names of a site's staff and moderators (at most 500, the oldest first). */
export async function staffNames(db: StoreDb, siteId: string): Promise<string[]> {
  return (
    await db.all<{ display_name: string }>(
      `SELECT display_name FROM members WHERE site_id = ? AND role IN ('staff', 'moderator')
       AND kind IN ('staff', 'sso') AND deleted_at IS NULL ORDER BY id LIMIT 500`,
      siteId,
    )
  ).map((r) => r.display_name);
}

/** The active ban of a member or of a fingerprint on a site at `at`. */
export async function activeBan(
  db: StoreDb,
  siteId: string,
  who: { memberId?: string | null; fingerprint?: string | null },
  at: string = now(),
): Promise<ActiveBan | null> {
  const row = await db.one<{ id: string; reason: string | null; expires_at: string | null }>(
    `SELECT id, reason, expires_at FROM bans
     WHERE site_id = ? AND lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
       AND ((member_id IS NOT NULL AND member_id = ?) OR (fingerprint IS NOT NULL AND fingerprint = ?))
     ORDER BY expires_at IS NULL DESC, expires_at DESC LIMIT 1`,
    siteId,
    at,
    who.memberId ?? null,
    who.fingerprint ?? null,
  );
  return row ? { id: row.id, reason: row.reason, expiresAt: row.expires_at } : null;
}

async function memberFingerprint(db: StoreDb, memberId: string): Promise<string | null> {
  return (
    (
      await db.one<{ fingerprint: string | null }>(
        'SELECT fingerprint FROM members WHERE id = ?',
        memberId,
      )
    )?.fingerprint ?? null
  );
}

export async function authorStanding(
  db: StoreDb,
  siteId: string,
  memberId: string,
  at: string = now(),
): Promise<AuthorStanding> {
  // One read for the posting rules (every post pays for it): published posts counted up to 100
  // (the largest `firstPosts`, so a prolific member costs no more), the latest post's time (slow
  // mode), the guest fingerprint (bans) and the stored reputation (trust level).
  const row = await db.one<{
    published: number;
    last_at: string | null;
    fingerprint: string | null;
    reputation: number | null;
  }>(
    `SELECT
       (SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE site_id = ? AND member_id = ? AND state = 'published' LIMIT 100) AS p) AS published,
       (SELECT MAX(created_at) FROM posts WHERE site_id = ? AND member_id = ?) AS last_at,
       m.fingerprint, m.reputation
     FROM members m WHERE m.id = ?`,
    siteId,
    memberId,
    siteId,
    memberId,
    memberId,
  );
  const published = Number(row?.published ?? 0);
  const last = row?.last_at ?? null;
  const ban = await activeBan(db, siteId, { memberId, fingerprint: row?.fingerprint ?? null }, at);
  return {
    publishedPosts: published,
    lastPostAt: last ?? null,
    ban,
    reputation: Number(row?.reputation ?? 0),
  };
}

interface QueueRow extends PostRow {
  moderation_reasons: string;
  flag_count: number;
}

/** A post with why it waits, its flags and its author's standing; null when not in a queue. */
export async function queueItem(
  db: StoreDb,
  siteId: string,
  postId: string,
  at: string = now(),
): Promise<QueueItem | null> {
  const row = (await db.postRow(postId)) as QueueRow | undefined;
  if (!row || row.site_id !== siteId) return null;
  const queue = queueOf(row);
  if (!queue) return null;
  const flagRows = await db.all<{ reason: FlagReason; note: string | null; who: string }>(
    `SELECT f.reason, f.note, ${FLAGGER} AS who FROM flags f JOIN members m ON m.id = f.member_id
     WHERE f.post_id = ? ORDER BY f.created_at ASC`,
    postId,
  );
  // Counted as the threshold counts them: one per flagger (a guest browser once).
  const byReason = new Map<FlagReason, Set<string>>();
  for (const f of flagRows)
    byReason.set(f.reason, (byReason.get(f.reason) ?? new Set()).add(f.who));
  const posts = (await db.one<{ n: number }>(
    "SELECT COUNT(*) AS n FROM posts WHERE site_id = ? AND member_id = ? AND state = 'published'",
    siteId,
    row.member_id,
  ))!.n;
  const post = toPost(row);
  // The author's standing (store/sql-reputation.ts): staff see it next to every queued post.
  const trust = (await storedTrust(db, siteId, [row.member_id])).get(row.member_id);
  return {
    post,
    queue,
    reasons: JSON.parse(row.moderation_reasons || '[]') as ModerationReason[],
    flags: {
      count: new Set(flagRows.map((f) => f.who)).size,
      reasons: [...byReason].map(([reason, who]) => ({ reason, count: who.size })),
      notes: flagRows.map((f) => f.note).filter((n): n is string => !!n),
    },
    author: {
      ...post.author,
      kind: row.author_kind as MemberKind,
      posts,
      trust: trust?.level ?? 'new',
      reputation: trust?.reputation ?? 0,
      banned:
        (await activeBan(
          db,
          siteId,
          { memberId: row.member_id, fingerprint: await memberFingerprint(db, row.member_id) },
          at,
        )) !== null,
    },
  };
}

function queueOf(row: QueueRow): QueueItem['queue'] | null {
  if (row.deleted_at) return null;
  if (row.state === 'pending') return 'pending';
  if (
    (row.state === 'published' || row.state === 'hidden') &&
    row.flag_count > 0 &&
    !row.merged_into
  )
    return 'flagged';
  return null;
}

/** Writes `moderation.queued` for a post in a queue; call inside the transaction. */
export async function queued(
  db: StoreDb,
  siteId: string,
  postId: string,
  at: string,
): Promise<number | null> {
  const item = await queueItem(db, siteId, postId, at);
  if (!item) return null;
  return await db.appendEvent(siteId, item.post.incidentId, at, (s) => ({
    type: 'moderation.queued',
    seq: s,
    item,
  }));
}

export async function moderationQueue(
  db: StoreDb,
  siteId: string,
  queue: QueueItem['queue'],
  limit: number,
): Promise<ModerationQueue> {
  const where =
    queue === 'pending'
      ? "p.state = 'pending'"
      : "p.state IN ('published', 'hidden') AND p.flag_count > 0 AND p.merged_into IS NULL";
  // Oldest first by the server's clock, not by the id a client may have chosen (issue 16).
  const ids = await db.all<{ id: string }>(
    `SELECT p.id FROM posts p WHERE p.site_id = ? AND p.deleted_at IS NULL AND ${where}
     ORDER BY ${queue === 'flagged' ? 'p.flag_count DESC, ' : ''}p.created_at ASC, p.id ASC LIMIT ?`,
    siteId,
    limit,
  );
  const at = now();
  const { event_seq: lastEventId } = (await db.one<{ event_seq: number }>(
    'SELECT event_seq FROM sites WHERE id = ?',
    siteId,
  ))!;
  return {
    items: (await Promise.all(ids.map((r) => queueItem(db, siteId, r.id, at)))).filter(
      (i): i is QueueItem => i !== null,
    ),
    lastEventId,
  };
}

export async function auditPage(
  db: StoreDb,
  siteId: string,
  cursor: string | null,
  limit: number,
): Promise<AuditPage> {
  // The cursor's condition only when there is one: PostgreSQL cannot type a bare `? IS NULL`.
  const rows = await db.all<AuditRow>(
    `SELECT * FROM moderation_actions WHERE site_id = ?${cursor === null ? '' : ' AND id < ?'}
     ORDER BY id DESC LIMIT ?`,
    siteId,
    ...(cursor === null ? [] : [cursor]),
    limit + 1,
  );
  const more = rows.length > limit;
  const entries = rows.slice(0, limit).map(toEntry);
  return { entries, nextCursor: more ? entries[entries.length - 1]!.id : null };
}

export class SqlModeration {
  constructor(
    private readonly db: StoreDb,
    private readonly assemble: AssembleIncident,
  ) {}

  async policy(siteId: string): Promise<SitePolicy> {
    return await sitePolicy(this.db, siteId);
  }

  async setPolicy(
    siteId: string,
    policy: SitePolicy,
    audit: Omit<AuditInput, 'target'>,
    at = now(),
  ): Promise<PolicyWriteOutcome> {
    const db = this.db;
    return await db.tx(async () => {
      const stored = resolvePolicy(policy);
      await db.lock(`site:${siteId}`);
      // `bannerConfirmations` may change the banner of open incidents: announce those that did.
      const open = await db.all<{ id: string }>(
        'SELECT id FROM incidents WHERE site_id = ? AND resolved_at IS NULL',
        siteId,
      );
      const before = new Map<string, string>();
      for (const { id } of open) before.set(id, await topKey(db, this.assemble, siteId, id));
      await db.run('UPDATE sites SET policy = ? WHERE id = ?', JSON.stringify(stored), siteId);
      for (const [id, key] of before)
        await announceTopChange(db, this.assemble, siteId, id, key, at);
      const { entry, seq } = await writeAudit(
        db,
        siteId,
        { ...audit, target: { kind: 'site', id: siteId } },
        at,
      );
      return { policy: stored, entry, seq };
    });
  }

  private async topOf(siteId: string, incidentId: string): Promise<string> {
    return await topKey(this.db, this.assemble, siteId, incidentId);
  }

  /** Writes `incident.updated` when the incident's top workaround changed since `before`. */
  private async topChanged(
    siteId: string,
    incidentId: string,
    before: string,
    at: string,
  ): Promise<number | null> {
    return await announceTopChange(this.db, this.assemble, siteId, incidentId, before, at);
  }

  async moderatePost(
    siteId: string,
    postId: string,
    action: PostModerationAction,
    actor: AuditActor,
    reason: string | null,
    at = now(),
  ): Promise<ModeratePostOutcome> {
    const db = this.db;
    return await db.tx(async (): Promise<ModeratePostOutcome> => {
      // Staff actions read and change several posts (the top workaround): one at a time per site.
      await db.lock(`site:${siteId}`);
      const row = (await db.postRow(postId)) as QueueRow | undefined;
      if (!row || row.site_id !== siteId) return { kind: 'post_not_found' };
      const state = row.state;
      const inQueue = queueOf(row) !== null;
      const flags = row.flag_count;
      const conflict = (message: string): ModeratePostOutcome => ({ kind: 'conflict', message });
      const publishedOnly = () =>
        state !== 'published' || row.deleted_at
          ? conflict(`Only a published post can be ${DONE[action]}.`)
          : null;
      const clearFlags = async () => {
        await db.run('DELETE FROM flags WHERE post_id = ?', postId);
        await db.run('UPDATE posts SET flag_count = 0 WHERE id = ?', postId);
      };
      const setState = async (to: string) =>
        await db.run(
          "UPDATE posts SET state = ?, moderation_reasons = '[]' WHERE id = ?",
          to,
          postId,
        );

      const tracksTop = row.kind === 'workaround' || action === 'pin';
      const before = tracksTop ? await this.topOf(siteId, row.incident_id) : '';
      let publicEvent: 'post.created' | 'post.updated' | null = null;
      let detail: Record<string, unknown> | null = null;
      switch (action) {
        case 'approve':
          if (!inQueue) return conflict('This post is not waiting for review.');
          if (state === 'pending') publicEvent = 'post.created';
          else if (state === 'hidden') publicEvent = 'post.updated';
          await setState('published');
          await clearFlags();
          detail = { from: state, ...(flags ? { flags } : {}) };
          break;
        case 'reject':
          if (!inQueue) return conflict('This post is not waiting for review.');
          await setState('removed');
          await clearFlags();
          if (state !== 'pending') publicEvent = 'post.updated';
          detail = { from: state, ...(flags ? { flags } : {}) };
          break;
        case 'hide':
          if (state !== 'published') return conflict('Only a published post can be hidden.');
          await setState('hidden');
          await clearFlags();
          publicEvent = 'post.updated';
          break;
        case 'restore':
          if (state !== 'hidden' && state !== 'removed')
            return conflict('Only a hidden or removed post can be restored.');
          if (row.merged_into) return conflict('A merged duplicate cannot be restored.');
          await setState('published');
          await clearFlags();
          publicEvent = 'post.updated';
          detail = { from: state };
          break;
        case 'remove':
          if (state === 'removed') return conflict('This post is already removed.');
          await setState('removed');
          await clearFlags();
          if (state === 'published' || state === 'hidden') publicEvent = 'post.updated';
          detail = { from: state };
          break;
        case 'verify':
        case 'unverify':
        case 'pin':
        case 'unpin': {
          const refused = publishedOnly();
          if (refused) return refused;
          if (row.kind === 'reply') return conflict('Replies cannot be verified or pinned.');
          const column = action === 'verify' || action === 'unverify' ? 'verified' : 'pinned';
          const value = action === 'verify' || action === 'pin' ? 1 : 0;
          if (row[column] !== value) {
            await db.run(`UPDATE posts SET ${column} = ? WHERE id = ?`, value, postId);
            publicEvent = 'post.updated';
            // A flagged post's note says which mark kept it up: keep it true.
            if (row.flag_count > 0)
              await db.run(
                'UPDATE posts SET moderation_reasons = ? WHERE id = ?',
                shieldNote(
                  (await db.postRow(postId))!,
                  row.flag_count,
                  (await sitePolicy(db, siteId)).flagThreshold,
                ),
                postId,
              );
          }
          break;
        }
      }

      // A pinned post is the one the banner shows: pinning one unpins the incident's others.
      const unpinned: string[] = [];
      if (action === 'pin' && publicEvent) {
        for (const other of await db.all<{ id: string }>(
          "SELECT id FROM posts WHERE site_id = ? AND incident_id = ? AND pinned = 1 AND id != ? AND state = 'published'",
          siteId,
          row.incident_id,
          postId,
        )) {
          await db.run('UPDATE posts SET pinned = 0 WHERE id = ?', other.id);
          unpinned.push(other.id);
        }
        if (unpinned.length) detail = { unpinned };
      }
      if (action === 'hide' || action === 'remove' || action === 'reject') {
        if (row.pinned) await db.run('UPDATE posts SET pinned = 0 WHERE id = ?', postId);
      }

      let seq = 0;
      const post = toPost((await db.postRow(postId))!);
      if (publicEvent) {
        const type = publicEvent;
        const view = publicView(post);
        seq = await db.appendEvent(siteId, row.incident_id, at, (s) =>
          type === 'post.created'
            ? { type: 'post.created', seq: s, post: view }
            : { type: 'post.updated', seq: s, post: view },
        );
      }
      for (const id of unpinned) seq = (await db.postUpdated(siteId, id, at)).seq;
      if (tracksTop) {
        const changed = await this.topChanged(siteId, row.incident_id, before, at);
        if (changed !== null) seq = changed;
      }
      if (inQueue && queueOf((await db.postRow(postId)) as QueueRow) === null) {
        seq = await db.appendEvent(siteId, row.incident_id, at, (s) => ({
          type: 'moderation.cleared',
          seq: s,
          postId,
          action,
        }));
      }
      const audit = await writeAudit(
        db,
        siteId,
        { action, actor, target: { kind: 'post', id: postId }, reason, detail },
        at,
      );
      return { kind: 'ok', post, entry: audit.entry, seq: Math.max(seq, audit.seq) };
    });
  }

  async moderateIncident(
    siteId: string,
    incidentId: string,
    action: IncidentModerationAction,
    actor: AuditActor,
    reason: string | null,
    at = now(),
  ): Promise<ModerateIncidentOutcome> {
    const db = this.db;
    return await db.tx(async (): Promise<ModerateIncidentOutcome> => {
      // Staff actions read and change several posts (the top workaround): one at a time per site.
      await db.lock(`site:${siteId}`);
      const row = await db.incidentRow(siteId, incidentId);
      if (!row) return { kind: 'incident_not_found' };
      const to = action === 'lock' ? 'locked' : 'open';
      if (row.thread_state === 'archived')
        return { kind: 'conflict', message: 'An archived thread cannot be locked or unlocked.' };
      const from = row.thread_state;
      if (from !== to) {
        await db.run(
          'UPDATE incidents SET thread_state = ? WHERE site_id = ? AND id = ?',
          to,
          siteId,
          incidentId,
        );
        const incident = await this.assemble(siteId, (await db.incidentRow(siteId, incidentId))!);
        await db.appendEvent(siteId, incidentId, at, (s) => ({
          type: 'incident.updated',
          seq: s,
          incident,
        }));
      }
      const incident = await this.assemble(siteId, (await db.incidentRow(siteId, incidentId))!);
      const { entry, seq } = await writeAudit(
        db,
        siteId,
        {
          action,
          actor,
          target: { kind: 'incident', id: incidentId },
          reason,
          detail: { from, to },
        },
        at,
      );
      return { kind: 'ok', incident, entry, seq };
    });
  }

  async moderateMember(
    siteId: string,
    memberId: string,
    action: MemberModerationAction,
    actor: AuditActor,
    reason: string | null,
    hours: number | null,
    at = now(),
  ): Promise<ModerateMemberOutcome> {
    const db = this.db;
    return await db.tx(async (): Promise<ModerateMemberOutcome> => {
      // Staff actions read and change several posts (the top workaround): one at a time per site.
      await db.lock(`site:${siteId}`);
      const member = await db.one<{
        role: string;
        fingerprint: string | null;
        display_name: string;
      }>(
        'SELECT role, fingerprint, display_name FROM members WHERE site_id = ? AND id = ?',
        siteId,
        memberId,
      );
      if (!member) return { kind: 'member_not_found' };
      let detail: Record<string, unknown>;
      if (action === 'ban') {
        if (member.role !== 'member')
          return {
            kind: 'conflict',
            message: 'Staff and moderators cannot be banned; change their role instead.',
          };
        const expiresAt = hours ? new Date(Date.parse(at) + hours * 3_600_000).toISOString() : null;
        await db.run(
          `INSERT INTO bans (id, site_id, member_id, fingerprint, reason, created_by, created_at, expires_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
          ulid(),
          siteId,
          memberId,
          member.fingerprint,
          reason,
          actor.id ?? actor.kind,
          at,
          expiresAt,
        );
        detail = {
          displayName: member.display_name,
          expiresAt,
          fingerprint: member.fingerprint !== null,
        };
      } else {
        const lifted = await db.run(
          `UPDATE bans SET lifted_at = ? WHERE site_id = ? AND lifted_at IS NULL
           AND (member_id = ? OR (fingerprint IS NOT NULL AND fingerprint = ?))`,
          at,
          siteId,
          memberId,
          member.fingerprint,
        );
        if (lifted === 0) return { kind: 'conflict', message: 'This member is not banned.' };
        detail = { displayName: member.display_name, lifted };
      }
      // Their queued posts show the new standing.
      for (const p of await db.all<{ id: string }>(
        "SELECT id FROM posts WHERE site_id = ? AND member_id = ? AND deleted_at IS NULL AND (state = 'pending' OR flag_count > 0)",
        siteId,
        memberId,
      ))
        await queued(db, siteId, p.id, at);
      const { entry, seq } = await writeAudit(
        db,
        siteId,
        { action, actor, target: { kind: 'member', id: memberId }, reason, detail },
        at,
      );
      return { kind: 'ok', entry, seq };
    });
  }

  async flagPost(
    siteId: string,
    postId: string,
    memberId: string,
    flag: FlagRequest,
    at = now(),
  ): Promise<FlagOutcome> {
    const db = this.db;
    return await db.tx(async (): Promise<FlagOutcome> => {
      await db.lock(`post:${postId}`);
      const row = (await db.postRow(postId)) as QueueRow | undefined;
      if (!row || row.site_id !== siteId || row.deleted_at || row.state !== 'published')
        return { kind: 'post_not_found' };
      if (row.member_id === memberId) return { kind: 'own_post' };
      const note = flag.note?.trim() ? flag.note.trim() : null;
      // A flag counts for the flagger's trust level (store/sql-reputation.ts): in halves.
      const weight = await voteWeight(db, siteId, memberId);
      await db.run(
        `INSERT INTO flags (post_id, member_id, reason, note, created_at, weight) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (post_id, member_id) DO UPDATE SET reason = excluded.reason, note = excluded.note, created_at = excluded.created_at, weight = excluded.weight`,
        postId,
        memberId,
        flag.reason,
        note,
        at,
        weight,
      );
      const count = await countFlags(db, postId);
      await db.run('UPDATE posts SET flag_count = ? WHERE id = ?', count, postId);
      const { flagThreshold } = await sitePolicy(db, siteId);
      // The threshold is met by weight: a trusted member's flag counts two, a new guest's half.
      const reached = (await weightedFlags(db, postId)) >= 2 * flagThreshold;
      let hidden = false;
      let seq = 0;
      if (reached && protectedBecause(row)) {
        // Never hidden by member flags: the flagged queue tells staff why it is still up.
        await db.run(
          'UPDATE posts SET moderation_reasons = ? WHERE id = ?',
          shieldNote(row, count, flagThreshold),
          postId,
        );
      } else if (reached) {
        hidden = true;
        const before = row.kind === 'workaround' ? await this.topOf(siteId, row.incident_id) : '';
        const reasons: ModerationReason[] = [
          {
            code: 'flagged',
            message: `Hidden after ${count} member${count === 1 ? '' : 's'} flagged it (threshold ${flagThreshold}).`,
          },
        ];
        await db.run(
          "UPDATE posts SET state = 'hidden', pinned = 0, moderation_reasons = ? WHERE id = ?",
          JSON.stringify(reasons),
          postId,
        );
        const post = toPost((await db.postRow(postId))!);
        seq = await db.appendEvent(siteId, row.incident_id, at, (s) => ({
          type: 'post.updated',
          seq: s,
          post: publicView(post),
        }));
        if (row.kind === 'workaround')
          seq = (await this.topChanged(siteId, row.incident_id, before, at)) ?? seq;
        seq = (
          await writeAudit(
            db,
            siteId,
            {
              action: 'hide',
              actor: { kind: 'system', id: null, displayName: 'Member flags' },
              target: { kind: 'post', id: postId },
              reason: reasons[0]!.message,
              detail: { flags: count, threshold: flagThreshold },
            },
            at,
          )
        ).seq;
      }
      seq = (await queued(db, siteId, postId, at)) ?? seq;
      return { kind: 'ok', postId, count, hidden, seq };
    });
  }
}
