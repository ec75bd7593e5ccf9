/**
 * Integrations in the store (migration 9, ADRs 0026 and 0027), over the SQL driver port so the
 * same statements run on SQLite and PostgreSQL: a site's push endpoint (status_push), its
 * outgoing webhook endpoints, the durable outbox of messages with their lease, the delivery log,
 * and the cursor up to which a site's event log became messages. Rules (which events, when to
 * retry) live in webhooks/; this file only reads and writes rows.
 */
import { ulid } from '@lifeboat/protocol';
import type { SqlDriver } from './sql/driver.js';

export type PushProvider = 'statuspage' | 'instatus' | 'incidentio';

export interface PushSourceRecord {
  siteId: string;
  provider: PushProvider;
  /** SHA-256 (hex) of the secret in the push URL. */
  tokenHash: string;
  /** Sealed (auth/secret-box.ts) signing secret of a provider that signs, or null. */
  signingSecret: string | null;
  createdAt: string;
  lastReceivedAt: string | null;
}

export type WebhookFormat = 'standard' | 'slack';

export interface WebhookEndpointRecord {
  id: string;
  siteId: string;
  url: string;
  events: string[];
  format: WebhookFormat;
  /** Sealed `whsec_…` secret. */
  secret: string;
  enabled: boolean;
  createdAt: string;
}

export type MessageState = 'pending' | 'delivered' | 'failed';

export interface WebhookMessageRecord {
  id: string;
  siteId: string;
  endpointId: string;
  eventType: string;
  dedupeKey: string;
  /** The JSON body sent, exactly. */
  payload: string;
  state: MessageState;
  attempts: number;
  nextAttemptAt: string;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

export interface WebhookAttemptRecord {
  attempt: number;
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** A message to enqueue for one endpoint; `seq` is the event it came from (null: not from the log). */
export interface NewWebhookMessage {
  seq: number | null;
  endpointId: string;
  eventType: string;
  dedupeKey: string;
  payload: string;
}

interface PushRow {
  site_id: string;
  provider: string;
  token_hash: string;
  signing_secret: string | null;
  created_at: string;
  last_received_at: string | null;
}

interface EndpointRow {
  id: string;
  site_id: string;
  url: string;
  events: string;
  format: string;
  secret: string;
  enabled: number;
  created_at: string;
}

interface MessageRow {
  id: string;
  site_id: string;
  endpoint_id: string;
  event_type: string;
  dedupe_key: string;
  payload: string;
  state: string;
  attempts: number;
  next_attempt_at: string;
  last_status: number | null;
  last_error: string | null;
  delivered_at: string | null;
  created_at: string;
}

const toPush = (r: PushRow): PushSourceRecord => ({
  siteId: r.site_id,
  provider: r.provider as PushProvider,
  tokenHash: r.token_hash,
  signingSecret: r.signing_secret,
  createdAt: r.created_at,
  lastReceivedAt: r.last_received_at,
});

const toEndpoint = (r: EndpointRow): WebhookEndpointRecord => ({
  id: r.id,
  siteId: r.site_id,
  url: r.url,
  events: JSON.parse(r.events) as string[],
  format: r.format as WebhookFormat,
  secret: r.secret,
  enabled: Number(r.enabled) === 1,
  createdAt: r.created_at,
});

const toMessage = (r: MessageRow): WebhookMessageRecord => ({
  id: r.id,
  siteId: r.site_id,
  endpointId: r.endpoint_id,
  eventType: r.event_type,
  dedupeKey: r.dedupe_key,
  payload: r.payload,
  state: r.state as MessageState,
  attempts: Number(r.attempts),
  nextAttemptAt: r.next_attempt_at,
  lastStatus: r.last_status === null ? null : Number(r.last_status),
  lastError: r.last_error,
  deliveredAt: r.delivered_at,
  createdAt: r.created_at,
});

const nowIso = () => new Date().toISOString();

export class SqlWebhooks {
  constructor(private readonly db: SqlDriver) {}

  // ---- push ingestion ----

  async getPush(siteId: string): Promise<PushSourceRecord | null> {
    const row = await this.db.one<PushRow>('SELECT * FROM status_push WHERE site_id = ?', siteId);
    return row ? toPush(row) : null;
  }

  /** Creates or replaces a site's push endpoint (a new secret invalidates the old URL). */
  async setPush(
    siteId: string,
    value: { provider: PushProvider; tokenHash: string; signingSecret: string | null },
  ): Promise<PushSourceRecord> {
    await this.db.run(
      `INSERT INTO status_push (site_id, provider, token_hash, signing_secret, created_at, last_received_at)
       VALUES (?, ?, ?, ?, ?, NULL)
       ON CONFLICT (site_id) DO UPDATE SET provider = excluded.provider, token_hash = excluded.token_hash,
         signing_secret = excluded.signing_secret, created_at = excluded.created_at, last_received_at = NULL`,
      siteId,
      value.provider,
      value.tokenHash,
      value.signingSecret,
      nowIso(),
    );
    return (await this.getPush(siteId))!;
  }

