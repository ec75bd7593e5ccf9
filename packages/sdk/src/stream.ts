import {
  EVENT_TYPES,
  type PollSignal,
  type PublicEvent,
  type StreamControl,
} from '@lifeboat/protocol';
import type { WritableAtom } from 'nanostores';
import type { ConnectionState } from './client-types.js';

/** What the client needs of an EventSource: the browser's, or any implementation for Node. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/**
 * The server's word when it holds too many streams (`event: poll`): poll the snapshots every
 * `interval` ms, stream again after `retryAfter` seconds (docs/server/stream.md).
 */
export type { PollSignal };

/**
 * The one live stream of a client, open only while some store listens. When the server says
 * `poll`, or the stream fails to open several times in a row, it keeps the stores current by
 * polling their snapshots instead, and streams again later on its own.
 */
export interface Stream {
  /** A store mounted: open the stream (once a snapshot has said where to start). */
  acquire(): void;
  /** A store unmounted: close the stream after the last one. */
  release(): void;
  /** A snapshot arrived at `lastEventId`; the first one tells the stream where to start. */
  seed(lastEventId: number): void;
  /** Recent events, oldest first, to replay onto a snapshot that was older than the stream. */
  recent(): readonly PublicEvent[];
  /**
   * The sequence of the last event applied, where streaming resumes (null before the first
   * snapshot): every mounted store holds at least every event up to it.
   */
  position(): number | null;
  /** Reconnects now if waiting to. */
  wake(): void;
  close(): void;
}

export interface StreamHandlers {
  event(event: PublicEvent): void;
  /**
   * The server no longer holds the gap: fetch every mounted snapshot again, past any cache's copy.
   * Resolves with the oldest sequence the snapshots hold (null: none has one), where streaming
   * resumes; rejects when one could not be fetched (the stream tries again later).
   */
  reset(): Promise<number | null>;
  /**
   * Polling instead of streaming: refresh every mounted snapshot (If-None-Match). Resolves with
   * the sequence streaming should resume from (the oldest one the snapshots hold), or null.
   */
  poll(): Promise<number | null>;
}

const RECENT = 256;
const MAX_DELAY = 30_000;
/** Attempts in a row that never opened before the client polls instead. */
export const FALLBACK_AFTER = 3;
/** Polling without the server's word (the stream would not open): how often, and for how long. */
export const FALLBACK_POLL: PollSignal = { interval: 15_000, retryAfter: 60 };
/** Streaming again is spread over this share of `retryAfter` more: a crowd does not return at once. */
const RESUME_SPREAD = 0.25;

