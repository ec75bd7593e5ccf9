/** What a site's status snapshot says about its upstream: kind, freshness, last error. */
import type { Severity, StatusSource } from '@lifeboat/protocol';
import type { SiteRecord, StatusSourceState } from '../store/store.js';

/** A copy older than this many poll intervals is stale. */
export const STALE_AFTER_INTERVALS = 3;

export function pollIntervalOf(site: SiteRecord, defaultIntervalMs: number): number {
  return site.pollIntervalMs ?? defaultIntervalMs;
}

/** What the public sees of a failed poll: never the detail (an address, an upstream's text). */
export const PUBLIC_SOURCE_ERROR = 'The status source could not be reached.';

/**
 * The `source` of a site's status. A site without an upstream page has manual incidents: nothing
 * is polled, so nothing is stale. The public view says only that the last poll failed; the staff
 * view (admin routes) carries the poller's own words.
 */
export function statusSourceOf(
  site: SiteRecord,
  state: StatusSourceState | null,
  defaultIntervalMs: number,
  now: number,
  view: 'public' | 'staff' = 'public',
): StatusSource {
  if (!site.statusUrl)
    return { kind: 'manual', url: null, lastSuccessAt: null, stale: false, error: null };
  // State of a previous URL says nothing about this one.
  const own = state && state.url === site.statusUrl ? state : null;
  const lastSuccessAt = own?.lastSuccessAt ?? null;
  const maxAge = STALE_AFTER_INTERVALS * pollIntervalOf(site, defaultIntervalMs);
  return {
    kind: own?.kind ?? 'statuspage',
    url: site.statusUrl,
    lastSuccessAt,
    stale: lastSuccessAt === null || now - Date.parse(lastSuccessAt) > maxAge,
    error: own?.error ? (view === 'staff' ? own.error : PUBLIC_SOURCE_ERROR) : null,
  };
}

/** The upstream's own claims that raise a site's severity: its overall status, maintenances. */
export function upstreamSeverities(state: StatusSourceState | null): Severity[] {
  if (!state) return [];
  return [
    ...(state.severity ? [state.severity] : []),
    ...state.maintenances
      .filter((m) => m.status === 'in_progress' || m.status === 'verifying')
      .map(() => 'maintenance' as const),
  ];
}
