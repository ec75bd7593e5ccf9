/**
 * Similar workarounds: the action (`client.similarWorkarounds(incidentId, text)`, one GET with a
 * small cache) and a debounced search store for forms that ask while the visitor types.
 */
import type { SimilarWorkaround, SimilarWorkarounds } from '@lifeboat/protocol';
import { atom, type ReadableAtom } from 'nanostores';
import type { Request } from './http.js';

/** Texts shorter than this (trimmed) are not sent: the server would find nothing anyway. */
export const SIMILAR_MIN_CHARS = 6;
/** Wait this long after the last keystroke before asking the server. */
export const SIMILAR_DEBOUNCE_MS = 300;
const CACHE_SIZE = 30;

export type SimilarWorkaroundsAction = (
  incidentId: string,
  text: string,
) => Promise<SimilarWorkaround[]>;

/** The action behind `client.similarWorkarounds()`: resolves with the matches, best first. */
export function createSimilarWorkarounds(request: Request): SimilarWorkaroundsAction {
  const cache = new Map<string, SimilarWorkaround[]>();
  return async (incidentId, text) => {
    const q = text.trim().replace(/\s+/g, ' ').slice(0, 2000);
    if (q.length < SIMILAR_MIN_CHARS) return [];
    const key = `${incidentId}\n${q.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit) return hit;
    const { results } = await request<SimilarWorkarounds>(
      'GET',
      `/incidents/${encodeURIComponent(incidentId)}/workarounds/similar?q=${encodeURIComponent(q)}`,
    );
    cache.set(key, results);
    if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
    return results;
  };
}

export interface SimilarSearch {
  /** The latest matches for the latest text (empty while nothing looks alike). */
  readonly $similar: ReadableAtom<SimilarWorkaround[]>;
  /** Asks `delay` ms after the last call; answers to older texts are dropped. */
  search(incidentId: string, text: string): void;
  /** Forgets the matches and any pending search. */
  clear(): void;
}

/**
 * A debounced search over `client.similarWorkarounds` for a form: call `search()` on every
 * keystroke, render `$similar`. Failures leave the last matches (suggestions are a convenience).
 */
export function createSimilarSearch(
  client: { similarWorkarounds: SimilarWorkaroundsAction },
  delay = SIMILAR_DEBOUNCE_MS,
): SimilarSearch {
  const $similar = atom<SimilarWorkaround[]>([]);
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  const cancel = () => {
    clearTimeout(timer);
    generation++;
  };
  const empty = () => {
    if ($similar.get().length > 0) $similar.set([]);
  };
  return {
    $similar,
    search(incidentId, text) {
      cancel();
      const run = generation;
      if (text.trim().length < SIMILAR_MIN_CHARS) {
        empty();
        return;
      }
      timer = setTimeout(() => {
        client.similarWorkarounds(incidentId, text).then(
          (results) => {
            if (run === generation) $similar.set(results);
          },
          () => {
            // Keep what is shown.
          },
        );
      }, delay);
    },
    clear() {
      cancel();
      empty();
    },
  };
}