interface WindowLike {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

export function createStream(
  url: string,
  EventSourceImpl: EventSourceConstructor | undefined,
  $connection: WritableAtom<ConnectionState>,
  handlers: StreamHandlers,
): Stream {
  let refs = 0;
  /** Sequence of the last event applied; null until the first snapshot of this session. */
  let lastSeq: number | null = null;
  let recent: PublicEvent[] = [];
  let source: EventSourceLike | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  /** Attempts in a row that failed before the stream opened. */
  let failures = 0;
  /** Set while polling instead of streaming; a new object for each period of polling. */
  let polling: { interval: number } | null = null;
  let pollTimer: ReturnType<typeof setTimeout> | undefined;
  let resumeTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * After `reset`, until every mounted snapshot has been fetched again: the sequence the server
   * reset to. No stream is open meanwhile, so no event is applied to a snapshot about to go.
   */
  let resetTo: number | null = null;
  /** The refetch after a reset in flight (its run number), or 0. */
  let resyncing = 0;
  let resyncRuns = 0;
  /** Resets in a row without a `ready` between: from the second on, wait before refetching. */
  let resets = 0;
  let closed = false;
  const win = globalThis as WindowLike;
  const offline = () => globalThis.navigator?.onLine === false;

  function connect(): void {
    clearTimeout(timer);
    if (closed || !refs || source || polling || lastSeq === null || !EventSourceImpl) return;
    if (resetTo !== null) return void resync();
    if (offline()) return $connection.set('offline');
    if ($connection.get() !== 'reconnecting' && $connection.get() !== 'open')
      $connection.set('connecting');
    const es = new EventSourceImpl(`${url}?lastEventId=${lastSeq}`);
    source = es;
    let opened = false;
    const on = (type: string, listener: (event: MessageEvent) => void) =>
      es.addEventListener(type, (event) => {
        if (source === es) listener(event);
      });
    on('open', () => {
      opened = true;
      attempt = 0;
      failures = 0;
      $connection.set('open');
    });
    on('ready', () => {
      resets = 0;
      $connection.set('open');
    });
    on('error', () => {
      if (!opened) failures++;
      drop();
    });
    on('poll', (event) => {
      const signal = JSON.parse(event.data) as Partial<PollSignal>;
      startPolling({
        interval: clamp(signal.interval, 1_000, 300_000, FALLBACK_POLL.interval),
        retryAfter: clamp(signal.retryAfter, 1, 3_600, FALLBACK_POLL.retryAfter),
      });
    });
    on('reset', (event) => {
      const point = (JSON.parse(event.data) as StreamControl['reset']).lastEventId;
      disconnect();
      lastSeq = point;
      recent = [];
      resetTo = point;
      $connection.set('reconnecting');
      // Reset again right after one (the snapshots fetched were still too old, say): wait a
      // little longer each time, so a cache's old copy has expired by the next try.
      if (resets++ === 0) void resync();
      else timer = setTimeout(() => void resync(), delay(resets - 2));
    });
    for (const type of EVENT_TYPES) on(type, receive);
  }

  function receive(message: MessageEvent): void {
    const event = JSON.parse(message.data) as PublicEvent;
    if (lastSeq !== null && event.seq <= lastSeq) return;
    lastSeq = event.seq;
    recent.push(event);
    if (recent.length > RECENT) recent.shift();
    handlers.event(event);
  }

  /**
   * After `reset`: fetch every mounted snapshot again, then stream from the oldest sequence they
   * hold — not from the reset's. A browser or CDN cache may answer even a `no-cache` request with
   * a copy from before the point the server reset to; streaming from that copy's own
   * `lastEventId` replays the events it lacks (each store ignores the ones its snapshot holds).
   * Were its sequence no longer kept either, the server resets again, and the next try waits
   * longer (`delay`), until a cache's copy is new enough. A snapshot that could not be fetched:
   * try again after a while, the stream still closed.
   */
  async function resync(): Promise<void> {
    clearTimeout(timer);
    if (closed || !refs || resetTo === null || resyncing) return;
    if (offline()) return $connection.set('offline');
    const point = resetTo;
    const run = (resyncing = ++resyncRuns);
    try {
      const oldest = await handlers.reset();
      if (resyncing !== run) return;
      resyncing = 0;
      resetTo = null;
      lastSeq = oldest ?? point;
      recent = [];
      connect();
    } catch {
      if (resyncing !== run) return;
      resyncing = 0;
      if (offline()) return $connection.set('offline');
      timer = setTimeout(() => void resync(), delay(attempt++));
    }
  }

  /** Backoff with jitter: half to all of 1 s × 2^n, at most 30 s. */
  function delay(n: number): number {
    const ceiling = Math.min(MAX_DELAY, 1000 * 2 ** n);
    return ceiling / 2 + (Math.random() * ceiling) / 2;
  }

  /**
   * Any drop: close, then come back from the last event seen, with backoff and jitter; after
   * `FALLBACK_AFTER` attempts in a row that never opened (refused, say), poll for a while.
   */
  function drop(): void {
    disconnect();
    if (offline()) return $connection.set('offline');
    if (failures >= FALLBACK_AFTER) {
      failures = 0;
      return startPolling(FALLBACK_POLL, true);
    }
    $connection.set('reconnecting');
    timer = setTimeout(connect, delay(attempt++));
  }

  /**
   * Polls every `interval` ms (spread ±20 %) until streaming again after `retryAfter` s.
   * `fallback` (the stream would not open, rather than the server's word): one more failed
   * attempt after it is enough to poll again.
   */
  function startPolling({ interval, retryAfter }: PollSignal, fallback = false): void {
    disconnect();
    stopPolling();
    const period = { interval };
    polling = period;
    const resumeIn = retryAfter * 1000 * (1 + Math.random() * RESUME_SPREAD);
    resumeTimer = setTimeout(() => {
      if (polling !== period) return;
      stopPolling();
      attempt = 0;
      failures = fallback ? FALLBACK_AFTER - 1 : 0;
      connect();
    }, resumeIn);
    void poll(period);
  }

  async function poll(period: { interval: number }): Promise<void> {
    clearTimeout(pollTimer);
    if (polling !== period || closed || !refs) return;
    if (offline()) return $connection.set('offline');
    try {
      const seq = await handlers.poll();
      if (polling !== period) return;
      // Forward only: the stores drop polled snapshots older than `position()`, so each holds
      // every event up to the larger of the two, and streaming from there skips none.
      if (seq !== null && (lastSeq === null || seq > lastSeq)) lastSeq = seq;
      $connection.set('open');
    } catch {
      if (polling !== period) return;
      $connection.set(offline() ? 'offline' : 'reconnecting');
    }
    const next = period.interval * (0.8 + Math.random() * 0.4);
    pollTimer = setTimeout(() => void poll(period), next);
  }

  function stopPolling(): void {
    polling = null;
    clearTimeout(pollTimer);
    clearTimeout(resumeTimer);
  }

  function disconnect(): void {
    clearTimeout(timer);
    source?.close();
    source = null;
  }

  function goOnline(): void {
    attempt = 0;
    if (polling) void poll(polling);
    else connect();
  }
  function goOffline(): void {
    disconnect();
    clearTimeout(pollTimer);
    $connection.set('offline');
  }

  function stop(): void {
    disconnect();
    stopPolling();
    failures = 0;
    refs = 0;
    lastSeq = null;
    recent = [];
    resetTo = null;
    resyncing = 0;
    resets = 0;
    win.removeEventListener?.('online', goOnline);
    win.removeEventListener?.('offline', goOffline);
    $connection.set('idle');
  }

  return {
    acquire() {
      if (closed || refs++) return;
      win.addEventListener?.('online', goOnline);
      win.addEventListener?.('offline', goOffline);
      $connection.set(!EventSourceImpl ? 'idle' : offline() ? 'offline' : 'connecting');
      connect();
    },
    release() {
      if (refs > 0 && !--refs) stop();
    },
    seed(lastEventId) {
      if (lastSeq !== null || !refs) return;
      lastSeq = lastEventId;
      connect();
    },
    recent: () => recent,
    position: () => lastSeq,
    wake() {
      if (!source) goOnline();
    },
    close() {
      stop();
      closed = true;
    },
  };
}

/** A number from the server within bounds, or the fallback when it sent none. */
function clamp(value: unknown, min: number, max: number, fallback: number): number {
  return typeof value === 'number' && Number.isFinite(value)
    ? Math.min(max, Math.max(min, value))
    : fallback;
}
