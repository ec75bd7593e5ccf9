/**
 * Server-sent events. One `SiteChannel` per site with listeners: on each hub notice it reads the
 * new events from the store once and fans them out to every live subscriber of that site.
 *
 * Joining is race-free without holding events for the joiner: a subscriber first catches up on
 * its own, reading the event table in pages from its cursor and writing them at the pace its
 * socket drains; it turns live only at a moment when its cursor has reached the channel's. Live
 * delivery always skips events at or below a subscriber's cursor, so nothing is sent twice.
 *
 * Memory per stream is bounded (docs/decisions/0018-streams-under-pressure.md): a catching-up
 * stream holds one page of events and waits for `drain`; a stream whose socket did not drain for
 * a whole heartbeat interval, or a live one that still has more than `streamBufferBytes` queued
 * when its next batch or heartbeat comes, is dropped (cut, its queue discarded). A dropped client
 * resumes with `Last-Event-ID`, so it loses nothing.
 *
 * Staff events (`moderation.*`, audience `staff`) share the site's sequence: a public subscriber
 * skips them (live and in replay) but its cursor moves past them, so `Last-Event-ID` means the
 * same on the public stream and on the moderation stream.
 */
import type { Store, StoredEvent } from '../store/store.js';
import type { Hub } from './hub.js';
import {
  DEFAULT_STREAM_LIMITS,
  POLL_INTERVALS_BEFORE_RETRY,
  StreamSlots,
  type Admission,
  type StreamLimits,
  type StreamSlot,
} from './stream-limits.js';

/** Where a subscriber's bytes go (a Node ServerResponse in production). */
export interface SseSink {
  /** `false`: the chunk was queued past the high-water mark; wait for `drain` before more. */
  write(chunk: string): unknown;
  end(): void;
  /** Drops the connection at once, discarding what is queued (a slow reader is dropped so). */
  destroy?(): void;
  /** Bytes queued but not yet flushed to the socket. */
  readonly writableLength?: number;
  /** `drain`: the queue flushed; `close`: the connection is gone (the stream then closes itself). */
  once?(event: 'drain' | 'close', listener: () => void): unknown;
  removeListener?(event: 'drain' | 'close', listener: () => void): unknown;
}

interface Subscriber {
  sink: SseSink;
  /** Receives staff events too (the moderation stream). */
  staff: boolean;
  cursor: number;
  /** Fanned out to by the channel; false while it catches up on its own. */
  live: boolean;
  closed: boolean;
  /** Set while waiting for `drain`: ends the wait. */
  resume: (() => void) | null;
  /** Heartbeats seen while waiting for the same `drain`. */
  stalledBeats: number;
  slot: StreamSlot | null;
}

/** Events the channel reads and fans out at a time (one read serves every live subscriber). */
const LIVE_PAGE = 100;
/** Channels with this many streams fan out at most once per `COALESCE_MS` (see `notify`). */
const COALESCE_FROM = 500;
const COALESCE_MS = 100;

/** Replays working at once (see `StreamManager.catchUp`). */
const REPLAY_TURNS = 4;

/** Resolves after pending I/O callbacks ran (new connections, other requests). */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));
/** Events a catching-up subscriber holds at a time (its own read; bounds its memory). */
const REPLAY_PAGE = 50;
/** A full replay page is shared by the replays that read it within this time (ms). */
const REPLAY_PAGE_TTL_MS = 2000;
/** Characters of event payloads the shared replay pages may hold in all. */
const REPLAY_PAGES_MAX_CHARS = 8 * 1024 * 1024;
/** A replay writes once it has gathered about this many characters (one socket buffer). */
const REPLAY_WRITE_CHARS = 16 * 1024;
/** A stream still waiting for `drain` at its second heartbeat is dropped. */
const STALLED_BEATS = 2;

/** Whether a subscriber may see an event. */
function visible(e: StoredEvent, staff: boolean): boolean {
  return staff || e.audience !== 'staff';
}

