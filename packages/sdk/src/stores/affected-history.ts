import type { AffectedHistory, PublicEvent } from '@lifeboat/protocol';
import { atom, type WritableAtom } from 'nanostores';
import type { Loadable } from '../client-types.js';
import type { Context, Resource } from '../context.js';
import { mountLazily, peek } from '../context.js';
import { toLifeboatError } from '../http.js';

export interface AffectedHistoryResource extends Resource {
  readonly $store: WritableAtom<Loadable<AffectedHistory>>;
}

/** Coalesces a burst of "affected" changes into one refetch. */
export const HISTORY_DEBOUNCE_MS = 3_000;

/**
 * "Affected me too" reports per bucket over the last hours (for the banner's sparkline): fetched
 * on first listen, fetched again (debounced) after `affected.changed` events of the incident.
 */
export function createAffectedHistory(
  ctx: Context,
  incidentId: string,
  hours = 6,
  debounceMs = HISTORY_DEBOUNCE_MS,
): AffectedHistoryResource {
  const path = `/incidents/${encodeURIComponent(incidentId)}/affected/history?hours=${hours}`;
  const $store = atom<Loadable<AffectedHistory>>({ state: 'loading' });
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let etag: string | null = null;

  /** Fetches the history (`fresh`: revalidating any cached copy). */
  async function load(fresh: boolean): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    const run = ++generation;
    try {
      const fetched = (await ctx.revalidate<AffectedHistory>(path, null, fresh))!;
      if (run !== generation) return;
      etag = fetched.etag;
      $store.set({ state: 'ready', value: fetched.value });
    } catch (error) {
      if (run === generation)
        $store.set({ state: 'error', value: peek($store).value, error: toLifeboatError(error) });
    }
  }

  const resource: AffectedHistoryResource = {
    $store,
    mounted: false,
    load: () => load(false),
    async reload() {
      await load(true);
      const current = peek($store);
      if (current.state === 'error') throw current.error;
      return null;
    },
    apply(event: PublicEvent) {
      if (event.type !== 'affected.changed' || event.incidentId !== incidentId) return;
      if (!resource.mounted || timer) return;
      timer = setTimeout(() => {
        timer = undefined;
        if (resource.mounted) void resource.load();
      }, debounceMs);
    },
    retry() {
      if (peek($store).state === 'error') void resource.load();
    },
    async refresh() {
      const { state } = peek($store);
      if (state === 'loading') return null; // the first load is on its way
      if (state === 'error') {
        await resource.load();
        const current = peek($store);
        if (current.state === 'error') throw current.error;
        return null;
      }
      const run = generation;
      const fetched = await ctx.revalidate<AffectedHistory>(path, etag);
      if (fetched && run === generation) {
        etag = fetched.etag;
        $store.set({ state: 'ready', value: fetched.value });
      }
      return null;
    },
  };
  mountLazily($store, resource, ctx.stream);
  return resource;
}
