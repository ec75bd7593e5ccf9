/**
 * Identity in the SQLite engine: members of host-site tokens (by external id), a site's SSO keys,
 * the member's own export, and erasure (one transaction with the events open pages need).
 */
import { ulid, type MemberExport, type ReactionKind } from '@lifeboat/protocol';
import type { StoreDb } from './db.js';
import { scrubEventSql, scrubQueueAuthorSql } from './sql/driver.js';
import { recomputeScore, recountConfirmations } from './sql-posts.js';
import { POST_SELECT, toMember, toPost, type MemberRow, type PostRow } from './sql-rows.js';
import { memberSummary, type MemberRecord } from './store.js';
import type { EraseOutcome, SiteSsoConfig, SsoProfile } from './identity-types.js';
import { eraseMemberSubscriptions, memberSubscriptions } from './sql-subscriptions.js';

/** The display name an erased member's tombstones show. */
export const ERASED_NAME = 'Deleted member';

export class SqlMembers {
  constructor(private readonly db: StoreDb) {}

  /** Creates the member of an external id, or refreshes its name, avatar, role and badges. */
  async upsertSso(siteId: string, p: SsoProfile): Promise<MemberRecord> {
    const row = (await this.db.one<MemberRow>(
      `INSERT INTO members (id, site_id, kind, display_name, role, created_at, external_id, avatar_url, badges)
       VALUES (?, ?, 'sso', ?, ?, ?, ?, ?, ?)
       ON CONFLICT (site_id, external_id) DO UPDATE SET
         kind = 'sso', display_name = excluded.display_name, role = excluded.role,
         avatar_url = excluded.avatar_url, badges = excluded.badges
       RETURNING *`,
      ulid(),
      siteId,
      p.displayName,
      p.role,
      new Date().toISOString(),
      p.externalId,
      p.avatarUrl,
      JSON.stringify(p.badges),
    ))!;
    return toMember(row);
  }

  async getSiteSso(siteId: string): Promise<SiteSsoConfig> {
    const row = await this.db.one<{ sso: string }>('SELECT sso FROM sites WHERE id = ?', siteId);
    try {
      const value: unknown = JSON.parse(row?.sso ?? '{}');
      if (!value || typeof value !== 'object') return {};
      const { hs256Secret, publicKeys } = value as Record<string, unknown>;
      return {
        ...(typeof hs256Secret === 'string' && hs256Secret ? { hs256Secret } : {}),
        ...(Array.isArray(publicKeys)
          ? { publicKeys: publicKeys.filter((k): k is string => typeof k === 'string') }
          : {}),
      };
    } catch {
      return {};
    }
  }

  async setSiteSso(siteId: string, sso: SiteSsoConfig): Promise<void> {
    await this.db.run('UPDATE sites SET sso = ? WHERE id = ?', JSON.stringify(sso), siteId);
  }

  async exportMember(siteId: string, memberId: string): Promise<MemberExport | null> {
    const row = await this.db.one<MemberRow>(
      'SELECT * FROM members WHERE site_id = ? AND id = ? AND deleted_at IS NULL',
      siteId,
      memberId,
    );
    if (!row) return null;
    const member = toMember(row);
    const posts = (
      await this.db.all<PostRow>(
        `${POST_SELECT} WHERE p.site_id = ? AND p.member_id = ? ORDER BY p.id ASC`,
        siteId,
        memberId,
      )
    ).map(toPost);
    const reactions = (
      await this.db.all<{ post_id: string; kind: ReactionKind; created_at: string }>(
        `SELECT r.post_id, r.kind, r.created_at FROM reactions r JOIN posts p ON p.id = r.post_id
         WHERE p.site_id = ? AND r.member_id = ? ORDER BY r.created_at, r.post_id`,
        siteId,
        memberId,
      )
    ).map((r) => ({ postId: r.post_id, kind: r.kind, createdAt: r.created_at }));
    const affected = (
      await this.db.all<{ incident_id: string; created_at: string }>(
        `SELECT a.incident_id, a.created_at FROM affected a
         WHERE a.site_id = ? AND a.member_id = ? ORDER BY a.created_at, a.incident_id`,
        siteId,
        memberId,
      )
    ).map((a) => ({ incidentId: a.incident_id, createdAt: a.created_at }));
    const flags = (
      await this.db.all<{
        post_id: string;
        reason: string;
        note: string | null;
        created_at: string;
      }>(
        `SELECT f.post_id, f.reason, f.note, f.created_at FROM flags f JOIN posts p ON p.id = f.post_id
         WHERE p.site_id = ? AND f.member_id = ? ORDER BY f.created_at, f.post_id`,
        siteId,
        memberId,
      )
    ).map((f) => ({
      postId: f.post_id,
      reason: f.reason as MemberExport['flags'][number]['reason'],
      note: f.note,
      createdAt: f.created_at,
    }));
    return {
      exportedAt: new Date().toISOString(),
      member: {
        ...memberSummary(member),
        kind: member.kind,
        createdAt: member.createdAt,
        externalId: member.externalId ?? null,
      },
      posts,
      reactions,
      affected,
      flags,
      emailSubscriptions: await memberSubscriptions(this.db, siteId, memberId),
    };
  }