/** Events that carry a whole count (not a change): a later one of the same key replaces it. */
const COUNT_KEYS: Partial<Record<StoredEvent['type'], string>> = {
  'affected.changed': 'incidentId',
  'reaction.changed': 'postId',
};

/**
 * The events of a batch a client needs: an `affected.changed` (one incident) or
 * `reaction.changed` (one post) followed in the same batch by another for the same incident or
 * post is left out, as both carry absolute counts. During a spike hundreds of "affected me too" a
 * second then cost each stream one event per batch instead of one per press. The ids skip, as
 * they already do for staff events; `Last-Event-ID` means the same.
 */
export function latestCounts(events: StoredEvent[]): StoredEvent[] {
  let keyed = 0;
  for (const e of events) if (COUNT_KEYS[e.type]) keyed++;
  if (keyed < 2) return events;
  const seen = new Set<string>();
  const kept: StoredEvent[] = [];
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i]!;
    const field = COUNT_KEYS[e.type];
    if (field) {
      const key = `${e.type}\u0000${String((JSON.parse(e.payload) as Record<string, unknown>)[field])}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    kept.push(e);
  }
  return kept.reverse();
}

export function formatEvent(e: StoredEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${e.payload}\n\n`;
}

/**
 * `ready` carries `id:` too: a plain EventSource that connected without a Last-Event-ID and is cut
 * before its first event then resumes from where it turned live, not from nothing.
 */
function formatControl(type: 'reset' | 'ready', lastEventId: number): string {
  const id = type === 'ready' ? `id: ${lastEventId}\n` : '';
  return `${id}event: ${type}\ndata: ${JSON.stringify({ lastEventId })}\n\n`;
}

const queued = (sub: Subscriber) => sub.sink.writableLength ?? 0;

interface ReplayPage {
  /** The page's events, superseded counts left out (`latestCounts`). */
  events: StoredEvent[];
  /** The last sequence the page read (left-out counts included). */
  pageEnd: number;
  /** Characters of payload (the cache's budget). */
  chars: number;
  at: number;
}

/**
 * Full replay pages shared between replays: when hundreds of clients resume from the same old
 * cursor (an outage's reload wave), each page of the log is read from the store once, not once
 * per client. Only full pages are kept (a page near the head is read fresh, since more events
 * may join it), for 2 s and within a payload budget, oldest out first. Events never change
 * except for an erasure's scrub, which also appends `post.updated` events with the blanked
 * posts: a replay that used a page read just before a scrub still ends with the blanked posts.
 */
export class ReplayPages {
  private readonly pages = new Map<string, ReplayPage>();
  private readonly reading = new Map<string, Promise<{ page: StoredEvent[] }>>();
  private chars = 0;

