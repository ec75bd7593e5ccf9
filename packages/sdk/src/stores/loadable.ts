import type { PublicEvent } from '@lifeboat/protocol';
import { atom } from 'nanostores';
import type { WritableAtom } from 'nanostores';
import type { Loadable } from '../client-types.js';
import type { Context, Resource } from '../context.js';
import { mountLazily, peek } from '../context.js';
import { toLifeboatError } from '../http.js';

export interface LoadableResource<T> extends Resource {
  readonly $store: WritableAtom<Loadable<T>>;
  /** Changes the value in place, if there is one (optimistic updates). */
  update(change: (value: T) => T): void;
}

export interface LoadableOptions<T> {
  /** The snapshot's path under the site. */
  path: string;
  /** The snapshot's event sequence, when it has one: later events are replayed onto it. */
  seqOf?(value: T): number;
  reduce(value: T, event: PublicEvent): T;
}

/** A lazily fetched, live `Loadable<T>` (site status, one incident). */
export function createLoadable<T>(ctx: Context, options: LoadableOptions<T>): LoadableResource<T> {
  const { stream } = ctx;
  const $store = atom<Loadable<T>>({ state: 'loading' });
  let generation = 0;
  /** Events at or below this sequence are already in the snapshot. */
  let seq = -1;
  /** The snapshot's ETag, for polling. */
  let etag: string | null = null;

  /** A snapshot from before what the store holds (only snapshots with a sequence can tell). */
  const older = (value: T) =>
    options.seqOf !== undefined && options.seqOf(value) < Math.max(seq, stream.position() ?? -1);

  /** Takes in a snapshot newer than the one held. */
  function accept(value: T): void {
    $store.set({ state: 'ready', value });
    if (options.seqOf) {
      seq = options.seqOf(value);
      stream.seed(seq);
      for (const event of stream.recent()) resource.apply(event);
    }
  }

  /** Fetches the snapshot (`fresh`: revalidating any cached copy) and takes it in. */
  async function load(fresh: boolean): Promise<void> {
    const run = ++generation;
    if (peek($store).value === undefined) $store.set({ state: 'loading' });
    try {
      const fetched = (await ctx.revalidate<T>(options.path, null, fresh))!;
      if (run !== generation) return;
      etag = fetched.etag;
      accept(fetched.value);
    } catch (error) {
      if (run !== generation) return;
      $store.set({ state: 'error', value: peek($store).value, error: toLifeboatError(error) });
    }
  }

  const resource: LoadableResource<T> = {
    $store,
    mounted: false,
    load: () => load(false),
    async reload() {
      await load(true);
      const current = peek($store);
      if (current.state === 'error') throw current.error;
      return options.seqOf && seq >= 0 ? seq : null;
    },
    async refresh() {
      const { state } = peek($store);
      if (state === 'error') {
        await resource.load();
        const current = peek($store);
        if (current.state === 'error') throw current.error;
      } else if (state === 'ready') {
        const run = generation;
        const fetched = await ctx.revalidate<T>(options.path, etag);
        // A cache's copy older than what the store holds (its snapshot and the events applied
        // since, up to the stream's position) is dropped: taking it would lose those events.
        if (fetched && run === generation && !older(fetched.value)) {
          etag = fetched.etag;
          accept(fetched.value);
        }
      }
      return options.seqOf && seq >= 0 ? seq : null;
    },
    apply(event) {
      if (event.seq > seq) resource.update((value) => options.reduce(value, event));
    },
    update(change) {
      const current = peek($store);
      if (current.state !== 'ready') return;
      const value = change(current.value);
      if (value !== current.value) $store.set({ state: 'ready', value });
    },
    retry() {
      if (peek($store).state === 'error') void resource.load();
    },
  };
  mountLazily($store, resource, stream);
  return resource;
}