  /**
   * Erases a member. Public posts get a `post.updated` tombstone event; every confirmation removed
   * from a public post a `reaction.changed` with the new counts and score; every incident an
   * `affected.changed`. Stored events that carried the member's words are scrubbed too, so a
   * replay (`Last-Event-ID`) cannot bring them back.
   */
  async erase(siteId: string, memberId: string, at: string): Promise<EraseOutcome | null> {
    const db = this.db;
    return await db.tx(async (): Promise<EraseOutcome | null> => {
      // The site (staff actions), and the member: a post of theirs in flight waits, then finds
      // them erased (store/sql-community.ts).
      await db.lock(`site:${siteId}`, `member:${memberId}`);
      const member = await db.one<{ id: string }>(
        'SELECT id FROM members WHERE site_id = ? AND id = ? AND deleted_at IS NULL',
        siteId,
        memberId,
      );
      if (!member) return null;
      const seqs: number[] = [];

      // The profile first, so every event below shows the erased author.
      await db.run(
        `UPDATE members SET display_name = ?, external_id = NULL, avatar_url = NULL, badges = '[]',
           fingerprint = NULL, role = 'member', deleted_at = ? WHERE id = ?`,
        ERASED_NAME,
        at,
        memberId,
      );

      // Posts → tombstones (every state; only public ones are announced).
      const posts = await db.all<{ id: string; state: string }>(
        'SELECT id, state FROM posts WHERE site_id = ? AND member_id = ? ORDER BY id',
        siteId,
        memberId,
      );
      for (const post of posts) {
        await db.run(
          "UPDATE posts SET body = '', workaround = NULL, deleted_at = COALESCE(deleted_at, ?) WHERE id = ?",
          at,
          post.id,
        );
        if (post.state === 'published') seqs.push((await db.postUpdated(siteId, post.id, at)).seq);
      }

      // Confirmations → counts and helpfulness of each post recomputed.
      const reactions = await db.all<{ post_id: string; incident_id: string; state: string }>(
        `SELECT r.post_id, p.incident_id, p.state FROM reactions r JOIN posts p ON p.id = r.post_id
         WHERE p.site_id = ? AND r.member_id = ?`,
        siteId,
        memberId,
      );
      // Each post's confirmations are recounted under its lock (a confirmation of someone else
      // in flight would otherwise be overwritten by the recount).
      if (reactions.length) await db.lock(...reactions.map((r) => `post:${r.post_id}`));
      for (const r of reactions) {
        await db.run(
          'DELETE FROM reactions WHERE post_id = ? AND member_id = ?',
          r.post_id,
          memberId,
        );
        const counts = await recountConfirmations(db, r.post_id);
        const score = await recomputeScore(db, r.post_id, at);
        if (r.state !== 'published') continue;
        seqs.push(
          await db.appendEvent(siteId, r.incident_id, at, (s) => ({
            type: 'reaction.changed',
            seq: s,
            incidentId: r.incident_id,
            postId: r.post_id,
            counts,
            score,
          })),
        );
      }

      // "Affected me too" reports.
      const affected = await db.all<{ incident_id: string }>(
        'SELECT a.incident_id FROM affected a WHERE a.site_id = ? AND a.member_id = ?',
        siteId,
        memberId,
      );
      if (affected.length)
        await db.lock(...affected.map((a) => `affected:${siteId}:${a.incident_id}`));
      for (const a of affected) {
        await db.run(
          'DELETE FROM affected WHERE site_id = ? AND incident_id = ? AND member_id = ?',
          siteId,
          a.incident_id,
          memberId,
        );
        const count = (await db.one<{ n: number }>(
          'SELECT COUNT(*) AS n FROM affected WHERE site_id = ? AND incident_id = ?',
          siteId,
          a.incident_id,
        ))!.n;
        seqs.push(
          await db.appendEvent(siteId, a.incident_id, at, (s) => ({
            type: 'affected.changed',
            seq: s,
            incidentId: a.incident_id,
            count,
          })),
        );
      }

      // Flags (staff-only data): removed, the flag count of each post recomputed.
      const flagged = await db.all<{ post_id: string }>(
        'SELECT f.post_id FROM flags f JOIN posts p ON p.id = f.post_id WHERE p.site_id = ? AND f.member_id = ?',
        siteId,
        memberId,
      );
      for (const f of flagged) {
        await db.run('DELETE FROM flags WHERE post_id = ? AND member_id = ?', f.post_id, memberId);
        await db.run(
          `UPDATE posts SET flag_count = (SELECT COUNT(DISTINCT COALESCE(m.fingerprint, f.member_id))
             FROM flags f JOIN members m ON m.id = f.member_id WHERE f.post_id = ?) WHERE id = ?`,
          f.post_id,
          f.post_id,
        );
      }

      await db.run(
        'DELETE FROM idempotency_keys WHERE site_id = ? AND member_id = ?',
        siteId,
        memberId,
      );
      await this.scrubEvents(siteId, memberId);
      // Email subscriptions: the addresses and their unsent mails (docs/email.md).
      await eraseMemberSubscriptions(db, siteId, memberId);

      return {
        seqs,
        posts: posts.length,
        reactions: reactions.length,
        affected: affected.length,
        flags: flagged.length,
      };
    });
  }

  /** Blanks the member's words and name in stored events (posts, top workarounds, queue items). */
  private async scrubEvents(siteId: string, memberId: string): Promise<void> {
    for (const path of ['post', 'item.post', 'incident.topWorkaround'] as const)
      await this.db.run(scrubEventSql(this.db.dialect, path), ERASED_NAME, siteId, memberId);
    // Staff queue items also name the author outside the post.
    await this.db.run(scrubQueueAuthorSql(this.db.dialect), ERASED_NAME, siteId, memberId);
  }
}
