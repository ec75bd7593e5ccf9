/**
 * The staff stream `GET /v1/sites/:site/moderation/stream`: every event of the site, staff-only
 * ones included. It needs `Authorization: Bearer`, which `EventSource` cannot send, so it is read
 * with `fetch` and a streaming parser. The token never goes into the URL. Drops resume with
 * `Last-Event-ID`; a `reset` (the server no longer holds the gap) refetches the snapshots.
 */
import type { LifeboatEvent, StreamControl } from '@lifeboat/protocol';
import type { WritableAtom } from 'nanostores';
import type { FetchLike } from '../http.js';
import { createSseParser } from './sse-parser.js';
import type { StaffConnectionState } from './types.js';

export interface StaffStreamHandlers {
  event(event: LifeboatEvent): void;
  /** Every snapshot must be fetched again; the stream continues after it. */
  reset(): void;
}

export interface StaffStreamOptions {
  url: string;
  token: string;
  fetch: FetchLike;
  $connection: WritableAtom<StaffConnectionState>;
  handlers: StaffStreamHandlers;
  /** No byte (not even a heartbeat comment) for this long: the connection is dead. */
  idleTimeoutMs?: number;
}

export interface StaffStream {
  acquire(): void;
  release(): void;
  /** A snapshot arrived at `lastEventId`: the first one tells the stream where to start. */
  seed(lastEventId: number): void;
  /** Sequence of the last event applied (null before the first snapshot). */
  readonly lastSeq: number | null;
  /** Reconnects now if waiting to. */
  wake(): void;
  close(): void;
}

const MAX_DELAY = 30_000;
const IDLE_TIMEOUT = 45_000;

interface WindowLike {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

export function createStaffStream(options: StaffStreamOptions): StaffStream {
  const { url, token, $connection, handlers } = options;
  const idleTimeout = options.idleTimeoutMs ?? IDLE_TIMEOUT;
  let refs = 0;
  let lastSeq: number | null = null;
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let serverRetry = 0;
  let closed = false;
  const win = globalThis as WindowLike;
  const offline = () => globalThis.navigator?.onLine === false;

  function connect(): void {
    clearTimeout(retryTimer);
    if (closed || !refs || controller || lastSeq === null) return;
    if ($connection.get() === 'unauthorized') return;
    if (offline()) return $connection.set('offline');
    if ($connection.get() !== 'reconnecting') $connection.set('connecting');
    const own = new AbortController();
    controller = own;
    void read(own).catch(() => {
      if (controller === own) drop();
    });
  }

  async function read(own: AbortController): Promise<void> {
    const headers: Record<string, string> = {
      accept: 'text/event-stream',
      authorization: `Bearer ${token}`,
      'cache-control': 'no-cache',
    };
    if (lastSeq !== null) headers['last-event-id'] = String(lastSeq);
    armIdle(own);
    const response = await options.fetch(url, { method: 'GET', headers, signal: own.signal });
    if (controller !== own) return;
    if (response.status === 401 || response.status === 403) {
      disconnect();
      $connection.set('unauthorized');
      return;
    }
    const type = response.headers.get('content-type') ?? '';
    if (!response.ok || !type.includes('text/event-stream') || !response.body) {
      throw new Error(`staff stream: HTTP ${response.status}`);
    }
    const parser = createSseParser({
      message(message) {
        if (controller !== own) return;
        if (message.event === 'ready') {
          attempt = 0;
          $connection.set('open');
        } else if (message.event === 'reset') {
          lastSeq = (JSON.parse(message.data) as StreamControl['reset']).lastEventId;
          handlers.reset();
        } else if (message.data) {
          receive(JSON.parse(message.data) as LifeboatEvent);
        }
      },
      retry(ms) {
        serverRetry = ms;
      },
    });
    const reader = response.body.getReader();
    $connection.set('open');
    for (;;) {
      const { done, value } = await reader.read();
      if (controller !== own) return void reader.cancel().catch(() => {});
      if (done) break;
      armIdle(own);
      parser.pushBytes(value);
    }
    // The server closed the stream (a restart, a proxy timeout): come back.
    throw new Error('staff stream ended');
  }

  function receive(event: LifeboatEvent): void {
    if (typeof event.seq !== 'number') return;
    if (lastSeq !== null && event.seq <= lastSeq) return;
    lastSeq = event.seq;
    handlers.event(event);
  }

  function armIdle(own: AbortController): void {
    clearTimeout(idleTimer);
    idleTimer = setTimeout(() => {
      if (controller === own) drop();
    }, idleTimeout);
  }

  /** Any drop: close, then come back from the last event seen, with backoff and jitter. */
  function drop(): void {
    disconnect();
    if (closed || !refs) return;
    if (offline()) return $connection.set('offline');
    $connection.set('reconnecting');
    const ceiling = Math.max(serverRetry, Math.min(MAX_DELAY, 1000 * 2 ** attempt++));
    retryTimer = setTimeout(connect, ceiling / 2 + (Math.random() * ceiling) / 2);
  }

  function disconnect(): void {
    clearTimeout(retryTimer);
    clearTimeout(idleTimer);
    const own = controller;
    controller = null;
    own?.abort();
  }

  function goOnline(): void {
    attempt = 0;
    connect();
  }
  function goOffline(): void {
    disconnect();
    if (refs) $connection.set('offline');
  }

  function stop(): void {
    disconnect();
    refs = 0;
    lastSeq = null;
    win.removeEventListener?.('online', goOnline);
    win.removeEventListener?.('offline', goOffline);
    if ($connection.get() !== 'unauthorized') $connection.set('idle');
  }

  return {
    acquire() {
      if (closed || refs++) return;
      win.addEventListener?.('online', goOnline);
      win.addEventListener?.('offline', goOffline);
      if ($connection.get() !== 'unauthorized')
        $connection.set(offline() ? 'offline' : 'connecting');
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
    get lastSeq() {
      return lastSeq;
    },
    wake() {
      if (!controller) goOnline();
    },
    close() {
      stop();
      closed = true;
    },
  };
}
