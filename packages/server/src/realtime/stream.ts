/**
 * Server-sent events. One `SiteChannel` per site with listeners: on each hub notice it reads the
 * new events from the store once and fans them out to every subscriber of that site.
 *
 * Joining is race-free: a subscriber is registered (buffering) before its replay is read from the
 * store; events that arrive meanwhile are buffered and flushed afterwards. Delivery always skips
 * events at or below the subscriber's cursor, so nothing is sent twice.
 *
 * Staff events (`moderation.*`, audience `staff`) share the site's sequence: a public subscriber
 * skips them (live and in replay) but its cursor moves past them, so `Last-Event-ID` means the
 * same on the public stream and on the moderation stream.
 */
import type { Store, StoredEvent } from '../store/store.js';
import type { Hub } from './hub.js';

/** Where a subscriber's bytes go (a Node ServerResponse in production). */
export interface SseSink {
  write(chunk: string): unknown;
  end(): void;
  /** Bytes queued but not yet flushed to the socket. */
  readonly writableLength?: number;
}

interface Subscriber {
  sink: SseSink;
  /** Receives staff events too (the moderation stream). */
  staff: boolean;
  cursor: number;
  buffering: boolean;
  buffer: StoredEvent[];
}

const BATCH = 500;
/** A subscriber this far behind is dropped; it reconnects and replays from its last id. */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** Whether a subscriber may see an event. */
function visible(e: StoredEvent, staff: boolean): boolean {
  return staff || e.audience !== 'staff';
}

export function formatEvent(e: StoredEvent): string {
  return `id: ${e.seq}\nevent: ${e.type}\ndata: ${e.payload}\n\n`;
}

function formatControl(type: 'reset' | 'ready', lastEventId: number): string {
  return `event: ${type}\ndata: ${JSON.stringify({ lastEventId })}\n\n`;
}

class SiteChannel {
  readonly subscribers = new Set<Subscriber>();
  readonly ready: Promise<void>;
  /** Highest sequence this channel has read from the store. */
  private cursor = 0;
  private initialized = false;
  private fetching = false;
  private dirty = false;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    hub: Hub,
    private readonly siteId: string,
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

  notify(): void {
    if (!this.initialized || this.fetching) {
      this.dirty = true;
      return;
    }
    void this.pump();
  }

  private async pump(): Promise<void> {
    this.fetching = true;
    try {
      do {
        this.dirty = false;
        const events = await this.store.eventsAfter(this.siteId, this.cursor, BATCH);
        for (const e of events) this.deliver(e);
        if (events.length > 0) this.cursor = events[events.length - 1]!.seq;
        if (events.length === BATCH) this.dirty = true;
      } while (this.dirty && this.subscribers.size > 0);
    } catch {
      // the store is closing; subscribers reconnect and replay
    } finally {
      this.fetching = false;
    }
  }

  private deliver(e: StoredEvent): void {
    const chunk = formatEvent(e);
    for (const sub of this.subscribers) {
      if (sub.buffering) {
        sub.buffer.push(e);
      } else if (e.seq > sub.cursor) {
        sub.cursor = e.seq;
        if (!visible(e, sub.staff)) continue;
        sub.sink.write(chunk);
        if ((sub.sink.writableLength ?? 0) > MAX_QUEUED_BYTES) this.drop(sub);
      }
    }
  }

  close(): void {
    this.unsubscribe();
  }
}

export interface OpenStreamOptions {
  siteId: string;
  /** From `Last-Event-ID` or `?lastEventId=`; null for a fresh client (no replay). */
  lastEventId: number | null;
  sink: SseSink;
  /** The moderation stream: staff events too. */
  staff?: boolean;
}

export class StreamManager {
  private readonly channels = new Map<string, SiteChannel>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(
    private readonly store: Store,
    private readonly hub: Hub,
    heartbeatMs: number,
  ) {
    this.heartbeat = setInterval(() => this.beat(), heartbeatMs);
    this.heartbeat.unref();
  }

  /** Number of open streams (all sites). */
  get size(): number {
    let n = 0;
    for (const c of this.channels.values()) n += c.subscribers.size;
    return n;
  }

  private channel(siteId: string): SiteChannel {
    let ch = this.channels.get(siteId);
    if (!ch) {
      ch = new SiteChannel(this.store, this.hub, siteId, (sub) => this.remove(siteId, sub, true));
      this.channels.set(siteId, ch);
    }
    return ch;
  }

  /** Starts a stream: `retry`, replay or `reset`, buffered live events, `ready`, then live. Returns the close function. */
  async open({ siteId, lastEventId, sink, staff = false }: OpenStreamOptions): Promise<() => void> {
    const ch = this.channel(siteId);
    const sub: Subscriber = { sink, staff, cursor: 0, buffering: true, buffer: [] };
    ch.subscribers.add(sub);
    const close = () => this.remove(siteId, sub, false);
    sink.write('retry: 3000\n\n');
    try {
      await ch.ready;
      const bounds = await this.store.eventBounds(siteId);
      if (lastEventId === null) {
        sub.cursor = bounds.current;
      } else if (
        lastEventId > bounds.current ||
        (lastEventId < bounds.current &&
          (bounds.oldest === null || lastEventId < bounds.oldest - 1))
      ) {
        sink.write(formatControl('reset', bounds.current));
        sub.cursor = bounds.current;
      } else {
        sub.cursor = lastEventId;
        for (;;) {
          const events = await this.store.eventsAfter(siteId, sub.cursor, BATCH);
          for (const e of events) if (visible(e, staff)) sink.write(formatEvent(e));
          if (events.length > 0) sub.cursor = events[events.length - 1]!.seq;
          if (events.length < BATCH) break;
        }
      }
      for (const e of sub.buffer) {
        if (e.seq > sub.cursor) {
          if (visible(e, staff)) sink.write(formatEvent(e));
          sub.cursor = e.seq;
        }
      }
      sub.buffer = [];
      sub.buffering = false;
      sink.write(formatControl('ready', sub.cursor));
    } catch (err) {
      close();
      throw err;
    }
    return close;
  }

  private remove(siteId: string, sub: Subscriber, end: boolean): void {
    const ch = this.channels.get(siteId);
    if (!ch || !ch.subscribers.delete(sub)) return;
    if (end) sub.sink.end();
    if (ch.subscribers.size === 0) {
      ch.close();
      this.channels.delete(siteId);
    }
  }

  private beat(): void {
    for (const ch of this.channels.values())
      for (const sub of ch.subscribers) sub.sink.write(': hb\n\n');
  }

  /** Ends every open stream (tests, graceful shutdown). */
  closeAll(): void {
    for (const [siteId, ch] of [...this.channels])
      for (const sub of [...ch.subscribers]) this.remove(siteId, sub, true);
  }

  close(): void {
    this.closeAll();
    clearInterval(this.heartbeat);
  }
}
