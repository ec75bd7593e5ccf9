/**
 * Direct mode: the official status straight from a public status page's JSON (Statuspage or
 * incident.io `/api/v2/summary.json`, Instatus `/summary.json`), with no Lifeboat server. Polls
 * only while listened to, sends `If-None-Match` when the browser lets it read the ETag, backs off
 * after failures, and normalizes with `normalizeStatusDocument` from @lifeboat/protocol.
 */
import {
  normalizeStatusDocument,
  type Incident,
  type NormalizedStatus,
  type SiteStatus,
} from '@lifeboat/protocol';
import { atom, onMount, type ReadableAtom } from 'nanostores';
import { LifeboatError, type Loadable } from './client-types.js';
import { networkError, type FetchLike } from './http.js';

export interface DirectStatusOptions {
  /** The public status JSON, e.g. `https://status.example.com/api/v2/summary.json`. */
  statusUrl: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Poll interval while listened to (default 60 s; never below 10 s). */
  intervalMs?: number;
  /** Longest wait between attempts after failures (default 15 min). */
  maxBackoffMs?: number;
}

export interface DirectStatus {
  /** Lazy: polls while listened to, stops when the last listener leaves. */
  readonly $status: ReadableAtom<Loadable<SiteStatus>>;
  /** Polls now (after an error, or to refresh). */
  refresh(): void;
}

const MIN_INTERVAL = 10_000;

/** A SiteStatus from a normalized upstream document: open incidents only, no community data. */
export function siteStatusFrom(
  normalized: NormalizedStatus,
  statusUrl: string,
  now = new Date(),
): SiteStatus {
  const siteSlug = normalized.page.id || new URL(statusUrl).host;
  const incidents: Incident[] = normalized.incidents
    .filter((i) => i.phase !== 'resolved' && !i.resolvedAt)
    .map((i) => ({
      id: i.id,
      site: siteSlug,
      title: i.title,
      phase: i.phase,
      impact: i.impact,
      components: i.components,
      startedAt: i.startedAt,
      resolvedAt: i.resolvedAt,
      updatedAt: i.updatedAt,
      threadState: 'open',
      updates: i.updates,
      affectedCount: 0,
      postCount: 0,
      topWorkaround: null,
    }));
  return {
    site: { slug: siteSlug, name: normalized.page.name },
    severity: normalized.severity,
    description: normalized.description,
    components: normalized.components,
    incidents,
    maintenances: normalized.maintenances,
    lastEventId: 0,
    updatedAt: now.toISOString(),
    source: {
      kind: normalized.source,
      url: statusUrl,
      lastSuccessAt: now.toISOString(),
      stale: false,
      error: null,
    },
  };
}

/** Polls a public status page's JSON into a `Loadable<SiteStatus>` store. */
export function createDirectStatus(options: DirectStatusOptions): DirectStatus {
  const { statusUrl } = options;
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const interval = Math.max(MIN_INTERVAL, options.intervalMs ?? 60_000);
  const maxBackoff = Math.max(interval, options.maxBackoffMs ?? 15 * 60_000);
  const $status = atom<Loadable<SiteStatus>>({ state: 'loading' });
  let etag: string | null = null;
  let failures = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let generation = 0;

  const schedule = (ms: number) => {
    clearTimeout(timer);
    if (running) timer = setTimeout(() => void poll(), ms);
  };

  async function poll(): Promise<void> {
    const run = ++generation;
    try {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (etag) headers['if-none-match'] = etag;
      let response: Response;
      try {
        response = await fetchFn(statusUrl, { method: 'GET', headers, credentials: 'omit' });
      } catch (error) {
        throw networkError(error);
      }
      if (run !== generation) return;
      if (response.status === 304 && $status.value?.value) {
        failures = 0;
        schedule(interval);
        return;
      }
      if (!response.ok) {
        throw new LifeboatError({
          title: `The status page answered ${response.status}`,
          status: response.status,
          code: response.status === 404 ? 'not_found' : 'internal',
        });
      }
      const json: unknown = await response.json();
      if (run !== generation) return;
      const status = siteStatusFrom(normalizeStatusDocument(json, { url: statusUrl }), statusUrl);
      etag = response.headers.get('etag');
      failures = 0;
      $status.set({ state: 'ready', value: status });
      schedule(interval);
    } catch (error) {
      if (run !== generation) return;
      failures++;
      const lifeboatError =
        error instanceof LifeboatError
          ? error
          : new LifeboatError({
              title: 'The status page could not be read',
              status: 0,
              code: 'internal',
              detail: error instanceof Error ? error.message : String(error),
            });
      const previous = $status.value?.value;
      $status.set({ state: 'error', value: previous, error: lifeboatError });
      const backoff = Math.min(maxBackoff, interval * 2 ** (failures - 1));
      schedule(backoff * (0.75 + Math.random() / 2));
    }
  }

  onMount($status, () => {
    running = true;
    void poll();
    return () => {
      running = false;
      generation++;
      clearTimeout(timer);
    };
  });

  return {
    $status,
    refresh() {
      if (running) void poll();
    },
  };
}
