/**
 * Email subscriptions and their outbox (migration 10, ADR 0029, docs/email.md), in portable SQL.
 * The rules (who may subscribe, how often, what a mail says) live in email/; this file only reads
 * and writes rows, each change in one transaction:
 *
 * - a subscription is `pending` until its confirmation link is followed, then `confirmed`, and
 *   ends `expired` (the link ran out) or `unsubscribed`;
 * - the outbox holds one row per mail a subscription is owed, keyed by (subscription, event):
 *   `confirm`, `verified:<post id>`, `resolved`. `queueEventMails` inserts the rows every
 *   confirmed subscription is owed from the rows as they stand (`INSERT … SELECT … ON CONFLICT
 *   DO NOTHING`), so any instance may run it any number of times, after any restart, and a mail
 *   is queued once. Fixes verified before the visitor subscribed are queued as `skipped`.
 * - a row is sent by the instance that claims it (a lease, one UPDATE), then marked `sent`; a
 *   failure is retried later with backoff, `failed` after the last attempt.
 */
import {
  ulid,
  type EmailSubscriptionRecord,
  type EmailSubscriptionState,
} from '@lifeboat/protocol';
import type { StoreDb } from './db.js';

/** The one spelling of an address the per-address rules compare (domain case never matters). */
export const addressKey = (address: string) => address.trim().toLowerCase();

export interface SubscribeInput {
  siteId: string;
  incidentId: string;
  memberId: string;
  address: string;
  /** A keyed hash of the address (`addressKey`), for the daily cap that outlives erasure. */
  addressMac: string;
  onVerified: boolean;
  onResolved: boolean;
  now: number;
  /** How long the confirmation link works (ms). */
  confirmMs: number;
  /** Confirmation mails one address may get per site in 24 hours. */
  dailyConfirmationsPerAddress: number;
}

export type SubscribeOutcome =
  /** A confirmation mail is queued. */
  | { kind: 'queued'; id: string; confirmBy: string }
  /** A live subscription of the address already covers the incident: nothing is sent. */
  | { kind: 'already'; confirmBy: string }
  | { kind: 'capped' }
  | { kind: 'incident_not_found' }
  | { kind: 'resolved' };

export interface SubscriptionRow {
  id: string;
  site_id: string;
  incident_id: string;
  member_id: string;
  address: string;
  address_key: string;
  on_verified: number;
  on_resolved: number;
  state: EmailSubscriptionState;
  created_at: string;
  confirm_by: string;
  confirmed_at: string | null;
  ended_at: string | null;
}

/** A mail due, with what composing it needs. */
export interface DueMail {
  subscription_id: string;
  event_key: string;
  attempts: number;
  site_id: string;
  site_slug: string;
  site_name: string;
  site_origins: string;
  incident_id: string;
  incident_title: string;
  address: string;
  confirm_by: string;
  state: EmailSubscriptionState;
}

/** The fix a `verified:<id>` mail is about. */
export interface VerifiedFixRow {
  id: string;
  kind: string;
  body: string;
  workaround: string | null;
  state: string;
  verified: number;
  deleted_at: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Verified, published fixes (answers and workarounds) of the incident, for a subscription. */
const VERIFIED_FIXES = `SELECT s.id AS subscription_id, 'verified:' || p.id AS event_key, s.site_id AS site_id
  FROM email_subscriptions s JOIN posts p ON p.site_id = s.site_id AND p.incident_id = s.incident_id
  WHERE p.kind IN ('answer', 'workaround') AND p.verified = 1 AND p.state = 'published'
    AND p.deleted_at IS NULL`;

export class SqlSubscriptions {
  constructor(private readonly db: StoreDb) {}

