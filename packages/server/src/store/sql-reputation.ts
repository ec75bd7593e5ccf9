/**
 * Member reputation and trust levels (issue 12, ADR 0023, docs/reputation.md), computed from the
 * stored rows — never kept as a running total a replayed request could move twice:
 *
 * - `helped`: distinct OTHER people who said "worked for me" on the member's counted posts
 *   (published, not deleted). A voter counts once however many posts they confirmed; a guest
 *   browser (its fingerprint) counts once however many sessions it opened; the author's own
 *   votes, and votes from the author's own browser in another guest session, never count.
 * - `verified`: the member's counted posts staff verified.
 * - `removed`: the member's posts staff removed.
 * - `reputation` = max(0, helped + 3 × verified − 5 × removed).
 *
 * Trust levels from the site policy: `new` below `trustBasic`, then `basic`, `helper` (from
 * `trustHelper`) and `trusted` (from `trustTrusted`). Staff and moderators are always `trusted`.
 * `helper` and `trusted` skip pre-moderation holds; a `trusted` member's flags and confirmations
 * count double; a `new` guest's count half when the site's `newGuestWeight` is `half`.
 *
 * A reputation belongs to a member row: an SSO member is one row per site for every incident (it
 * carries across them); a guest's row is its session token's, and stays with it.
 */
import type { SitePolicy, TrustLevel } from '@lifeboat/protocol';
import { resolvePolicy } from '../moderation/site-policy.js';
import type { StoreDb } from './db.js';

export interface Reputation {
  memberId: string;
  helped: number;
  verified: number;
  removed: number;
  reputation: number;
  level: TrustLevel;
}

/** Weights are kept in halves: a new guest's ½, one member's 1, a trusted member's 2. */
export const WEIGHT = { newGuest: 1, member: 2, trusted: 4 } as const;

/** Who a vote or a flag counts as: a guest browser once, other members by id. */
const VOTER = 'COALESCE(v.fingerprint, v.id)';

export function trustLevel(
  reputation: number,
  policy: Pick<SitePolicy, 'trustBasic' | 'trustHelper' | 'trustTrusted'>,
): TrustLevel {
  if (reputation >= policy.trustTrusted) return 'trusted';
  if (reputation >= policy.trustHelper) return 'helper';
  if (reputation >= policy.trustBasic) return 'basic';
  return 'new';
}

const isStaffRole = (role: string) => role === 'staff' || role === 'moderator';

async function sitePolicyOf(db: StoreDb, siteId: string): Promise<SitePolicy> {
  const site = await db.one<{ policy: string | null }>(
    'SELECT policy FROM sites WHERE id = ?',
    siteId,
  );
  return resolvePolicy(site?.policy ?? null);
}

/** The member's reputation counted from the rows now (no write). */
export async function countReputation(
  db: StoreDb,
  siteId: string,
  memberId: string,
): Promise<{ helped: number; verified: number; removed: number; reputation: number } | null> {
  const author = await db.one<{ fingerprint: string | null }>(
    'SELECT fingerprint FROM members WHERE site_id = ? AND id = ?',
    siteId,
    memberId,
  );
  if (!author) return null;
  const helped = await db.one<{ n: number }>(
    `SELECT COUNT(DISTINCT ${VOTER}) AS n
       FROM posts p
       JOIN reactions r ON r.post_id = p.id AND r.kind = 'worked'
       JOIN members v ON v.id = r.member_id
      WHERE p.site_id = ? AND p.member_id = ? AND p.state = 'published' AND p.deleted_at IS NULL
        AND r.member_id <> p.member_id
        AND (v.fingerprint IS NULL OR v.fingerprint <> ?)`,
    siteId,
    memberId,
    author.fingerprint ?? '',
  );
  const posts = await db.one<{ verified: number | null; removed: number | null }>(
    `SELECT SUM(CASE WHEN state = 'published' AND deleted_at IS NULL AND verified = 1 THEN 1 ELSE 0 END) AS verified,
            SUM(CASE WHEN state = 'removed' THEN 1 ELSE 0 END) AS removed
       FROM posts WHERE site_id = ? AND member_id = ?`,
    siteId,
    memberId,
  );
  const h = Number(helped?.n ?? 0);
  const verified = Number(posts?.verified ?? 0);
  const removed = Number(posts?.removed ?? 0);
  return {
    helped: h,
    verified,
    removed,
    reputation: Math.max(0, h + 3 * verified - 5 * removed),
  };
}

/**
 * Recounts a member's reputation and stores it on the member (`helped` shows on their posts).
 * Call inside the transaction of a write that can change it (a confirmation, a staff action).
 */
