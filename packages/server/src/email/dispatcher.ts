/**
 * The mail dispatcher (ADR 0029): queues the mails confirmed subscriptions are owed and sends the
 * outbox through SMTP (nodemailer). It sweeps when one of the sites it listens to has new events
 * (the hub: this instance's writes, the other instances' through PostgreSQL, the CLI's through the
 * SQLite file watch), after a subscription changes, and every `mailSweepMs` besides, so a lost
 * notification only delays a mail.
 *
 * Exactly one mail per event per subscriber: the outbox row is the durable "owed" marker (queued
 * once, store/sql-subscriptions.ts); an instance sends a row only after claiming it (a lease), and
 * marks it sent right after the SMTP server took it. The one gap is a crash between the two: the
 * row is sent again when its lease runs out, with the same Message-ID, which mail systems use
 * to drop the duplicate.
 */
import nodemailer, { type Transporter } from 'nodemailer';
import type { FastifyBaseLogger } from 'fastify';
import type { ServerConfig } from '../config.js';
import type { SigningKey } from '../auth/tokens.js';
import type { Hub } from '../realtime/hub.js';
import type { SqlSubscriptions } from '../store/sql-subscriptions.js';
import { type DueMail } from '../store/sql-subscriptions.js';
import { linkToken } from './link-tokens.js';
import {
  confirmationMail,
  fixSummary,
  resolvedMail,
  verifiedMail,
  type MailContent,
} from './messages.js';

export interface DispatcherOptions {
  subscriptions: SqlSubscriptions;
  hub: Hub;
  config: Pick<ServerConfig, 'smtpUrl' | 'mailFrom' | 'publicOrigin' | 'mailSweepMs'>;
  keys: readonly SigningKey[];
  log: FastifyBaseLogger;
  /** How long a claimed mail is this instance's to send (ms). */
  leaseMs?: number;
  /** Attempts before a mail is given up (`failed`). */
  maxAttempts?: number;
  /** Mails sent per sweep at most (the next sweep follows at once when there are more). */
  batch?: number;
}

/** The first retry after 30 s, doubling, at most an hour apart. */
export const retryDelay = (attempts: number) => Math.min(3600_000, 30_000 * 2 ** (attempts - 1));

