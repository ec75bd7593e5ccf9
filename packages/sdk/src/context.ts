import type { PublicEvent } from '@lifeboat/protocol';
import type { ReadableAtom } from 'nanostores';
import { onMount } from 'nanostores';
import type { Request, Revalidate } from './http.js';
import type { Sessions } from './session.js';
import type { Stream } from './stream.js';

/** What every store and action of one client shares. */
export interface Context {
  readonly request: Request;
  /** Conditional GETs of snapshots (ETag / If-None-Match). */
  readonly revalidate: Revalidate;
  readonly stream: Stream;
  readonly sessions: Sessions;
}

/** A store fed by a snapshot and kept live by the stream. */
export interface Resource {
  mounted: boolean;
  load(): Promise<void>;
  /**
   * After the stream's `reset`: fetches the snapshot again past any cache's copy
   * (`cache: 'no-cache'`) and takes it in whatever its age (the value held has a gap). Resolves
   * with the event sequence it holds (null: it has none); rejects when it cannot be fetched.
   */
  reload(): Promise<number | null>;
  /** Applies a stream event; ignores events of other incidents and ones the snapshot holds. */
  apply(event: PublicEvent): void;
  /** Loads again what failed. */
  retry(): void;
  /**
   * Polling instead of streaming: fetches the snapshot again with `If-None-Match` and takes it in
   * if it changed — unless it is older than what the store holds (a cache's copy from before the
   * stream's position): the store never goes back, and the sequence it reports never falls
   * behind the stream's. Resolves with the event sequence the snapshot holds (null: it has
   * none); rejects when the server cannot be reached, leaving the store as it was.
   */
  refresh(): Promise<number | null>;
}

/** Reads a store without mounting it (`get()` would mount it and start a fetch). */
export const peek = <T>($store: ReadableAtom<T>): T => $store.value as T;

/** Lazy: fetch on the first listener, hold the stream while listened to. */
export function mountLazily(
  $store: ReadableAtom<unknown>,
  resource: Resource,
  stream: Stream,
): void {
  onMount($store, () => {
    resource.mounted = true;
    stream.acquire();
    void resource.load();
    return () => {
      resource.mounted = false;
      stream.release();
    };
  });
}

/** The incident an event is about (null for a site-wide event: `maintenance.updated`). */
export function incidentIdOf(event: PublicEvent): string | null {
  if (event.type === 'maintenance.updated') return null;
  return 'post' in event
    ? event.post.incidentId
    : 'incident' in event
      ? event.incident.id
      : event.incidentId;
}
