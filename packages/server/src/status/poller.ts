/**
 * The status poller: for every site with a `statusUrl`, a conditional GET every poll interval
 * (per site, or the server default), normalized and applied in one transaction that writes the
 * incident events; after a failure the last good copy stays and the next try backs off
 * exponentially with jitter. A sweep locks the threads of incidents resolved longer ago than the
 * grace period. With several instances on one database, only the holder of the `status-poller`
 * lease (cluster/shared-state.ts) polls and sweeps; another instance takes over within a lease
 * time when the holder dies. Nothing here ever throws into the server: failures are logged and
 * recorded.
 */
import { normalizeStatusDocument, StatusSourceError } from '@lifeboat/protocol';
import type { SharedState } from '../cluster/shared-state.js';
import type { PollReport } from '../http/metrics.js';
import type { Hub } from '../realtime/hub.js';
import type { Store } from '../store/store.js';
import { fetchUpstream, UpstreamError } from './fetch-upstream.js';
import { pollIntervalOf } from './source-info.js';
import { AddressPolicy, systemResolve, type Resolve } from './upstream-address.js';

export interface PollerLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/** Timers, injectable so tests control time. */
export interface PollerTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface StatusPollerOptions {
  store: Store;
  hub: Hub;
  defaultIntervalMs: number;
  lockGraceMs: number;
  log?: PollerLog;
  /** Per request, headers and body. */
  timeoutMs?: number;
  /** Largest upstream body accepted. */
  maxBytes?: number;
  maxBackoffMs?: number;
  /** How often resolved threads are checked for locking. */
  sweepIntervalMs?: number;
  /**
   * Several instances: the shared state holding the poller lease, and this instance's name in
   * it. Without it this instance always polls.
   */
  shared?: SharedState | null;
  instanceId?: string;
  /** How long a lease lasts unless renewed (renewed every third of it). */
  leaseMs?: number;
  now?: () => number;
  random?: () => number;
  /**
   * Addresses the poller may connect to besides public ones (the allow-list,
   * `LIFEBOAT_STATUS_ALLOW`); default: public addresses only.
   */
  policy?: AddressPolicy;
  /** DNS (tests give a fake one). */
  resolve?: Resolve;
  /** Told after each poll of a site that reached its upstream or failed (metrics); null: none. */
  onPoll?: ((report: PollReport) => void) | null;
  timers?: PollerTimers;
}

export type PollOutcome =
  | { kind: 'skipped'; reason: string }
  | { kind: 'applied'; seqs: number[]; nextDelayMs: number }
  | { kind: 'not_modified'; nextDelayMs: number }
  | { kind: 'failed'; error: string; failures: number; nextDelayMs: number };

const DEFAULTS = {
  timeoutMs: 10_000,
  maxBytes: 1024 * 1024,
  maxBackoffMs: 10 * 60_000,
  sweepIntervalMs: 15_000,
  shared: null,
  instanceId: 'local',
  leaseMs: 15_000,
  onPoll: null,
};

const LEASE = 'status-poller';

