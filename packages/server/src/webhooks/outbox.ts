/**
 * Outgoing webhooks (ADR 0027): site events become messages in a durable outbox (a table), and a
 * worker delivers them, signed per Standard Webhooks, with retries and exponential backoff.
 *
 * - **From the event log.** For every site with an endpoint, the hub's "site S reached seq N"
 *   (and a sweep every few seconds, for what a notice missed) makes the service read the events
 *   after the site's cursor, map them (events.ts) and enqueue one message per subscribed
 *   endpoint, moving the cursor in the same transaction. Notifier events (`spike.detected`) are
 *   enqueued as they come.
 * - **Delivery.** Due messages are claimed with a lease (one instance delivers each), POSTed
 *   (deliver.ts: address policy, no redirects, timeout, capped answer), and each attempt is
 *   logged. A failure retries after `retryBaseMs · 2^(attempt-1)` (equal jitter, at most six
 *   hours) up to `maxAttempts`; the schedule is in the table, so a restart resumes it, and a
 *   lease left by a dead instance expires and the message is claimed again.
 */
import type { LifeboatEvent } from '@lifeboat/protocol';
import type { SecretBox } from '../auth/secret-box.js';
import type { Hub } from '../realtime/hub.js';
import type { Notifier, NotifierEvent } from '../services/notifier.js';
import type { AddressPolicy, Resolve } from '../status/upstream-address.js';
import type { SqlDriver } from '../store/sql/driver.js';
import {
  SqlWebhooks,
  type NewWebhookMessage,
  type WebhookEndpointRecord,
} from '../store/sql-webhooks.js';
import type { Store } from '../store/store.js';
import { deliver } from './deliver.js';
import { webhookBody, webhookEventOf, webhookEventOfNotice, type WebhookEvent } from './events.js';
import { signWebhook } from './signature.js';

interface OutboxLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface WebhookServiceOptions {
  store: Store;
  driver: SqlDriver;
  hub: Hub;
  secrets: SecretBox;
  /** Addresses endpoints may be on besides public ones (LIFEBOAT_WEBHOOK_ALLOW). */
  policy: AddressPolicy;
  resolve?: Resolve;
  instanceId: string;
  /** The first retry's delay; each next one doubles. */
  retryBaseMs: number;
  maxAttempts: number;
  timeoutMs?: number;
  maxResponseBytes?: number;
  leaseMs?: number;
  /** How often due messages and unread events are looked for without a notice. */
  sweepMs?: number;
  log?: OutboxLog;
  random?: () => number;
  /** Each attempt's outcome (metrics): `failed` will retry, `abandoned` will not. */
  onAttempt?: ((siteId: string, outcome: 'delivered' | 'failed' | 'abandoned') => void) | null;
}

const MAX_DELAY_MS = 6 * 3600_000;
const BATCH = 10;
const EVENT_PAGE = 200;

const silent: OutboxLog = { warn: () => undefined, error: () => undefined };

export class WebhookService implements Notifier {
  readonly data: SqlWebhooks;
  private readonly o: Required<Omit<WebhookServiceOptions, 'resolve'>> & { resolve?: Resolve };
  private readonly watched = new Map<string, () => void>();
  private readonly pumping = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private delivering: Promise<void> | null = null;
  private running = false;

  constructor(options: WebhookServiceOptions) {
    this.o = {
      timeoutMs: 10_000,
      maxResponseBytes: 64 * 1024,
      leaseMs: 60_000,
      sweepMs: 5_000,
      log: silent,
      random: Math.random,
      onAttempt: null,
      ...options,
    };
    this.data = new SqlWebhooks(options.driver);
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.sweep();
  }

