/**
 * The hub across instances on PostgreSQL (ADR 0017). Every event row is announced on commit by a
 * trigger (migration 7): NOTIFY `lifeboat_events` with `<site id>:<seq>` only. Each instance
 * LISTENs on one dedicated connection and tells its local subscribers; they read the events from
 * the event table themselves, so a lost notification loses nothing.
 *
 * - A publish on this instance is delivered locally at once (no round trip); the notification of
 *   the same sequence arriving later is dropped (per site, only a higher sequence is delivered).
 * - When the LISTEN connection drops, it reconnects with backoff and then catches up: it reads
 *   every subscribed site's sequence and announces those that grew meanwhile. A slow safety
 *   sweep (`catchUpMs`) does the same while connected.
 */
import pg from 'pg';
import { withDefaultUser } from '../store/sql/pg-driver.js';
import { MemoryHub, type Hub, type HubNotice } from './hub.js';

export const EVENT_CHANNEL = 'lifeboat_events';

export interface PgHubOptions {
  connectionString: string;
  /** Reads each subscribed site's sequence this often even while connected; 0: only on reconnect. */
  catchUpMs?: number;
  log?: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export class PgHub extends MemoryHub implements Hub {
  /** Highest sequence delivered per site. */
  private readonly delivered = new Map<string, number>();
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = 100;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  private catchUpTimer: ReturnType<typeof setInterval> | null = null;
  private connecting: Promise<void> | null = null;

  constructor(private readonly o: PgHubOptions) {
    super();
  }

  /** Connects and LISTENs; resolves once notifications flow (or rejects on the first failure). */
  async start(): Promise<void> {
    await this.connect();
    const every = this.o.catchUpMs ?? 5000;
    if (every > 0) {
      this.catchUpTimer = setInterval(() => void this.catchUp(), every);
      this.catchUpTimer.unref?.();
    }
  }

  /** Whether the LISTEN connection is up (tests, health). */
  get connected(): boolean {
    return this.client !== null;
  }

  private connect(): Promise<void> {
    if (this.connecting) return this.connecting;
    this.connecting = (async () => {
      const client = new pg.Client({ connectionString: withDefaultUser(this.o.connectionString) });
      client.on('notification', (msg) => {
        if (msg.channel !== EVENT_CHANNEL || !msg.payload) return;
        const cut = msg.payload.lastIndexOf(':');
        const seq = Number(msg.payload.slice(cut + 1));
        if (cut > 0 && Number.isSafeInteger(seq))
          this.deliver({ site: msg.payload.slice(0, cut), seq });
      });
      client.on('error', (err) => this.lost(client, err));
      client.on('end', () => this.lost(client, null));
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
      if (this.closed) {
        await client.end().catch(() => undefined);
        return;
      }
      this.client = client;
      this.retryMs = 100;
    })().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private lost(client: pg.Client, err: Error | null): void {
    if (this.client !== client && this.client !== null) return;
    this.client = null;
    if (this.closed) return;
    if (err) this.o.log?.warn({ err }, 'hub: LISTEN connection lost; reconnecting');
    client.end().catch(() => undefined);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnectTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect()
        .then(() => this.catchUp())
        .catch((err: unknown) => {
          this.o.log?.warn({ err }, 'hub: reconnect failed; retrying');
          this.scheduleReconnect();
        });
    }, wait);
    this.reconnectTimer.unref?.();
  }

  /** Announces every subscribed site whose sequence grew beyond what was delivered. */
  async catchUp(): Promise<void> {
    const client = this.client;
    const sites = [...this.listeners.keys()];
    if (!client || sites.length === 0) return;
    try {
      const { rows } = await client.query<{ id: string; event_seq: string | number }>(
        'SELECT id, event_seq FROM sites WHERE id = ANY($1::text[])',
        [sites],
      );
      for (const row of rows) this.deliver({ site: row.id, seq: Number(row.event_seq) });
    } catch (err) {
      if (!this.closed) this.o.log?.warn({ err }, 'hub: catch-up read failed');
    }
  }

  private deliver(notice: HubNotice): void {
    const last = this.delivered.get(notice.site) ?? 0;
    if (notice.seq <= last) return;
    this.delivered.set(notice.site, notice.seq);
    super.publish(notice);
  }

  override publish(notice: HubNotice): void {
    this.deliver(notice);
  }

  override async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.catchUpTimer) clearInterval(this.catchUpTimer);
    await super.close();
    const client = this.client;
    this.client = null;
    await this.connecting?.catch(() => undefined);
    await client?.end().catch(() => undefined);
  }
}