  async subscribe(input: SubscribeInput): Promise<SubscribeOutcome> {
    const key = addressKey(input.address);
    const at = iso(input.now);
    return await this.db.tx(async (db): Promise<SubscribeOutcome> => {
      // One address at a time per site: the live-subscription check and the daily cap hold.
      await db.lock(`email:${input.siteId}:${key}`);
      const incident = await db.incidentRow(input.siteId, input.incidentId);
      if (!incident) return { kind: 'incident_not_found' };
      if (incident.resolved_at) return { kind: 'resolved' };
      await db.run(
        `UPDATE email_subscriptions SET state = 'expired', ended_at = ?
         WHERE site_id = ? AND incident_id = ? AND address_key = ? AND state = 'pending' AND confirm_by <= ?`,
        at,
        input.siteId,
        input.incidentId,
        key,
        at,
      );
      const live = await db.one<{ confirm_by: string }>(
        `SELECT confirm_by FROM email_subscriptions
         WHERE site_id = ? AND incident_id = ? AND address_key = ? AND state IN ('pending', 'confirmed')`,
        input.siteId,
        input.incidentId,
        key,
      );
      if (live) return { kind: 'already', confirmBy: live.confirm_by };
      const sent = (await db.one<{ n: number }>(
        `SELECT COUNT(*) AS n FROM email_confirmations
         WHERE site_id = ? AND address_mac = ? AND created_at > ?`,
        input.siteId,
        input.addressMac,
        iso(input.now - 24 * 3600_000),
      ))!.n;
      if (Number(sent) >= input.dailyConfirmationsPerAddress) return { kind: 'capped' };
      const id = ulid();
      const confirmBy = iso(input.now + input.confirmMs);
      await db.run(
        `INSERT INTO email_subscriptions (id, site_id, incident_id, member_id, address, address_key,
           on_verified, on_resolved, state, created_at, confirm_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
        id,
        input.siteId,
        input.incidentId,
        input.memberId,
        input.address.trim(),
        key,
        input.onVerified ? 1 : 0,
        input.onResolved ? 1 : 0,
        at,
        confirmBy,
      );
      await db.run(
        'INSERT INTO email_confirmations (site_id, address_mac, created_at) VALUES (?, ?, ?)',
        input.siteId,
        input.addressMac,
        at,
      );
      await db.run(
        'DELETE FROM email_confirmations WHERE site_id = ? AND address_mac = ? AND created_at < ?',
        input.siteId,
        input.addressMac,
        iso(input.now - 48 * 3600_000),
      );
      await db.run(
        `INSERT INTO email_outbox (subscription_id, event_key, site_id, state, attempts, next_at, created_at)
         VALUES (?, 'confirm', ?, 'pending', 0, ?, ?)`,
        id,
        input.siteId,
        at,
        at,
      );
      // Fixes the visitor could already see are not news: marked as told.
      await db.run(
        `INSERT INTO email_outbox (subscription_id, event_key, site_id, state, attempts, next_at, created_at)
         SELECT f.subscription_id, f.event_key, f.site_id, 'skipped', 0, ?, ? FROM (${VERIFIED_FIXES} AND s.id = ?) f
         WHERE true ON CONFLICT (subscription_id, event_key) DO NOTHING`,
        at,
        at,
        id,
      );
      return { kind: 'queued', id, confirmBy };
    });
  }

  async get(siteId: string, id: string): Promise<SubscriptionRow | undefined> {
    return this.db.one<SubscriptionRow>(
      'SELECT * FROM email_subscriptions WHERE site_id = ? AND id = ?',
      siteId,
      id,
    );
  }

  /** `pending` → `confirmed` while its link works; the state after the call. */
  async confirm(siteId: string, id: string, now: number): Promise<EmailSubscriptionState | null> {
    const at = iso(now);
    return await this.db.tx(async (db) => {
      await db.run(
        `UPDATE email_subscriptions SET state = 'confirmed', confirmed_at = ?
         WHERE site_id = ? AND id = ? AND state = 'pending' AND confirm_by > ?`,
        at,
        siteId,
        id,
        at,
      );
      await db.run(
        `UPDATE email_subscriptions SET state = 'expired', ended_at = ?
         WHERE site_id = ? AND id = ? AND state = 'pending'`,
        at,
        siteId,
        id,
      );
      const row = await db.one<{ state: EmailSubscriptionState }>(
        'SELECT state FROM email_subscriptions WHERE site_id = ? AND id = ?',
        siteId,
        id,
      );
      return row?.state ?? null;
    });
  }

  /** Ends a subscription; its unsent mails are dropped. False when there is none. */
  async unsubscribe(siteId: string, id: string, now: number): Promise<boolean> {
    const at = iso(now);
    return await this.db.tx(async (db) => {
      const row = await db.one<{ state: string }>(
        'SELECT state FROM email_subscriptions WHERE site_id = ? AND id = ?',
        siteId,
        id,
      );
      if (!row) return false;
      if (row.state === 'pending' || row.state === 'confirmed')
        await db.run(
          `UPDATE email_subscriptions SET state = 'unsubscribed', ended_at = ? WHERE id = ?`,
          at,
          id,
        );
      await db.run(
        `UPDATE email_outbox SET state = 'skipped' WHERE subscription_id = ? AND state = 'pending'`,
        id,
      );
      return true;
    });
  }

  /**
   * Queues the mails confirmed subscriptions are owed (fixes verified, incidents resolved).
   * Idempotent: run it as often as events arrive, on every instance. Rows inserted.
   */
  async queueEventMails(now: number): Promise<number> {
    const at = iso(now);
    const verified = await this.db.run(
      `INSERT INTO email_outbox (subscription_id, event_key, site_id, state, attempts, next_at, created_at)
       SELECT f.subscription_id, f.event_key, f.site_id, 'pending', 0, ?, ? FROM (${VERIFIED_FIXES}
         AND s.state = 'confirmed' AND s.on_verified = 1) f
       WHERE true ON CONFLICT (subscription_id, event_key) DO NOTHING`,
      at,
      at,
    );
    const resolved = await this.db.run(
      `INSERT INTO email_outbox (subscription_id, event_key, site_id, state, attempts, next_at, created_at)
       SELECT s.id, 'resolved', s.site_id, 'pending', 0, ?, ?
       FROM email_subscriptions s JOIN incidents i ON i.site_id = s.site_id AND i.id = s.incident_id
       WHERE s.state = 'confirmed' AND s.on_resolved = 1 AND i.resolved_at IS NOT NULL
       ON CONFLICT (subscription_id, event_key) DO NOTHING`,
      at,
      at,
    );
    return verified + resolved;
  }

  /** Mails due now (not leased by another instance), oldest first. */
  async due(now: number, limit: number): Promise<DueMail[]> {
    const at = iso(now);
    return this.db.all<DueMail>(
      `SELECT o.subscription_id, o.event_key, o.attempts, s.site_id, st.slug AS site_slug,
         st.name AS site_name, st.origins AS site_origins, s.incident_id, i.title AS incident_title,
         s.address, s.confirm_by, s.state
       FROM email_outbox o
       JOIN email_subscriptions s ON s.id = o.subscription_id
       JOIN sites st ON st.id = s.site_id
       JOIN incidents i ON i.site_id = s.site_id AND i.id = s.incident_id
       WHERE o.state = 'pending' AND o.next_at <= ? AND (o.lease_until IS NULL OR o.lease_until < ?)
       ORDER BY o.next_at, o.subscription_id, o.event_key LIMIT ?`,
      at,
      at,
      limit,
    );
  }

  /** Takes a due mail for `leaseMs`; false when another instance has it or it is no longer due. */
  async claim(mail: DueMail, now: number, leaseMs: number): Promise<boolean> {
    const at = iso(now);
    const changed = await this.db.run(
      `UPDATE email_outbox SET lease_until = ?, attempts = attempts + 1
       WHERE subscription_id = ? AND event_key = ? AND state = 'pending' AND attempts = ?
         AND (lease_until IS NULL OR lease_until < ?)`,
      iso(now + leaseMs),
      mail.subscription_id,
      mail.event_key,
      mail.attempts,
      at,
    );
    return changed === 1;
  }

  async markSent(mail: DueMail, now: number): Promise<void> {
    await this.db.run(
      `UPDATE email_outbox SET state = 'sent', sent_at = ?, lease_until = NULL, last_error = NULL
       WHERE subscription_id = ? AND event_key = ?`,
      iso(now),
      mail.subscription_id,
      mail.event_key,
    );
  }

  /** A mail that will not be sent (its subscription ended, its fix is gone). */
  async markSkipped(mail: DueMail): Promise<void> {
    await this.db.run(
      `UPDATE email_outbox SET state = 'skipped', lease_until = NULL WHERE subscription_id = ? AND event_key = ?`,
      mail.subscription_id,
      mail.event_key,
    );
  }

  /** A failed attempt: tried again at `retryAt`, or `failed` for good when it is null. */
  async markFailed(mail: DueMail, error: string, retryAt: number | null): Promise<void> {
    await this.db.run(
      `UPDATE email_outbox SET state = ?, next_at = ?, lease_until = NULL, last_error = ?
       WHERE subscription_id = ? AND event_key = ?`,
      retryAt === null ? 'failed' : 'pending',
      iso(retryAt ?? Date.now()),
      error.slice(0, 500),
      mail.subscription_id,
      mail.event_key,
    );
  }

  async verifiedFix(siteId: string, postId: string): Promise<VerifiedFixRow | undefined> {
    return this.db.one<VerifiedFixRow>(
      'SELECT id, kind, body, workaround, state, verified, deleted_at FROM posts WHERE site_id = ? AND id = ?',
      siteId,
      postId,
    );
  }

  /** Sites with a live subscription (the dispatcher listens to their events). */
  async liveSites(): Promise<string[]> {
    return (
      await this.db.all<{ site_id: string }>(
        `SELECT DISTINCT site_id FROM email_subscriptions WHERE state IN ('pending', 'confirmed')`,
      )
    ).map((r) => r.site_id);
  }
}

/** The member's subscriptions, for their data export. */
export async function memberSubscriptions(
  db: StoreDb,
  siteId: string,
  memberId: string,
): Promise<EmailSubscriptionRecord[]> {
  const rows = await db.all<SubscriptionRow>(
    'SELECT * FROM email_subscriptions WHERE site_id = ? AND member_id = ? ORDER BY created_at, id',
    siteId,
    memberId,
  );
  return rows.map((r) => ({
    incidentId: r.incident_id,
    email: r.address,
    onVerified: r.on_verified === 1,
    onResolved: r.on_resolved === 1,
    state: r.state,
    createdAt: r.created_at,
    confirmedAt: r.confirmed_at,
    endedAt: r.ended_at,
  }));
}

/** Erasure: the member's subscriptions and their outbox rows are deleted (inside its transaction). */
export async function eraseMemberSubscriptions(
  db: StoreDb,
  siteId: string,
  memberId: string,
): Promise<number> {
  await db.run(
    `DELETE FROM email_outbox WHERE subscription_id IN
       (SELECT id FROM email_subscriptions WHERE site_id = ? AND member_id = ?)`,
    siteId,
    memberId,
  );
  return db.run(
    'DELETE FROM email_subscriptions WHERE site_id = ? AND member_id = ?',
    siteId,
    memberId,
  );
}