export class EmailDispatcher {
  private readonly subs: SqlSubscriptions;
  private readonly transport: Transporter;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;
  private readonly batch: number;
  private readonly listening = new Map<string, () => void>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    const { smtpUrl, mailFrom, publicOrigin } = options.config;
    if (!smtpUrl || !mailFrom || !publicOrigin) throw new Error('Email is not configured.');
    this.subs = options.subscriptions;
    this.transport = nodemailer.createTransport(smtpUrl);
    this.leaseMs = options.leaseMs ?? 120_000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.batch = options.batch ?? 50;
  }

  start(): void {
    this.timer = setInterval(() => void this.kick(), this.options.config.mailSweepMs);
    this.timer.unref();
    void this.kick();
  }

  /** Sweeps now, or right after the sweep under way; resolves when the outbox is swept. */
  kick(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.sweep();
        } while (this.again && !this.stopped);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const off of this.listening.values()) off();
    this.listening.clear();
    await this.running?.catch(() => undefined);
    this.transport.close();
  }

  /** One pass: queue what events owe, send one batch of due mails, listen to new sites. */
  private async sweep(): Promise<void> {
    try {
      const now = Date.now();
      await this.subs.queueEventMails(now);
      const due = await this.subs.due(now, this.batch);
      for (const mail of due) {
        if (this.stopped) return;
        // The lease runs from now, not from the sweep's start: a slow batch would otherwise
        // claim its last mails with a lease already over, and another instance sends them too.
        if (!(await this.subs.claim(mail, Date.now(), this.leaseMs))) continue;
        await this.deliver(mail);
      }
      if (due.length === this.batch) this.again = true;
      for (const site of await this.subs.liveSites())
        if (!this.listening.has(site))
          this.listening.set(
            site,
            this.options.hub.subscribe(site, () => void this.kick()),
          );
    } catch (err) {
      this.options.log.error({ err }, 'email: sweep failed');
    }
  }

  private async deliver(mail: DueMail): Promise<void> {
    let content: MailContent | null;
    try {
      content = await this.compose(mail);
    } catch (err) {
      this.options.log.error({ err }, 'email: composing a mail failed');
      content = null;
    }
    if (!content) {
      await this.subs.markSkipped(mail);
      return;
    }
    const { config } = this.options;
    const unsubscribe = this.url(mail, 'unsubscribe', null);
    const host = new URL(config.publicOrigin!).hostname;
    try {
      await this.transport.sendMail({
        from: config.mailFrom!,
        to: mail.address,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: `<${mail.subscription_id}.${mail.event_key.replace(/[^A-Za-z0-9]+/g, '-')}@${host}>`,
        headers: {
          'Auto-Submitted': 'auto-generated',
          ...(mail.event_key === 'confirm'
            ? {}
            : {
                // RFC 8058 one-click unsubscribe (RFC 2369 List-Unsubscribe).
                'List-Unsubscribe': `<${unsubscribe}>`,
                'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
              }),
        },
      });
      await this.subs.markSent(mail, Date.now());
      this.options.log.info(
        { site: mail.site_slug, subscription: mail.subscription_id, event: mail.event_key },
        'email: sent',
      );
    } catch (err) {
      const attempts = mail.attempts + 1;
      const retryAt = attempts >= this.maxAttempts ? null : Date.now() + retryDelay(attempts);
      await this.subs.markFailed(mail, (err as Error).message ?? String(err), retryAt);
      this.options.log.warn(
        { err, subscription: mail.subscription_id, event: mail.event_key, attempts },
        retryAt === null ? 'email: giving up' : 'email: will retry',
      );
    }
  }

  /** The mail of an outbox row, or null when it is no longer owed. */
  private async compose(mail: DueMail): Promise<MailContent | null> {
    const site = mail.site_name;
    const incident = mail.incident_title;
    const threadUrl = threadUrlOf(mail.site_origins);
    if (mail.event_key === 'confirm') {
      const confirmBy = Date.parse(mail.confirm_by);
      if (mail.state !== 'pending' || confirmBy <= Date.now()) return null;
      const sub = await this.subs.get(mail.site_id, mail.subscription_id);
      return confirmationMail({
        site,
        incident,
        confirmUrl: this.url(mail, 'confirm', confirmBy),
        confirmBy: mail.confirm_by,
        onVerified: sub?.on_verified === 1,
        onResolved: sub?.on_resolved === 1,
      });
    }
    if (mail.state !== 'confirmed') return null;
    const unsubscribeUrl = this.url(mail, 'unsubscribe', null);
    if (mail.event_key === 'resolved')
      return resolvedMail({ site, incident, threadUrl, unsubscribeUrl });
    if (mail.event_key.startsWith('verified:')) {
      const fix = await this.subs.verifiedFix(mail.site_id, mail.event_key.slice(9));
      // Unverified, hidden or deleted since: no longer news.
      if (!fix || fix.verified !== 1 || fix.state !== 'published' || fix.deleted_at) return null;
      return verifiedMail({
        site,
        incident,
        fix: fixSummary(fix.kind, fix.body, fix.workaround),
        threadUrl,
        unsubscribeUrl,
      });
    }
    return null;
  }

  private url(mail: DueMail, purpose: 'confirm' | 'unsubscribe', expiresAt: number | null) {
    const token = linkToken(this.options.keys, purpose, mail.subscription_id, expiresAt);
    return `${this.options.config.publicOrigin}/v1/sites/${encodeURIComponent(mail.site_slug)}/email-subscriptions/${purpose}?token=${token}`;
  }
}

/** The status page a site is embedded in (its first https origin), where the thread is read. */
function threadUrlOf(origins: string): string | null {
  try {
    const list = JSON.parse(origins) as unknown;
    if (!Array.isArray(list)) return null;
    const first = list.find((o): o is string => typeof o === 'string' && o.startsWith('https://'));
    return first ?? null;
  } catch {
    return null;
  }
}