export async function refreshReputation(
  db: StoreDb,
  siteId: string,
  memberId: string,
): Promise<void> {
  const counted = await countReputation(db, siteId, memberId);
  if (!counted) return;
  await db.run(
    'UPDATE members SET helped = ?, reputation = ? WHERE id = ? AND (helped <> ? OR reputation <> ?)',
    counted.helped,
    counted.reputation,
    memberId,
    counted.helped,
    counted.reputation,
  );
}

/** A member's reputation and trust level on the site; null when the member is not on it. */
export async function memberReputation(
  db: StoreDb,
  siteId: string,
  memberId: string,
): Promise<Reputation | null> {
  const member = await db.one<{ role: string }>(
    'SELECT role FROM members WHERE site_id = ? AND id = ?',
    siteId,
    memberId,
  );
  const counted = member && (await countReputation(db, siteId, memberId));
  if (!member || !counted) return null;
  const level = isStaffRole(member.role)
    ? 'trusted'
    : trustLevel(counted.reputation, await sitePolicyOf(db, siteId));
  return { memberId, ...counted, level };
}

/** Trust levels of several members from their stored reputation (the moderation queue). */
export async function storedTrust(
  db: StoreDb,
  siteId: string,
  memberIds: readonly string[],
): Promise<Map<string, { helped: number; reputation: number; level: TrustLevel }>> {
  const out = new Map<string, { helped: number; reputation: number; level: TrustLevel }>();
  const ids = [...new Set(memberIds)].slice(0, 500);
  if (ids.length === 0) return out;
  const policy = await sitePolicyOf(db, siteId);
  const rows = await db.all<{ id: string; role: string; helped: number; reputation: number }>(
    `SELECT id, role, helped, reputation FROM members WHERE site_id = ? AND id IN (${ids.map(() => '?').join(', ')})`,
    siteId,
    ...ids,
  );
  for (const row of rows)
    out.set(row.id, {
      helped: Number(row.helped),
      reputation: Number(row.reputation),
      level: isStaffRole(row.role) ? 'trusted' : trustLevel(Number(row.reputation), policy),
    });
  return out;
}

/**
 * What a member's flag or confirmation counts for now, in halves: staff and moderators one
 * (they act directly), `trusted` two, a `new` guest half when the site's `newGuestWeight` is
 * `half` (one by default), everyone else one.
 */
export async function voteWeight(db: StoreDb, siteId: string, memberId: string): Promise<number> {
  const member = await db.one<{ kind: string; role: string; reputation: number }>(
    'SELECT kind, role, reputation FROM members WHERE site_id = ? AND id = ?',
    siteId,
    memberId,
  );
  if (!member || isStaffRole(member.role)) return WEIGHT.member;
  const policy = await sitePolicyOf(db, siteId);
  const level = trustLevel(Number(member.reputation), policy);
  if (level === 'trusted') return WEIGHT.trusted;
  if (level === 'new' && member.kind === 'guest' && policy.newGuestWeight === 'half')
    return WEIGHT.newGuest;
  return WEIGHT.member;
}

/**
 * The weighted flags of a post, in halves: each flagger (a guest browser once) counts its
 * largest weight.
 */
export async function weightedFlags(db: StoreDb, postId: string): Promise<number> {
  const row = await db.one<{ w: number | null }>(
    `SELECT SUM(w) AS w FROM (
       SELECT MAX(f.weight) AS w FROM flags f JOIN members v ON v.id = f.member_id
        WHERE f.post_id = ? GROUP BY ${VOTER}) t`,
    postId,
  );
  return Number(row?.w ?? 0);
}

/** The weighted "worked for me" of a post, in halves (each voter once, its largest weight). */
export async function weightedWorked(db: StoreDb, postId: string): Promise<number> {
  const row = await db.one<{ w: number | null }>(
    `SELECT SUM(w) AS w FROM (
       SELECT MAX(r.weight) AS w FROM reactions r JOIN members v ON v.id = r.member_id
        WHERE r.post_id = ? AND r.kind = 'worked' GROUP BY ${VOTER}) t`,
    postId,
  );
  return Number(row?.w ?? 0);
}

/** The store's face of this module (`store.reputation`). */
export class SqlReputation {
  constructor(private readonly db: StoreDb) {}

  /** A member's reputation and trust level on the site; null when the member is not on it. */
  of(siteId: string, memberId: string): Promise<Reputation | null> {
    return memberReputation(this.db, siteId, memberId);
  }

  /** Stored reputation and trust of several members (the moderation queue). */
  stored(siteId: string, memberIds: readonly string[]) {
    return storedTrust(this.db, siteId, memberIds);
  }

  /** Recounts a member's reputation after a staff action on their post. */
  async refresh(siteId: string, memberId: string): Promise<void> {
    const db = this.db;
    await db.tx(async () => refreshReputation(db, siteId, memberId));
  }
}