  async deletePush(siteId: string): Promise<boolean> {
    return (await this.db.run('DELETE FROM status_push WHERE site_id = ?', siteId)) > 0;
  }

  async touchPush(siteId: string, at: string): Promise<void> {
    await this.db.run('UPDATE status_push SET last_received_at = ? WHERE site_id = ?', at, siteId);
  }

  /**
   * A pushed component status (Statuspage component webhooks): the stored component changes
   * when the site has it; returns whether one did.
   */
  async setComponentStatus(siteId: string, componentId: string, status: string): Promise<boolean> {
    return (
      (await this.db.run(
        'UPDATE components SET status = ? WHERE site_id = ? AND id = ? AND status <> ?',
        status,
        siteId,
        componentId,
        status,
      )) > 0
    );
  }

  /** `updated_at` of a stored incident (null: not stored), to ignore a stale push. */
  async incidentUpdatedAt(siteId: string, incidentId: string): Promise<string | null> {
    const row = await this.db.one<{ updated_at: string }>(
      'SELECT updated_at FROM incidents WHERE site_id = ? AND id = ?',
      siteId,
      incidentId,
    );
    return row?.updated_at ?? null;
  }

  // ---- endpoints ----

  async listEndpoints(siteId: string): Promise<WebhookEndpointRecord[]> {
    return (
      await this.db.all<EndpointRow>(
        'SELECT * FROM webhook_endpoints WHERE site_id = ? ORDER BY id',
        siteId,
      )
    ).map(toEndpoint);
  }

  async getEndpoint(siteId: string, id: string): Promise<WebhookEndpointRecord | null> {
    const row = await this.db.one<EndpointRow>(
      'SELECT * FROM webhook_endpoints WHERE site_id = ? AND id = ?',
      siteId,
      id,
    );
    return row ? toEndpoint(row) : null;
  }

  /** Sites with at least one enabled endpoint. */
  async sitesWithEndpoints(): Promise<string[]> {
    return (
      await this.db.all<{ site_id: string }>(
        'SELECT DISTINCT site_id FROM webhook_endpoints WHERE enabled = 1 ORDER BY site_id',
      )
    ).map((r) => r.site_id);
  }

  /**
   * A new endpoint. The site's cursor starts at its current event (if it has none yet): an
   * endpoint hears what happens from now on, not the site's history.
   */
  async createEndpoint(
    siteId: string,
    value: { url: string; events: string[]; format: WebhookFormat; secret: string },
  ): Promise<WebhookEndpointRecord> {
    const id = ulid();
    await this.db.tx(async (tx) => {
      await tx.lock(`webhooks:${siteId}`);
      await this.startCursorIfIdle(tx, siteId);
      await tx.run(
        `INSERT INTO webhook_endpoints (id, site_id, url, events, format, secret, enabled, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 1, ?)`,
        id,
        siteId,
        value.url,
        JSON.stringify(value.events),
        value.format,
        value.secret,
        nowIso(),
      );
    });
    return (await this.getEndpoint(siteId, id))!;
  }

  /**
   * Moves the site's cursor to its current event when no endpoint is enabled: events from while
   * nobody listened are not sent to an endpoint added or enabled now.
   */
  private async startCursorIfIdle(tx: Pick<SqlDriver, 'run'>, siteId: string): Promise<void> {
    await tx.run(
      `INSERT INTO webhook_cursors (site_id, seq) SELECT id, event_seq FROM sites WHERE id = ?
       ON CONFLICT (site_id) DO UPDATE SET seq = excluded.seq
       WHERE NOT EXISTS (SELECT 1 FROM webhook_endpoints WHERE site_id = ? AND enabled = 1)`,
      siteId,
      siteId,
    );
  }