const realTimers: PollerTimers = {
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const silent: PollerLog = { warn: () => undefined, error: () => undefined };

export class StatusPoller {
  private readonly o: Required<StatusPollerOptions>;
  private readonly scheduled = new Map<string, unknown>();
  private readonly polling = new Map<string, Promise<PollOutcome>>();
  private sweepTimer: unknown = null;
  private leaseTimer: unknown = null;
  private running = false;
  /** Polling (this instance holds the lease, or there is no lease to hold). */
  private active = false;

  constructor(options: StatusPollerOptions) {
    this.o = {
      ...DEFAULTS,
      log: silent,
      now: () => Date.now(), // read at each call, so a faked clock (tests) applies
      random: Math.random,
      policy: new AddressPolicy(),
      resolve: systemResolve,
      timers: realTimers,
      ...options,
    };
  }

  /** Starts polling every site that names a status URL, and the lock sweep (when leased). */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    if (!this.o.shared) {
      await this.activate();
      return;
    }
    await this.renewLease();
    const renew = () => {
      void this.renewLease().finally(() => {
        if (this.running) this.leaseTimer = this.o.timers.set(renew, this.o.leaseMs / 3);
      });
    };
    this.leaseTimer = this.o.timers.set(renew, this.o.leaseMs / 3);
  }

  stop(): void {
    this.running = false;
    this.deactivate();
    if (this.leaseTimer !== null) this.o.timers.clear(this.leaseTimer);
    this.leaseTimer = null;
    // Hand the lease over at once rather than after it expires.
    if (this.o.shared) void this.o.shared.release(LEASE, this.o.instanceId).catch(() => undefined);
  }

  /** Whether this instance polls now (it holds the lease, or there is none). */
  get polls(): boolean {
    return this.active;
  }

  /**
   * Takes or renews the lease; starts polling when it was just won, stops when it was lost, and
   * while held picks up sites another instance gave a status URL.
   */
  async renewLease(): Promise<void> {
    const { shared, instanceId, leaseMs, log } = this.o;
    if (!shared) return;
    let held = false;
    try {
      held = await shared.lease(LEASE, instanceId, leaseMs);
      if (held) await shared.sweep();
    } catch (err) {
      if (this.running) log.error({ err }, 'status poller: the lease could not be renewed');
    }
    if (!this.running) return;
    if (held && !this.active) await this.activate();
    else if (!held && this.active) this.deactivate();
    else if (held) await this.scheduleNewSites();
  }

  private async activate(): Promise<void> {
    this.active = true;
    await this.scheduleNewSites();
    const sweep = () => {
      void this.sweep().finally(() => {
        if (this.active) this.sweepTimer = this.o.timers.set(sweep, this.o.sweepIntervalMs);
      });
    };
    this.sweepTimer = this.o.timers.set(sweep, Math.min(this.o.sweepIntervalMs, 1000));
  }

  private deactivate(): void {
    this.active = false;
    for (const handle of this.scheduled.values()) this.o.timers.clear(handle);
    this.scheduled.clear();
    if (this.sweepTimer !== null) this.o.timers.clear(this.sweepTimer);
    this.sweepTimer = null;
  }

  /** Schedules every site with a status URL that is neither scheduled nor being polled. */
  private async scheduleNewSites(): Promise<void> {
    try {
      for (const site of await this.o.store.listSites())
        if (site.statusUrl && !this.scheduled.has(site.id) && !this.polling.has(site.id))
          this.schedule(site.id, 0);
    } catch (err) {
      if (this.running) this.o.log.error({ err }, 'status poller: listing sites failed');
    }
  }

  /**
   * After a site's settings changed: poll it now (or stop polling it). An instance without the
   * lease leaves it to the holder, which reads the site afresh at its next poll.
   */
  refresh(siteId: string): void {
    if (!this.running || !this.active) return;
    this.schedule(siteId, 0);
  }

  /** The delay before the next poll after `failures` consecutive failures (0: success). */
  delayAfter(intervalMs: number, failures: number, retryAfterMs: number | null = null): number {
    if (failures === 0) return Math.round(intervalMs * (0.9 + 0.2 * this.o.random()));
    const ceiling = Math.min(this.o.maxBackoffMs, intervalMs * 2 ** Math.min(failures, 20));
    // "Equal jitter": half fixed, half random, so retries of many servers spread out.
    const delay = Math.round(ceiling / 2 + (ceiling / 2) * this.o.random());
    return Math.max(delay, Math.min(retryAfterMs ?? 0, this.o.maxBackoffMs));
  }

  /** Polls one site now (one poll at a time per site). */
  pollSite(siteId: string): Promise<PollOutcome> {
    const current = this.polling.get(siteId);
    if (current) return current;
    const run = this.poll(siteId).finally(() => this.polling.delete(siteId));
    this.polling.set(siteId, run);
    return run;
  }

  /**
   * Locks the threads of incidents resolved more than the grace period ago, and archives those
   * resolved longer ago than their site's `archiveAfterDays`. Returns how many threads changed.
   */
  async sweep(): Promise<number> {
    try {
      const before = new Date(this.o.now() - this.o.lockGraceMs).toISOString();
      const locked = await this.o.store.lockResolvedThreads(before);
      const archived = await this.o.store.archiveResolvedThreads(this.o.now());
      for (const { siteId, seq } of [...locked, ...archived])
        this.o.hub.publish({ site: siteId, seq });
      return locked.length + archived.length;
    } catch (err) {
      this.o.log.error({ err }, 'status poller: locking resolved threads failed');
      return 0;
    }
  }

  private schedule(siteId: string, ms: number): void {
    const prior = this.scheduled.get(siteId);
    if (prior !== undefined) this.o.timers.clear(prior);
    const handle = this.o.timers.set(() => {
      this.scheduled.delete(siteId);
      void this.pollSite(siteId).then((outcome) => {
        if (this.active && outcome.kind !== 'skipped' && !this.scheduled.has(siteId))
          this.schedule(siteId, outcome.nextDelayMs);
      });
    }, ms);
    this.scheduled.set(siteId, handle);
  }

  private async poll(siteId: string): Promise<PollOutcome> {
    const { store, hub, log } = this.o;
    let site;
    try {
      site = await store.getSiteById(siteId);
    } catch (err) {
      log.error({ err, siteId }, 'status poller: could not read the site');
      return { kind: 'failed', error: 'storage', failures: 0, nextDelayMs: this.o.maxBackoffMs };
    }
    if (!site?.statusUrl) return { kind: 'skipped', reason: 'no status URL' };
    const url = site.statusUrl;
    const interval = pollIntervalOf(site, this.o.defaultIntervalMs);
    const at = () => new Date(this.o.now()).toISOString();
    let started: number | null = null;
    let seconds: number | undefined;
    const report = (outcome: PollOutcome): PollOutcome => {
      const failures = outcome.kind === 'failed' ? outcome.failures : 0;
      this.o.onPoll?.({ site: site.slug, ok: failures === 0, seconds, failures });
      return outcome;
    };
    try {
      const state = await store.getStatusSourceState(site.id);
      const own = state?.url === url ? state : null;
      started = performance.now();
      const response = await fetchUpstream(url, {
        etag: own?.etag ?? null,
        lastModified: own?.lastModified ?? null,
        timeoutMs: this.o.timeoutMs,
        maxBytes: this.o.maxBytes,
        policy: this.o.policy,
        resolve: this.o.resolve,
      });
      seconds = (performance.now() - started) / 1000;
      if (response.kind === 'not_modified') {
        await store.recordPoll(site.id, url, { ok: true, at: at() });
        return report({ kind: 'not_modified', nextDelayMs: this.delayAfter(interval, 0) });
      }
      const status = normalizeStatusDocument(response.json, { url, now: new Date(this.o.now()) });
      const seqs = await store.applyUpstream(site.id, {
        url,
        status,
        etag: response.etag,
        lastModified: response.lastModified,
        at: at(),
      });
      if (seqs.length) hub.publish({ site: site.id, seq: Math.max(...seqs) });
      await this.sweep();
      return report({ kind: 'applied', seqs, nextDelayMs: this.delayAfter(interval, 0) });
    } catch (err) {
      // A refusal from upstream (an error status, a timeout) took this long too.
      if (started !== null && seconds === undefined) seconds = (performance.now() - started) / 1000;
      const known = err instanceof UpstreamError || err instanceof StatusSourceError;
      const error = known ? err.message : 'Unexpected error while reading the status page.';
      if (!known) log.error({ err, site: site.slug, url }, 'status poller: poll failed');
      let failures = 1;
      try {
        failures = (await store.recordPoll(site.id, url, { ok: false, at: at(), error })).failures;
      } catch (storeErr) {
        log.error({ err: storeErr, site: site.slug }, 'status poller: could not record a failure');
      }
      log.warn(
        { site: site.slug, url, failures, error },
        'status poller: keeping the last good status',
      );
      const retryAfter = err instanceof UpstreamError ? err.retryAfterMs : null;
      return report({
        kind: 'failed',
        error,
        failures,
        nextDelayMs: this.delayAfter(interval, failures, retryAfter),
      });
    }
  }
}