  constructor(
    private readonly read: (siteId: string, after: number, limit: number) => Promise<StoredEvent[]>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The page after `after` (at most `REPLAY_PAGE` events, read or shared), and whether more follow. */
  async get(
    siteId: string,
    after: number,
  ): Promise<{ events: StoredEvent[]; pageEnd: number; more: boolean }> {
    const key = `${siteId}\u0000${after}`;
    const held = this.pages.get(key);
    if (held) {
      if (this.now() - held.at < REPLAY_PAGE_TTL_MS)
        return { events: held.events, pageEnd: held.pageEnd, more: true };
      this.drop(key, held);
    }
    let pending = this.reading.get(key);
    if (!pending) {
      pending = this.read(siteId, after, REPLAY_PAGE).then((page) => ({ page }));
      this.reading.set(key, pending);
      void pending.then(
        ({ page }) => {
          this.reading.delete(key);
          if (page.length === REPLAY_PAGE) this.keep(key, page);
        },
        () => this.reading.delete(key),
      );
    }
    const { page } = await pending;
    const kept = this.pages.get(key);
    return {
      events: kept ? kept.events : latestCounts(page),
      pageEnd: page.length > 0 ? page[page.length - 1]!.seq : after,
      more: page.length === REPLAY_PAGE,
    };
  }

  private keep(key: string, page: StoredEvent[]): void {
    let chars = 0;
    for (const e of page) chars += e.payload.length;
    if (chars > REPLAY_PAGES_MAX_CHARS) return;
    const old = this.pages.get(key);
    if (old) this.drop(key, old);
    this.pages.set(key, {
      events: latestCounts(page),
      pageEnd: page[page.length - 1]!.seq,
      chars,
      at: this.now(),
    });
    this.chars += chars;
    for (const [k, p] of this.pages) {
      if (this.chars <= REPLAY_PAGES_MAX_CHARS) break;
      this.drop(k, p);
    }
  }

  private drop(key: string, page: ReplayPage): void {
    this.pages.delete(key);
    this.chars -= page.chars;
  }
}

class SiteChannel {
  readonly subscribers = new Set<Subscriber>();
  readonly ready: Promise<void>;
  /** Highest sequence this channel has read from the store (and delivered to live subscribers). */
  cursor = 0;
  private initialized = false;
  private fetching = false;
  private dirty = false;
  /** When the last fan-out started, and the pending paced one (see `notify`). */
  private lastPump = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    hub: Hub,
    private readonly siteId: string,
    private readonly bufferBytes: number,
    private readonly drop: (sub: Subscriber) => void,
  ) {
    // Subscribe first, then read the cursor: a notice in between only marks the channel dirty.
    this.unsubscribe = hub.subscribe(siteId, () => this.notify());
    this.ready = store.eventBounds(siteId).then((b) => {
      this.cursor = b.current;
      this.initialized = true;
      if (this.dirty) void this.pump();
    });
  }

