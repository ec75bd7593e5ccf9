import { EVENT_TYPES, type PublicEvent, type StreamControl } from '@lifeboat/protocol';
import type { WritableAtom } from 'nanostores';
import type { ConnectionState } from './client-types.js';

/** What the client needs of an EventSource: the browser's, or any implementation for Node. */
export interface EventSourceLike {
  addEventListener(type: string, listener: (event: MessageEvent) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string) => EventSourceLike;

/** The one live stream of a client, open only while some store listens. */
export interface Stream {
  /** A store mounted: open the stream (once a snapshot has said where to start). */
  acquire(): void;
  /** A store unmounted: close the stream after the last one. */
  release(): void;
  /** A snapshot arrived at `lastEventId`; the first one tells the stream where to start. */
  seed(lastEventId: number): void;
  /** Recent events, oldest first, to replay onto a snapshot that was older than the stream. */
  recent(): readonly PublicEvent[];
  /** Reconnects now if waiting to. */
  wake(): void;
  close(): void;
}

export interface StreamHandlers {
  event(event: PublicEvent): void;
  /** The server no longer holds the gap: every mounted snapshot must be fetched again. */
  reset(): void;
}

const RECENT = 256;
const MAX_DELAY = 30_000;

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
  let closed = false;
  const win = globalThis as WindowLike;
  const offline = () => globalThis.navigator?.onLine === false;

  function connect(): void {
    clearTimeout(timer);
    if (closed || !refs || source || lastSeq === null || !EventSourceImpl) return;
    if (offline()) return $connection.set('offline');
    if ($connection.get() !== 'reconnecting') $connection.set('connecting');
    const es = new EventSourceImpl(`${url}?lastEventId=${lastSeq}`);
    source = es;
    const on = (type: string, listener: (event: MessageEvent) => void) =>
      es.addEventListener(type, (event) => {
        if (source === es) listener(event);
      });
    on('open', () => {
      attempt = 0;
      $connection.set('open');
    });
    on('ready', () => $connection.set('open'));
    on('error', drop);
    on('reset', (event) => {
      lastSeq = (JSON.parse(event.data) as StreamControl['reset']).lastEventId;
      recent = [];
      handlers.reset();
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

  /** Any drop: close, then come back from the last event seen, with backoff and jitter. */
  function drop(): void {
    disconnect();
    if (offline()) return $connection.set('offline');
    $connection.set('reconnecting');
    const ceiling = Math.min(MAX_DELAY, 1000 * 2 ** attempt++);
    timer = setTimeout(connect, ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  function disconnect(): void {
    clearTimeout(timer);
    source?.close();
    source = null;
  }

  function goOnline(): void {
    attempt = 0;
    connect();
  }
  function goOffline(): void {
    disconnect();
    $connection.set('offline');
  }

  function stop(): void {
    disconnect();
    refs = 0;
    lastSeq = null;
    recent = [];
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
    wake() {
      if (!source) goOnline();
    },
    close() {
      stop();
      closed = true;
    },
  };
}