  /** Stops timers and waits for deliveries under way (their outcome is recorded). */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    for (const off of this.watched.values()) off();
    this.watched.clear();
    await Promise.allSettled([...this.pumping.values()]);
    await this.delivering?.catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }

  /** After an endpoint was added or changed: follow the site's events. */
  watchSite(siteId: string): void {
    if (!this.running || this.watched.has(siteId)) return;
    this.watched.set(
      siteId,
      this.o.hub.subscribe(siteId, () => void this.pump(siteId)),
    );
  }

  /** Sends due messages now (after a redelivery, or an enqueue). */
  kick(): void {
    if (!this.running) return;
    this.schedule(0);
  }

  /** The exponential backoff before attempt `attempt + 1` (equal jitter). */
  retryDelay(attempt: number): number {
    const ceiling = Math.min(MAX_DELAY_MS, this.o.retryBaseMs * 2 ** Math.min(attempt - 1, 30));
    return Math.round(ceiling / 2 + (ceiling / 2) * this.o.random());
  }

  /** Notifier: `spike.detected` (and any later notice type webhooks know). */
  async notify(siteId: string, notice: NotifierEvent): Promise<void> {
    const site = await this.o.store.getSiteById(siteId);
    if (!site) return;
    const event = webhookEventOfNotice(notice, site, new Date().toISOString());
    if (!event) return;
    const endpoints = await this.data.listEndpoints(siteId);
    const added = await this.data.enqueue(siteId, this.messagesOf(event, endpoints, null));
    if (added) this.kick();
  }

  /** Reads a site's events after its cursor into messages; one run per site at a time. */
  pump(siteId: string): Promise<void> {
    const current = this.pumping.get(siteId);
    if (current) {
      this.again.add(siteId);
      return current;
    }
    const run = (async () => {
      do {
        this.again.delete(siteId);
        try {
          await this.pumpOnce(siteId);
        } catch (err) {
          if (this.running) this.o.log.error({ err, siteId }, 'webhooks: reading events failed');
        }
      } while (this.again.has(siteId) && this.running);
    })().finally(() => this.pumping.delete(siteId));
    this.pumping.set(siteId, run);
    return run;
  }

  private async pumpOnce(siteId: string): Promise<void> {
    const { store } = this.o;
    const site = await store.getSiteById(siteId);
    if (!site) return;
    for (;;) {
      const cursor = await this.data.cursorOf(siteId);
      if (cursor === null) {
        await this.data.enqueueFromLog(siteId, (await store.eventBounds(siteId)).current, []);
        return;
      }
      const events = await store.eventsAfter(siteId, cursor, EVENT_PAGE);
      if (!events.length) return;
      const endpoints = (await this.data.listEndpoints(siteId)).filter((e) => e.enabled);
      const messages: NewWebhookMessage[] = [];
      const at = new Date().toISOString();
      for (const stored of events) {
        if (!endpoints.length) break;
        const event = await webhookEventOf(
          JSON.parse(stored.payload) as LifeboatEvent,
          site,
          at,
          (incidentId) => store.incidentReport(siteId, incidentId, { now: Date.now() }),
        );
        if (event) messages.push(...this.messagesOf(event, endpoints, stored.seq));
      }
      const added = await this.data.enqueueFromLog(siteId, events.at(-1)!.seq, messages);
      if (added) this.kick();
      if (events.length < EVENT_PAGE) return;
    }
  }

  private messagesOf(
    event: WebhookEvent,
    endpoints: readonly WebhookEndpointRecord[],
    seq: number | null,
  ): NewWebhookMessage[] {
    return endpoints
      .filter((e) => e.enabled && e.events.includes(event.type))
      .map((e) => ({
        seq,
        endpointId: e.id,
        eventType: event.type,
        dedupeKey: event.dedupeKey,
        payload: webhookBody(event, e.format),
      }));
  }

  private schedule(ms: number): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.tick();
    }, ms);
    this.timer.unref?.();
  }

  private async tick(): Promise<void> {
    if (this.delivering) {
      // One claiming pass at a time; look again right after it.
      await this.delivering.catch(() => undefined);
    }
    this.delivering = this.deliverDue().finally(() => (this.delivering = null));
    await this.delivering;
    if (this.running && !this.timer) this.schedule(this.o.sweepMs);
  }

  /** Follows every site with endpoints, reads unread events, delivers what is due. */
  private async sweep(): Promise<void> {
    try {
      for (const siteId of await this.data.sitesWithEndpoints()) {
        this.watchSite(siteId);
        await this.pump(siteId);
      }
    } catch (err) {
      if (this.running) this.o.log.error({ err }, 'webhooks: sweep failed');
    }
    this.schedule(0);
  }

  private async deliverDue(): Promise<void> {
    const now = Date.now();
    let claimed;
    try {
      // Sites and events first (endpoints the CLI added, events a notice missed), then what is due.
      for (const siteId of await this.data.sitesWithEndpoints()) {
        this.watchSite(siteId);
        await this.pump(siteId);
      }
      claimed = await this.data.claimDue(
        this.o.instanceId,
        new Date(now).toISOString(),
        new Date(now + this.o.leaseMs).toISOString(),
        BATCH,
      );
    } catch (err) {
      if (this.running) this.o.log.error({ err }, 'webhooks: claiming messages failed');
      return;
    }
    await Promise.all(
      claimed.map(({ message, endpoint }) => {
        const run = this.attempt(message, endpoint);
        this.inFlight.add(run);
        return run.finally(() => this.inFlight.delete(run));
      }),
    );
    if (claimed.length === BATCH) this.schedule(0);
    else {
      const next = await this.data.nextDue().catch(() => null);
      if (next) this.schedule(Math.max(0, Math.min(this.o.sweepMs, Date.parse(next) - Date.now())));
    }
  }

  private async attempt(
    message: { id: string; siteId: string; payload: string; attempts: number },
    endpoint: WebhookEndpointRecord,
  ): Promise<void> {
    const secret = this.o.secrets.open(endpoint.secret).plain;
    const at = new Date().toISOString();
    let result;
    if (!endpoint.enabled)
      result = { ok: false, status: null, error: 'The endpoint is disabled.', durationMs: 0 };
    else if (!secret)
      result = {
        ok: false,
        status: null,
        error: "The endpoint's secret cannot be opened (LIFEBOAT_SECRET changed?).",
        durationMs: 0,
      };
    else {
      const timestamp = Math.floor(Date.now() / 1000);
      result = await deliver(
        endpoint.url,
        {
          'webhook-id': message.id,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(secret, message.id, timestamp, message.payload),
        },
        message.payload,
        {
          timeoutMs: this.o.timeoutMs,
          maxResponseBytes: this.o.maxResponseBytes,
          policy: this.o.policy,
          ...(this.o.resolve ? { resolve: this.o.resolve } : {}),
        },
      );
    }
    const attempt = message.attempts + 1;
    const retryAt =
      result.ok || attempt >= this.o.maxAttempts || !endpoint.enabled
        ? null
        : new Date(Date.now() + this.retryDelay(attempt)).toISOString();
    try {
      await this.data.recordAttempt(message.id, { at, ...result, retryAt });
    } catch (err) {
      this.o.log.error({ err, message: message.id }, 'webhooks: recording an attempt failed');
    }
    this.o.onAttempt?.(message.siteId, result.ok ? 'delivered' : retryAt ? 'failed' : 'abandoned');
    if (!result.ok)
      this.o.log.warn(
        { message: message.id, endpoint: endpoint.id, attempt, error: result.error },
        retryAt ? 'webhooks: delivery failed, will retry' : 'webhooks: delivery failed for good',
      );
  }
}
