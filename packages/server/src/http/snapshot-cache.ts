/**
 * Public snapshots served from memory (ADR 0004, docs/server/cdn.md). A snapshot is the serialized
 * body of a public read — site status, incidents, one incident, a thread page, similar
 * workarounds, affected history — keyed by (site, resource, query) and tagged with the site's
 * event sequence when it was computed. It is served only while that sequence is still the site's
 * current one: every committed write adds an event, the hub announces the new sequence (from this
 * instance at once, from the others through the PostgreSQL hub), and the next read computes the
 * snapshot again. Nothing member-specific goes in: builders never see the request's credentials.
 *
 * - `SiteSequences` keeps each site's current sequence in memory from the hub; a site not seen yet
 *   is read once from the store (`eventBounds`), after subscribing, so no notice falls between.
 * - `SnapshotCache` holds the bodies (bounded by entries and bytes, least recently used out first),
 *   builds one at a time per key and sequence (a spike of readers after a write waits for one
 *   build), and answers with a strong ETag (hash of the body), `Cache-Control` and 304 on
 *   `If-None-Match`.
 */
import crypto from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Hub } from '../realtime/hub.js';
import type { Store } from '../store/store.js';
import { matchesEtag, notModified } from './cache.js';

type AdvanceListener = (siteId: string, seq: number) => void;

/** Each site's current event sequence, from the hub (and once from the store). */
export class SiteSequences {
  private readonly known = new Map<string, number>();
  private readonly reading = new Map<string, Promise<number>>();
  private readonly subscriptions = new Map<string, () => void>();
  private readonly listeners = new Set<AdvanceListener>();

  constructor(
    private readonly store: Pick<Store, 'eventBounds'>,
    private readonly hub: Pick<Hub, 'subscribe'>,
  ) {}

  /** The sequence known for the site; undefined before its first `current()`. */
  peek(siteId: string): number | undefined {
    return this.known.get(siteId);
  }

  /** The site's current sequence: the highest the hub announced, else read once from the store. */
  current(siteId: string): number | Promise<number> {
    const seq = this.known.get(siteId);
    if (seq !== undefined) return seq;
    let pending = this.reading.get(siteId);
    if (!pending) {
      if (!this.subscriptions.has(siteId))
        this.subscriptions.set(
          siteId,
          this.hub.subscribe(siteId, (notice) => this.advance(siteId, notice.seq)),
        );
      pending = this.store
        .eventBounds(siteId)
        .then(({ current }) => this.advance(siteId, current))
        .finally(() => this.reading.delete(siteId));
      this.reading.set(siteId, pending);
    }
    return pending;
  }