  async updateEndpoint(
    siteId: string,
    id: string,
    patch: Partial<{
      url: string;
      events: string[];
      format: WebhookFormat;
      secret: string;
      enabled: boolean;
    }>,
  ): Promise<WebhookEndpointRecord | null> {
    const sets: string[] = [];
    const values: unknown[] = [];
    const set = (column: string, value: unknown) => {
      sets.push(`${column} = ?`);
      values.push(value);
    };
    if (patch.url !== undefined) set('url', patch.url);
    if (patch.events !== undefined) set('events', JSON.stringify(patch.events));
    if (patch.format !== undefined) set('format', patch.format);
    if (patch.secret !== undefined) set('secret', patch.secret);
    if (patch.enabled !== undefined) set('enabled', patch.enabled ? 1 : 0);
    if (sets.length)
      await this.db.tx(async (tx) => {
        await tx.lock(`webhooks:${siteId}`);
        if (patch.enabled) await this.startCursorIfIdle(tx, siteId);
        await tx.run(
          `UPDATE webhook_endpoints SET ${sets.join(', ')} WHERE site_id = ? AND id = ?`,
          ...values,
          siteId,
          id,
        );
      });
    return this.getEndpoint(siteId, id);
  }

  /** Removes an endpoint with its messages and their delivery log. */
  async deleteEndpoint(siteId: string, id: string): Promise<boolean> {
    return await this.db.tx(async (tx) => {
      // Only an endpoint of this site loses its history (an id of another site's is a 404).
      await tx.run(
        'DELETE FROM webhook_attempts WHERE message_id IN (SELECT id FROM webhook_messages WHERE endpoint_id = ? AND site_id = ?)',
        id,
        siteId,
      );
      await tx.run(
        'DELETE FROM webhook_messages WHERE endpoint_id = ? AND site_id = ?',
        id,
        siteId,
      );
      return (
        (await tx.run('DELETE FROM webhook_endpoints WHERE site_id = ? AND id = ?', siteId, id)) > 0
      );
    });
  }

  // ---- the outbox ----

  async cursorOf(siteId: string): Promise<number | null> {
    const row = await this.db.one<{ seq: number }>(
      'SELECT seq FROM webhook_cursors WHERE site_id = ?',
      siteId,
    );
    return row ? Number(row.seq) : null;
  }

  /**
   * Enqueues the messages built from the site's events after the cursor up to `toSeq` and moves
   * the cursor there, in one transaction under the site's webhook lock: two instances turning the
   * same events into messages enqueue each once (the cursor, and the dedupe key besides).
   * Returns how many were enqueued.
   */
  async enqueueFromLog(
    siteId: string,
    toSeq: number,
    messages: readonly NewWebhookMessage[],
  ): Promise<number> {
    return await this.db.tx(async (tx) => {
      await tx.lock(`webhooks:${siteId}`);
      const row = await tx.one<{ seq: number }>(
        'SELECT seq FROM webhook_cursors WHERE site_id = ?',
        siteId,
      );
      if (!row) {
        await tx.run('INSERT INTO webhook_cursors (site_id, seq) VALUES (?, ?)', siteId, toSeq);
        return 0;
      }
      const cursor = Number(row.seq);
      if (cursor >= toSeq) return 0;
      let added = 0;
      for (const m of messages)
        if (m.seq === null || m.seq > cursor) added += await this.insertMessage(tx, siteId, m);
      await tx.run('UPDATE webhook_cursors SET seq = ? WHERE site_id = ?', toSeq, siteId);
      return added;
    });
  }

  /** Enqueues messages that do not come from the event log (a notifier's `spike.detected`). */
  async enqueue(siteId: string, messages: readonly NewWebhookMessage[]): Promise<number> {
    return await this.db.tx(async (tx) => {
      let added = 0;
      for (const m of messages) added += await this.insertMessage(tx, siteId, m);
      return added;
    });
  }

  private async insertMessage(
    tx: Pick<SqlDriver, 'run'>,
    siteId: string,
    m: NewWebhookMessage,
  ): Promise<number> {
    const at = nowIso();
    return await tx.run(
      `INSERT INTO webhook_messages (id, site_id, endpoint_id, event_type, dedupe_key, payload, state, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?)
       ON CONFLICT (endpoint_id, dedupe_key) DO NOTHING`,
      ulid(),
      siteId,
      m.endpointId,
      m.eventType,
      m.dedupeKey,
      m.payload,
      at,
      at,
    );
  }