  /**
   * A notice: fan out now — unless the channel is large and fanned out less than
   * `COALESCE_MS` ago, then once that time is up (leading and trailing edge). A lone event goes
   * out at once; a burst during a spike (hundreds of "affected me too" a second to thousands of
   * streams) goes out in a few writes per stream instead of one per event.
   */
  notify(): void {
    if (!this.initialized || this.fetching) {
      this.dirty = true;
      return;
    }
    if (this.timer) return;
    const gap = this.subscribers.size >= COALESCE_FROM ? COALESCE_MS : 0;
    const wait = this.lastPump + gap - Date.now();
    if (wait > 0) {
      this.timer = setTimeout(() => {
        this.timer = null;
        this.notify();
      }, wait);
      this.timer.unref?.();
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.fetching = true;
    this.lastPump = Date.now();
    let backlog = false;
    try {
      do {
        if (backlog) await yieldToIo();
        this.dirty = false;
        const events = await this.store.eventsAfter(this.siteId, this.cursor, LIVE_PAGE);
        if (events.length > 0) {
          this.deliver(events);
          this.cursor = events[events.length - 1]!.seq;
        }
        backlog = events.length === LIVE_PAGE;
      } while (backlog && this.subscribers.size > 0);
    } catch {
      // the store is closing; subscribers reconnect and replay
    } finally {
      this.fetching = false;
    }
    // Notices that came during the fan-out: another one, paced by notify().
    if (this.dirty && this.subscribers.size > 0) this.notify();
  }

  /**
   * Live fan-out of one batch never waits for a reader. A reader that still has more than
   * `bufferBytes` queued from earlier batches when the next one comes is dropped instead, so a
   * stream holds at most its budget plus one batch, and a burst alone drops nobody.
   */
  private deliver(batch: StoredEvent[]): void {
    const last = batch[batch.length - 1]!.seq;
    const events = latestCounts(batch);
    const first = batch[0]!.seq;
    let forPublic: string | null = null;
    let forStaff: string | null = null;
    for (const sub of this.subscribers) {
      if (!sub.live) continue;
      if (queued(sub) > this.bufferBytes) {
        this.drop(sub);
        continue;
      }
      let chunk: string;
      if (sub.cursor < first) {
        // The usual case: the whole batch is new to the subscriber, one string per audience.
        chunk = sub.staff
          ? (forStaff ??= events.map(formatEvent).join(''))
          : (forPublic ??= events
              .filter((e) => visible(e, false))
              .map(formatEvent)
              .join(''));
      } else {
        const fresh = events.filter((e) => e.seq > sub.cursor && visible(e, sub.staff));
        chunk = fresh.map(formatEvent).join('');
      }
      sub.cursor = Math.max(sub.cursor, last);
      if (chunk) sub.sink.write(chunk);
    }
  }

  close(): void {
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}

export interface OpenStreamOptions {
  siteId: string;
  /** From `Last-Event-ID` or `?lastEventId=`; null for a fresh client (no replay). */
  lastEventId: number | null;
  sink: SseSink;
  /** The moderation stream: staff events too. */
  staff?: boolean;
  /** The slot `admit` gave this stream; released when it closes. */
  slot?: StreamSlot;
}

export interface StreamStats {
  /** Open streams (all sites, staff ones included). */
  streams: number;
  /** Client addresses (IPv6 by /64) holding a stream slot. */
  clients: number;
  /** Bytes queued in all streams' responses and sockets. */
  queuedBytes: number;
  /** Streams waiting for their socket to drain (catching up on a reader that does not read). */
  waiting: number;
  /** Streams dropped since start: too far behind, or not draining. */
  dropped: number;
}

export class StreamManager {
  private readonly channels = new Map<string, SiteChannel>();
  private readonly heartbeat: NodeJS.Timeout;
  private readonly limits: StreamLimits;
  private readonly slots: StreamSlots;
  private dropped = 0;
  private readonly replayPages: ReplayPages;

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    heartbeatMs: number,
    /** The server configuration will do (its `stream*` options); defaults for what is missing. */
    limits: Partial<StreamLimits> = {},
  ) {
    this.limits = {
      streamsPerClient: limits.streamsPerClient ?? DEFAULT_STREAM_LIMITS.streamsPerClient,
      streamBudget: limits.streamBudget ?? DEFAULT_STREAM_LIMITS.streamBudget,
      streamBufferBytes: limits.streamBufferBytes ?? DEFAULT_STREAM_LIMITS.streamBufferBytes,
      streamPollMs: limits.streamPollMs ?? DEFAULT_STREAM_LIMITS.streamPollMs,
      streamReplayMax: limits.streamReplayMax ?? DEFAULT_STREAM_LIMITS.streamReplayMax,
    };
    this.slots = new StreamSlots(this.limits);
    this.replayPages = new ReplayPages((site, after, limit) =>
      this.store.eventsAfter(site, after, limit),
    );
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /** Called with the number of events each resuming stream was replayed (metrics); null: none. */
  replayObserver: ((events: number, reset: boolean) => void) | null = null;

  /** Open streams by audience: public ones and staff (moderation) ones, all sites. */
  openStreams(): { public: number; staff: number } {
    let staff = 0;
    let all = 0;
    for (const c of this.channels.values()) {
      all += c.subscribers.size;
      for (const sub of c.subscribers) if (sub.staff) staff++;
    }
    return { public: all - staff, staff };
  }

  /** Number of open streams (all sites). */
  get size(): number {
    let n = 0;
    for (const c of this.channels.values()) n += c.subscribers.size;
    return n;
  }

  stats(): StreamStats {
    let queuedBytes = 0;
    let waiting = 0;
    for (const c of this.channels.values()) {
      for (const sub of c.subscribers) {
        queuedBytes += queued(sub);
        if (sub.resume) waiting++;
      }
    }
    const { size: streams } = this;
    return { streams, clients: this.slots.clients, queuedBytes, waiting, dropped: this.dropped };
  }

  /**
   * A slot for a new stream from `address` (the client IP as Fastify computed it), or for staff
   * actor `staff` (a staff member's id, or `admin`): a slot to pass to `open`, `client_limit`
   * (answer 429) or `busy` (answer `pollSignal()`).
   */
  admit(address: string, staff: string | null = null): Admission {
    return this.slots.take(address, staff);
  }

  /** Seconds a refused client should wait before it tries to stream again. */
  get retryAfterSeconds(): number {
    return Math.max(1, Math.ceil((this.limits.streamPollMs * POLL_INTERVALS_BEFORE_RETRY) / 1000));
  }

  /**
   * The whole response to a stream over the budget: poll the snapshots every `interval` ms, try
   * streaming again after `retryAfter` seconds (also the `retry:` a plain EventSource obeys).
   */
  pollSignal(): string {
    const retryAfter = this.retryAfterSeconds;
    const data = JSON.stringify({ interval: this.limits.streamPollMs, retryAfter });
    return `retry: ${retryAfter * 1000}\n\nevent: poll\ndata: ${data}\n\n`;
  }

  private channel(siteId: string): SiteChannel {
    let ch = this.channels.get(siteId);
    if (!ch) {
      ch = new SiteChannel(this.store, this.hub, siteId, this.limits.streamBufferBytes, (sub) =>
        this.drop(siteId, sub),
      );
      this.channels.set(siteId, ch);
    }
    return ch;
  }

  /**
   * Starts a stream: `retry`, replay (or `reset`), `ready`, then live. Returns the close function
   * (also when the client left or was dropped during the replay: closing twice is harmless).
   */
  async open({
    siteId,
    lastEventId,
    sink,
    staff = false,
    slot,
  }: OpenStreamOptions): Promise<() => void> {
    const ch = this.channel(siteId);
    const sub: Subscriber = {
      sink,
      staff,
      cursor: 0,
      live: false,
      closed: false,
      resume: null,
      stalledBeats: 0,
      slot: slot ?? null,
    };
    ch.subscribers.add(sub);
    const close = () => this.remove(siteId, sub, 'keep');
    let reset = false;
    sink.once?.('close', close);
    sink.write('retry: 3000\n\n');
    try {
      await ch.ready;
      if (sub.closed) return close;
      if (lastEventId === null || lastEventId === ch.cursor) {
        // Nothing to replay (a fresh client, or one resuming from the sequence the channel has
        // delivered up to): live at once, with no read and no replay turn. Events after the
        // channel's cursor reach it from the channel's next fan-out, as for every live stream.
        // During a spike this is almost every stream: the snapshot's lastEventId is current.
        sub.cursor = ch.cursor;
        sub.live = true;
        sink.write(formatControl('ready', sub.cursor));
        return close;
      }
      const bounds = await this.store.eventBounds(siteId);
      if (
        lastEventId > bounds.current ||
        lastEventId < bounds.current - this.limits.streamReplayMax ||
        (lastEventId < bounds.current &&
          (bounds.oldest === null || lastEventId < bounds.oldest - 1))
      ) {
        // Unknown, no longer kept, or too far behind to replay: fetch the snapshots again.
        sink.write(formatControl('reset', bounds.current));
        sub.cursor = bounds.current;
        reset = true;
      } else {
        sub.cursor = lastEventId;
      }
      const replayed = await this.catchUp(siteId, ch, sub);
      this.replayObserver?.(replayed, reset);
    } catch (err) {
      close();
      throw err;
    }
    return close;
  }

  /**
   * Replays from the subscriber's cursor until it has reached the channel's, one page of events
   * in memory at a time, waiting for `drain` whenever the response says its buffer is full; then,
   * in the same synchronous step as that check, turns it live and sends `ready`. Stops quietly
   * when the stream closes or is dropped meanwhile.
   */
  private async catchUp(siteId: string, ch: SiteChannel, sub: Subscriber): Promise<number> {
    /** Events written to the subscriber (returned: the replay's size). */
    let sent = 0;
    let events: StoredEvent[] = [];
    /** The last sequence of the page `events` came from (left-out counts included). */
    let pageEnd = 0;
    let next = 0;
    let more = true;
    for (;;) {
      // Replays take turns (`REPLAY_TURNS` at a time, handed on through the event loop), one
      // read or one write of about a socket buffer per turn, so hundreds of resuming clients
      // share the server with new connections and other requests instead of stalling them.
      await this.takeTurn();
      let wrote: boolean | null = null;
      try {
        if (sub.closed) return sent;
        if (next >= events.length) {
          if (!(more || sub.cursor < ch.cursor)) {
            // Nothing awaited since this check: the channel's next delivery starts after it.
            sub.live = true;
            sub.sink.write(formatControl('ready', sub.cursor));
            return sent;
          }
          ({ events, pageEnd, more } = await this.replayPages.get(siteId, sub.cursor));
          next = 0;
          continue;
        }
        let chunk = '';
        while (next < events.length && chunk.length < REPLAY_WRITE_CHARS) {
          const e = events[next++]!;
          if (e.seq <= sub.cursor) continue;
          sub.cursor = e.seq;
          if (visible(e, sub.staff)) {
            chunk += formatEvent(e);
            sent++;
          }
        }
        if (next >= events.length) sub.cursor = Math.max(sub.cursor, pageEnd);
        if (chunk) wrote = sub.sink.write(chunk) !== false;
      } finally {
        this.giveTurn();
      }
      // Waiting for a slow socket holds no turn: a reader that never reads stalls only itself.
      if (wrote === false) await this.drained(sub);
    }
  }

  private turns = REPLAY_TURNS;
  private readonly turnWaiters: Array<() => void> = [];

  private takeTurn(): Promise<void> {
    if (this.turns > 0) {
      this.turns--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.turnWaiters.push(resolve));
  }

  private giveTurn(): void {
    const waiter = this.turnWaiters.shift();
    // Handed on in a later turn of the event loop, so pending I/O runs in between.
    if (waiter) setImmediate(waiter);
    else this.turns++;
  }

  /** Resolves on `drain`, or when the stream closes or is dropped. */
  private drained(sub: Subscriber): Promise<void> {
    const { sink } = sub;
    if (!sink.once) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        sink.removeListener?.('drain', done);
        sub.resume = null;
        sub.stalledBeats = 0;
        resolve();
      };
      sub.resume = done;
      sink.once!('drain', done);
    });
  }

  private drop(siteId: string, sub: Subscriber): void {
    this.dropped++;
    this.remove(siteId, sub, 'destroy');
  }

  /** `keep`: the client left; `end`: finish the response; `destroy`: cut it, discarding the queue. */
  private remove(siteId: string, sub: Subscriber, how: 'keep' | 'end' | 'destroy'): void {
    const ch = this.channels.get(siteId);
    if (!ch || !ch.subscribers.delete(sub)) return;
    sub.closed = true;
    sub.live = false;
    sub.slot?.release();
    sub.resume?.();
    if (how === 'destroy') {
      if (sub.sink.destroy) sub.sink.destroy();
      else sub.sink.end();
    } else if (how === 'end') {
      sub.sink.end();
    }
    if (ch.subscribers.size === 0) {
      ch.close();
      this.channels.delete(siteId);
    }
  }

  /** Heartbeat comments; drops streams that did not drain for a whole interval, or fell behind. */
  private beat(): void {
    for (const [siteId, ch] of [...this.channels]) {
      for (const sub of [...ch.subscribers]) {
        if (sub.resume) {
          if (++sub.stalledBeats >= STALLED_BEATS) this.drop(siteId, sub);
        } else if (queued(sub) > this.limits.streamBufferBytes) {
          this.drop(siteId, sub);
        } else {
          sub.sink.write(': hb\n\n');
        }
      }
    }
  }

  /** Ends every open stream (tests, graceful shutdown). */
  closeAll(): void {
    for (const [siteId, ch] of [...this.channels])
      for (const sub of [...ch.subscribers]) this.remove(siteId, sub, 'end');
  }

  close(): void {
    this.closeAll();
    clearInterval(this.heartbeat);
  }
}