  /** Called with the site and its new sequence whenever a known sequence grows. */
  onAdvance(listener: AdvanceListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Records `seq` when it is higher than the one known; returns the one known after. */
  advance(siteId: string, seq: number): number {
    const known = this.known.get(siteId);
    if (known !== undefined && seq <= known) return known;
    this.known.set(siteId, seq);
    if (known !== undefined) for (const listener of this.listeners) listener(siteId, seq);
    return seq;
  }

  close(): void {
    for (const unsubscribe of this.subscriptions.values()) unsubscribe();
    this.subscriptions.clear();
    this.known.clear();
  }
}

/** How a snapshot is answered and how long it may live while its sequence holds. */
export interface SnapshotPolicy {
  /** The answer's Cache-Control. */
  cacheControl: string;
  /**
   * For bodies that also depend on time (an upstream's freshness, the current 15-minute bucket):
   * milliseconds the entry may be served for, sequence unchanged.
   */
  ttlMs?: number;
  /**
   * For keys from an unbounded space (a thread page after a cursor): held only from the second
   * time the key is built, so endless distinct keys asked for once each cost builds but do not
   * push the popular snapshots out of memory (each key asked for twice still takes its place).
   */
  admitOnRepeat?: boolean;
}

export interface SnapshotCacheOptions {
  /** Entries held at most (default 5,000). */
  maxEntries?: number;
  /** Body bytes held at most (default 32 MiB); a body over a quarter of it is served uncached. */
  maxBytes?: number;
  /**
   * Longest life of any entry (default 10 s): bounds how long a change that writes no event (a
   * member's new name from the host site, a site renamed on another instance, components set by
   * the CLI) can stay unseen.
   */
  maxAgeMs?: number;
  now?: () => number;
}

interface Entry {
  key: string;
  siteId: string;
  seq: number;
  body: Buffer;
  etag: string;
  expiresAt: number;
  bytes: number;
  /** Served since the eviction clock last passed it. */
  used: boolean;
  cacheControl: string;
  /** Request URLs answered with this entry (keys of `byUrl`). */
  urls: string[];
  /** The route template it was built for (the fast path's metrics label). */
  route: string;
}

/** What a snapshot builder returns: the value, serialized with the route's response schema. */
export type SnapshotBuilder = (seq: number) => Promise<unknown>;

const JSON_TYPE = 'application/json; charset=utf-8';
/** Map and bookkeeping bytes counted per entry on top of its body and key. */
const ENTRY_OVERHEAD = 200;
/** Request URLs remembered per entry, and the longest remembered (for `serveEarly`). */
const URLS_PER_ENTRY = 4;
const MAX_URL_LENGTH = 1024;
const URL_OVERHEAD = 64;

/** Strong ETag of a body: the hash of its bytes. */
export function bodyEtag(body: Buffer | string): string {
  return `"${crypto.createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

export class SnapshotCache {
  /** Oldest first (a Map keeps insertion order; the eviction clock moves used ones back). */
  private readonly entries = new Map<string, Entry>();
  private readonly bySite = new Map<string, Set<string>>();
  /** Site and request URL (path and query as sent) → the entry a validated request got. */
  private readonly byUrl = new Map<string, Entry>();
  private readonly building = new Map<string, Promise<Entry>>();
  /** `admitOnRepeat` keys built before, oldest first (bounded by `maxEntries`). */
  private readonly seenKeys = new Set<string>();
  private heldBytes = 0;
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly maxAgeMs: number;
  private readonly now: () => number;
  private readonly stopListening: () => void;
  /** Counters for tests and metrics. */
  readonly stats = { hits: 0, builds: 0, evictions: 0, early: 0 };

  constructor(
    readonly sequences: SiteSequences,
    options: SnapshotCacheOptions = {},
  ) {
    this.maxEntries = options.maxEntries ?? 5000;
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.now = options.now ?? Date.now;
    // A site's entries are dead once its sequence moves: free them at once.
    this.stopListening = sequences.onAdvance((siteId) => this.forgetSite(siteId));
  }

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.heldBytes;
  }

  /**
   * Answers `request` with snapshot `key` of the site: from memory while the site's sequence is
   * the one it was built at, else built by `build(seq)` — once per key and sequence however many
   * readers wait — and serialized with the route's response schema (fields the schema does not
   * name never reach the body). `key` names the resource and its normalized query.
   */
  serve(
    request: FastifyRequest,
    reply: FastifyReply,
    siteId: string,
    key: string,
    policy: SnapshotPolicy,
    build: SnapshotBuilder,
  ): FastifyReply | Promise<FastifyReply> {
    const fullKey = `${siteId}\u0000${key}`;
    const seq = this.sequences.peek(siteId);
    if (seq !== undefined) {
      const entry = this.fresh(fullKey, seq);
      if (entry) {
        this.stats.hits++;
        this.remember(siteId, request, entry);
        return send(request, reply, entry, policy.cacheControl);
      }
    }
    return this.miss(request, reply, siteId, fullKey, policy, build);
  }

  /**
   * The fast path, for the scope's first hook: answers a GET or HEAD whose exact URL was already
   * answered (after validation) with an entry that is still fresh, before parsing, validation
   * and the handler run. Returns false when it did not answer.
   */
  serveEarly(request: FastifyRequest, reply: FastifyReply, siteId: string): boolean {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const entry = this.answeredBefore(siteId, request.url);
    if (!entry) return false;
    send(request, reply, entry, entry.cacheControl);
    return true;
  }

  /**
   * `serveEarly` for a raw Node request, before Fastify sees it (./fast-reads.ts): answers with
   * the entry and `headers` (CORS) when the URL's entry is fresh and returns the route template
   * the entry was built for (for metrics); returns false otherwise.
   */
  serveRaw(
    req: IncomingMessage,
    res: ServerResponse,
    siteId: string,
    headers: OutgoingHttpHeaders,
  ): string | false {
    const entry = this.answeredBefore(siteId, req.url ?? '');
    if (!entry) return false;
    this.stats.early++;
    headers.etag = entry.etag;
    headers['cache-control'] = entry.cacheControl;
    if (matchesEtag(req.headers['if-none-match'], entry.etag)) {
      res.writeHead(304, headers).end();
      return entry.route;
    }
    headers['content-type'] = JSON_TYPE;
    headers['content-length'] = entry.body.length;
    res.writeHead(200, headers);
    if (req.method === 'HEAD') res.end();
    else res.end(entry.body);
    return entry.route;
  }

  /** The entry this URL of the site was answered with, while it is fresh (counted as a hit). */
  private answeredBefore(siteId: string, url: string): Entry | null {
    const entry = this.byUrl.get(`${siteId}\u0000${url}`);
    if (!entry || this.fresh(entry.key, this.sequences.peek(siteId) ?? -1) !== entry) return null;
    this.stats.hits++;
    return entry;
  }

  /** Whether snapshot `key` of the site would be served from memory now (no build). */
  has(siteId: string, key: string): boolean {
    const seq = this.sequences.peek(siteId);
    const entry = this.entries.get(`${siteId}\u0000${key}`);
    return !!entry && entry.seq === seq && entry.expiresAt > this.now();
  }

  /** Drops every entry of the site (it changed in a way that writes no event). */
  forgetSite(siteId: string): void {
    const keys = this.bySite.get(siteId);
    if (!keys) return;
    for (const key of [...keys]) this.remove(key);
  }

  clear(): void {
    for (const key of [...this.entries.keys()]) this.remove(key);
    this.seenKeys.clear();
  }

  close(): void {
    this.stopListening();
    this.clear();
  }

  private fresh(fullKey: string, seq: number): Entry | null {
    const entry = this.entries.get(fullKey);
    if (!entry || entry.seq !== seq || entry.expiresAt <= this.now()) return null;
    entry.used = true;
    return entry;
  }

  private async miss(
    request: FastifyRequest,
    reply: FastifyReply,
    siteId: string,
    fullKey: string,
    policy: SnapshotPolicy,
    build: SnapshotBuilder,
  ): Promise<FastifyReply> {
    const seq = await this.sequences.current(siteId);
    let entry = this.fresh(fullKey, seq);
    if (entry) {
      this.stats.hits++;
    } else {
      const flight = `${fullKey}\u0000${seq}`;
      let pending = this.building.get(flight);
      if (!pending) {
        pending = this.build(reply, siteId, fullKey, seq, policy, build).finally(() =>
          this.building.delete(flight),
        );
        this.building.set(flight, pending);
      }
      entry = await pending;
    }
    this.remember(siteId, request, entry);
    return send(request, reply, entry, policy.cacheControl);
  }

  private async build(
    reply: FastifyReply,
    siteId: string,
    fullKey: string,
    seq: number,
    policy: SnapshotPolicy,
    build: SnapshotBuilder,
  ): Promise<Entry> {
    this.stats.builds++;
    const value = await build(seq);
    const text = reply.serialize(value) as string;
    const body = Buffer.allocUnsafeSlow(Buffer.byteLength(text));
    body.write(text);
    const now = this.now();
    const entry: Entry = {
      key: fullKey,
      siteId,
      seq,
      body,
      etag: bodyEtag(body),
      expiresAt: now + Math.min(this.maxAgeMs, policy.ttlMs ?? Infinity),
      bytes: body.length + fullKey.length * 2 + ENTRY_OVERHEAD,
      used: false,
      cacheControl: policy.cacheControl,
      urls: [],
      route: reply.request.routeOptions.url ?? '(unmatched)',
    };
    // Built for a sequence already gone, too big to keep, or a key not seen before that must
    // be asked for again first: answer it, hold nothing.
    if (
      this.sequences.peek(siteId) === seq &&
      entry.bytes <= this.maxBytes / 4 &&
      (!policy.admitOnRepeat || this.seenBefore(fullKey))
    )
      this.add(entry);
    return entry;
  }

  /** Whether an `admitOnRepeat` key was built before; remembers it either way (most recent last). */
  private seenBefore(fullKey: string): boolean {
    const seen = this.seenKeys.delete(fullKey);
    this.seenKeys.add(fullKey);
    if (this.seenKeys.size > this.maxEntries) {
      const oldest = this.seenKeys.values().next().value;
      if (oldest !== undefined) this.seenKeys.delete(oldest);
    }
    return seen;
  }

  /** Remembers the request's URL for `serveEarly` (a held entry, a few URLs each). */
  private remember(siteId: string, request: FastifyRequest, entry: Entry): void {
    const url = `${siteId}\u0000${request.url}`;
    if (
      request.url.length > MAX_URL_LENGTH ||
      entry.urls.length >= URLS_PER_ENTRY ||
      this.entries.get(entry.key) !== entry ||
      this.byUrl.get(url) === entry
    )
      return;
    const previous = this.byUrl.get(url);
    if (previous) previous.urls = previous.urls.filter((u) => u !== url);
    this.byUrl.set(url, entry);
    entry.urls.push(url);
    // The URL is held too: it counts against the bytes.
    const cost = url.length * 2 + URL_OVERHEAD;
    entry.bytes += cost;
    this.heldBytes += cost;
    this.evict();
  }

  private add(entry: Entry): void {
    this.remove(entry.key);
    this.entries.set(entry.key, entry);
    this.heldBytes += entry.bytes;
    let keys = this.bySite.get(entry.siteId);
    if (!keys) this.bySite.set(entry.siteId, (keys = new Set()));
    keys.add(entry.key);
    this.evict();
  }

  /** Evicts until the bounds hold again. */
  private evict(): void {
    // Least recently used out first, approximated as a clock ("second chance"): an entry used
    // since it last came round moves to the back instead, so a hit costs one flag.
    let spared = 0;
    while (this.entries.size > this.maxEntries || this.heldBytes > this.maxBytes) {
      const oldest = this.entries.values().next().value;
      if (oldest === undefined) break;
      if (oldest.used && spared++ < this.entries.size) {
        oldest.used = false;
        this.entries.delete(oldest.key);
        this.entries.set(oldest.key, oldest);
        continue;
      }
      this.remove(oldest.key);
      this.stats.evictions++;
    }
  }

  private remove(fullKey: string): void {
    const entry = this.entries.get(fullKey);
    if (!entry) return;
    this.entries.delete(fullKey);
    this.heldBytes -= entry.bytes;
    for (const url of entry.urls) if (this.byUrl.get(url) === entry) this.byUrl.delete(url);
    const keys = this.bySite.get(entry.siteId);
    keys?.delete(fullKey);
    if (keys?.size === 0) this.bySite.delete(entry.siteId);
  }
}

function send(
  request: FastifyRequest,
  reply: FastifyReply,
  entry: Entry,
  cacheControl: string,
): FastifyReply {
  reply.header('ETag', entry.etag).header('Cache-Control', cacheControl);
  if (notModified(request, entry.etag)) return reply.code(304).send();
  return reply.type(JSON_TYPE).send(entry.body);
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The app's snapshot cache (tests and metrics read its `stats`, `size` and `bytes`). */
    snapshots: SnapshotCache;
  }
}