  /**
   * Claims up to `limit` due messages for `owner` until `leaseUntil`. Each row is taken by a
   * conditional UPDATE that re-checks it is still unclaimed (PostgreSQL re-evaluates the WHERE
   * on the row it waited for), so of several instances exactly one gets each message.
   */
  async claimDue(
    owner: string,
    now: string,
    leaseUntil: string,
    limit: number,
  ): Promise<Array<{ message: WebhookMessageRecord; endpoint: WebhookEndpointRecord }>> {
    const due = await this.db.all<{ id: string }>(
      `SELECT id FROM webhook_messages
       WHERE state = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY next_attempt_at, id LIMIT ?`,
      now,
      now,
      limit,
    );
    const claimed: Array<{ message: WebhookMessageRecord; endpoint: WebhookEndpointRecord }> = [];
    for (const { id } of due) {
      const taken = await this.db.run(
        `UPDATE webhook_messages SET lease_owner = ?, lease_until = ?
         WHERE id = ? AND state = 'pending' AND (lease_until IS NULL OR lease_until < ?)`,
        owner,
        leaseUntil,
        id,
        now,
      );
      if (taken !== 1) continue;
      const message = await this.db.one<MessageRow>(
        'SELECT * FROM webhook_messages WHERE id = ?',
        id,
      );
      const endpoint = message
        ? await this.db.one<EndpointRow>(
            'SELECT * FROM webhook_endpoints WHERE id = ?',
            message.endpoint_id,
          )
        : undefined;
      if (message && endpoint)
        claimed.push({ message: toMessage(message), endpoint: toEndpoint(endpoint) });
    }
    return claimed;
  }

  /**
   * Records one attempt and its outcome: delivered, retried at `retryAt`, or failed for good
   * (`retryAt` null). Releases the lease.
   */
  async recordAttempt(
    messageId: string,
    result: {
      at: string;
      ok: boolean;
      status: number | null;
      error: string | null;
      durationMs: number;
      retryAt: string | null;
    },
  ): Promise<void> {
    await this.db.tx(async (tx) => {
      const row = await tx.one<{ attempts: number }>(
        'SELECT attempts FROM webhook_messages WHERE id = ?',
        messageId,
      );
      if (!row) return;
      const attempt = Number(row.attempts) + 1;
      await tx.run(
        'INSERT INTO webhook_attempts (message_id, attempt, at, status, error, duration_ms) VALUES (?, ?, ?, ?, ?, ?)',
        messageId,
        attempt,
        result.at,
        result.status,
        result.error?.slice(0, 500) ?? null,
        Math.round(result.durationMs),
      );
      const state: MessageState = result.ok
        ? 'delivered'
        : result.retryAt === null
          ? 'failed'
          : 'pending';
      await tx.run(
        `UPDATE webhook_messages SET attempts = ?, state = ?, next_attempt_at = ?, lease_owner = NULL,
           lease_until = NULL, last_status = ?, last_error = ?, delivered_at = ?
         WHERE id = ?`,
        attempt,
        state,
        result.retryAt ?? result.at,
        result.status,
        result.error?.slice(0, 500) ?? null,
        result.ok ? result.at : null,
        messageId,
      );
    });
  }

  /** A site's messages, newest first (optionally one endpoint's, or before an id). */
  async listMessages(
    siteId: string,
    options: { endpointId?: string; before?: string; limit: number },
  ): Promise<WebhookMessageRecord[]> {
    const where = ['site_id = ?'];
    const params: unknown[] = [siteId];
    if (options.endpointId) {
      where.push('endpoint_id = ?');
      params.push(options.endpointId);
    }
    if (options.before) {
      where.push('id < ?');
      params.push(options.before);
    }
    return (
      await this.db.all<MessageRow>(
        `SELECT * FROM webhook_messages WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
        ...params,
        options.limit,
      )
    ).map(toMessage);
  }

  async getMessage(siteId: string, id: string): Promise<WebhookMessageRecord | null> {
    const row = await this.db.one<MessageRow>(
      'SELECT * FROM webhook_messages WHERE site_id = ? AND id = ?',
      siteId,
      id,
    );
    return row ? toMessage(row) : null;
  }

  async attemptsOf(messageId: string): Promise<WebhookAttemptRecord[]> {
    return (
      await this.db.all<{
        attempt: number;
        at: string;
        status: number | null;
        error: string | null;
        duration_ms: number;
      }>('SELECT * FROM webhook_attempts WHERE message_id = ? ORDER BY attempt', messageId)
    ).map((r) => ({
      attempt: Number(r.attempt),
      at: r.at,
      status: r.status === null ? null : Number(r.status),
      error: r.error,
      durationMs: Number(r.duration_ms),
    }));
  }

  /** Sends a message again as soon as a worker is free (delivered or failed ones too). */
  async redeliver(siteId: string, id: string, now: string): Promise<WebhookMessageRecord | null> {
    await this.db.run(
      `UPDATE webhook_messages SET state = 'pending', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL
       WHERE site_id = ? AND id = ?`,
      now,
      siteId,
      id,
    );
    return this.getMessage(siteId, id);
  }

  /** The earliest time a pending message is due (null: none pending). */
  async nextDue(): Promise<string | null> {
    const row = await this.db.one<{ at: string | null }>(
      "SELECT MIN(next_attempt_at) AS at FROM webhook_messages WHERE state = 'pending'",
    );
    return row?.at ?? null;
  }
}
