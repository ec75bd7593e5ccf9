/**
 * Early warning for staff (docs/early-warning.md): the site's recent spikes of "Something not
 * working?" reports, kept live by the staff stream's `spike.detected` / `spike.updated`, and the
 * actions on one (confirm: show it in the public banner; dismiss; declare a manual incident whose
 * "affected" list is the spike's reporters).
 */
import type { Incident, Spike } from '@lifeboat/protocol';
import { atom, type WritableAtom } from 'nanostores';
import type { LifeboatError } from '../client-types.js';
import { peek } from '../context.js';
import { toLifeboatError } from '../http.js';

export type SpikeAction = 'confirm' | 'dismiss' | 'declare';

export interface SpikesSnapshot {
  state: 'loading' | 'ready' | 'error';
  /** Newest first (the last 7 days). */
  spikes: Spike[];
  /** Actions in flight, by spike id. */
  acting: Readonly<Record<string, SpikeAction>>;
  /** The last failed action of a spike. */
  failures: Readonly<Record<string, { action: SpikeAction; error: LifeboatError }>>;
  error: LifeboatError | null;
}

export interface SpikeActionResult {
  spike: Spike;
  /** With `declare`: the incident opened from the spike. */
  incident?: Incident;
}

type Authed = <T>(method: string, path: string, body?: unknown) => Promise<T>;

export function emptySpikes(): SpikesSnapshot {
  return { state: 'loading', spikes: [], acting: {}, failures: {}, error: null };
}

/** A spike into the list: replaced in place, or added in detection order (newest first). */
export function upsertSpike(list: readonly Spike[], spike: Spike): Spike[] {
  const rest = list.filter((s) => s.id !== spike.id);
  return [...rest, spike].sort((a, b) => (a.detectedAt < b.detectedAt ? 1 : -1));
}

export function createSpikes(authed: Authed, onFailure: (error: LifeboatError) => void) {
  const $spikes: WritableAtom<SpikesSnapshot> = atom(emptySpikes());
  let run = 0;
  const set = (patch: Partial<SpikesSnapshot>) => $spikes.set({ ...peek($spikes), ...patch });

  async function load(): Promise<void> {
    const mine = ++run;
    if (peek($spikes).state === 'error') set({ state: 'loading', error: null });
    try {
      const { spikes } = await authed<{ spikes: Spike[] }>('GET', '/moderation/spikes');
      if (mine !== run) return;
      // Spikes the stream brought while the list was on its way stay.
      let list = spikes;
      for (const live of peek($spikes).spikes)
        if (!spikes.some((s) => s.id === live.id)) list = upsertSpike(list, live);
      set({ state: 'ready', spikes: list, error: null });
    } catch (error) {
      if (mine !== run) return;
      const failure = toLifeboatError(error);
      onFailure(failure);
      set({ state: 'error', error: failure });
    }
  }

  function apply(spike: Spike): void {
    set({ spikes: upsertSpike(peek($spikes).spikes, spike) });
  }

  async function act(spikeId: string, action: SpikeAction): Promise<SpikeActionResult> {
    const { [spikeId]: _, ...failures } = peek($spikes).failures;
    set({ acting: { ...peek($spikes).acting, [spikeId]: action }, failures });
    const settle = (error?: LifeboatError) => {
      const { [spikeId]: __, ...acting } = peek($spikes).acting;
      set({
        acting,
        failures: error
          ? { ...peek($spikes).failures, [spikeId]: { action, error } }
          : peek($spikes).failures,
      });
    };
    try {
      const result = await authed<SpikeActionResult>(
        'POST',
        `/moderation/spikes/${encodeURIComponent(spikeId)}/${action}`,
        {},
      );
      apply(result.spike);
      settle();
      return result;
    } catch (error) {
      const failure = toLifeboatError(error);
      onFailure(failure);
      settle(failure);
      throw failure;
    }
  }

  return {
    $spikes,
    load,
    apply,
    act,
    reset() {
      run++;
      $spikes.set(emptySpikes());
    },
    cancel() {
      run++;
    },
  };
}
