/**
 * The status poller: for every site with a `statusUrl`, a conditional GET every poll interval
 * (per site, or the server default), normalized and applied in one transaction that writes the
 * incident events; after a failure the last good copy stays and the next try backs off
 * exponentially with jitter. A sweep locks the threads of incidents resolved longer ago than the
 * grace period. It also watches every site's event sequence (one query a second): events written
 * by another process on the same database — the `lifeboat incident …` CLI — reach this server's
 * open streams within a second. Nothing here ever throws into the server: failures are logged
 * and recorded.
 */
import { normalizeStatusDocument, StatusSourceError } from '@lifeboat/protocol';
import type { Hub } from '../realtime/hub.js';
import type { Store } from '../store/store.js';
import { fetchUpstream, UpstreamError } from './fetch-upstream.js';
import { pollIntervalOf } from './source-info.js';

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
   * How often every site's event sequence is read, to notice events written by another process
   * (the CLI) and tell the hub; 0 turns it off.
   */
  watchIntervalMs?: number;
  now?: () => number;
  random?: () => number;
  fetch?: typeof fetch;
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
  watchIntervalMs: 1000,
};

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
  private watchTimer: unknown = null;
  /** The last event sequence seen per site (null until the first watch). */
  private sequences: Map<string, number> | null = null;
  private running = false;

  constructor(options: StatusPollerOptions) {
    this.o = {
      ...DEFAULTS,
      log: silent,
      now: Date.now,
      random: Math.random,
      fetch: (...args: Parameters<typeof fetch>) => fetch(...args),
      timers: realTimers,
      ...options,
    };
  }

  /** Starts polling every site that names a status URL, and the lock sweep. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    for (const site of await this.o.store.listSites())
      if (site.statusUrl) this.schedule(site.id, 0);
    const sweep = () => {
      void this.sweep().finally(() => {
        if (this.running) this.sweepTimer = this.o.timers.set(sweep, this.o.sweepIntervalMs);
      });
    };
    this.sweepTimer = this.o.timers.set(sweep, Math.min(this.o.sweepIntervalMs, 1000));
    if (this.o.watchIntervalMs > 0) {
      await this.watch();
      const watch = () => {
        void this.watch().finally(() => {
          if (this.running) this.watchTimer = this.o.timers.set(watch, this.o.watchIntervalMs);
        });
      };
      this.watchTimer = this.o.timers.set(watch, this.o.watchIntervalMs);
    }
  }

  stop(): void {
    this.running = false;
    for (const handle of this.scheduled.values()) this.o.timers.clear(handle);
    this.scheduled.clear();
    if (this.sweepTimer !== null) this.o.timers.clear(this.sweepTimer);
    this.sweepTimer = null;
    if (this.watchTimer !== null) this.o.timers.clear(this.watchTimer);
    this.watchTimer = null;
    this.sequences = null;
  }

  /**
   * Reads every site's event sequence and tells the hub about the sites whose sequence grew since
   * the last watch (the first watch only records them). A notice for events this process wrote
   * itself costs one empty read; a lost one loses nothing (streams read from the event table).
   * Returns the sites announced.
   */
  async watch(): Promise<string[]> {
    try {
      const sites = await this.o.store.listSites();
      const previous = this.sequences;
      this.sequences = new Map(sites.map((site) => [site.id, site.eventSeq]));
      if (!previous) return [];
      const grown = sites.filter((site) => site.eventSeq > (previous.get(site.id) ?? 0));
      for (const site of grown) this.o.hub.publish({ site: site.id, seq: site.eventSeq });
      return grown.map((site) => site.id);
    } catch (err) {
      // After stop() the store may be closing: nothing to report.
      if (this.running) this.o.log.error({ err }, 'status poller: reading event sequences failed');
      return [];
    }
  }

  /** After a site's settings changed: poll it now (or stop polling it). */
  refresh(siteId: string): void {
    if (!this.running) return;
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

  /** Locks the threads of incidents resolved more than the grace period ago. */
  async sweep(): Promise<number> {
    try {
      const before = new Date(this.o.now() - this.o.lockGraceMs).toISOString();
      const locked = await this.o.store.lockResolvedThreads(before);
      for (const { siteId, seq } of locked) this.o.hub.publish({ site: siteId, seq });
      return locked.length;
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
        if (this.running && outcome.kind !== 'skipped' && !this.scheduled.has(siteId))
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
    try {
      const state = await store.getStatusSourceState(site.id);
      const own = state?.url === url ? state : null;
      const response = await fetchUpstream(url, {
        etag: own?.etag ?? null,
        lastModified: own?.lastModified ?? null,
        timeoutMs: this.o.timeoutMs,
        maxBytes: this.o.maxBytes,
        fetch: this.o.fetch,
      });
      if (response.kind === 'not_modified') {
        await store.recordPoll(site.id, url, { ok: true, at: at() });
        return { kind: 'not_modified', nextDelayMs: this.delayAfter(interval, 0) };
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
      return { kind: 'applied', seqs, nextDelayMs: this.delayAfter(interval, 0) };
    } catch (err) {
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
      return {
        kind: 'failed',
        error,
        failures,
        nextDelayMs: this.delayAfter(interval, failures, retryAfter),
      };
    }
  }
}
