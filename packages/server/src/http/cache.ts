/**
 * Cache-Control of the reads, and the If-None-Match check. Public snapshots are served from
 * memory (./snapshot-cache.ts) with a strong ETag; docs/server/cdn.md puts a CDN in front.
 */
import type { FastifyRequest } from 'fastify';

/** Seconds each cache may keep a public snapshot. */
export const SNAPSHOT_SECONDS = {
  /** Browsers: briefly (a page reload within it costs no request). */
  browser: 2,
  /** Shared caches (a CDN, nginx proxy_cache): a little longer; the SSE stream fills the gap. */
  shared: 5,
  /** A stale copy may be served while it is fetched again in the background. */
  staleWhileRevalidate: 10,
  /** A stale copy may be served while the server fails (5xx, unreachable). */
  staleIfError: 300,
} as const;

/** Public snapshots: member-independent, fit for any cache. */
export const CACHE_SNAPSHOT = `public, max-age=${SNAPSHOT_SECONDS.browser}, s-maxage=${SNAPSHOT_SECONDS.shared}, stale-while-revalidate=${SNAPSHOT_SECONDS.staleWhileRevalidate}, stale-if-error=${SNAPSHOT_SECONDS.staleIfError}`;
/** Anything about the current member or staff: never stored by any cache. */
export const CACHE_PRIVATE = 'private, no-store';

/** True when `If-None-Match` matches (weak comparison, `*` too). */
export function notModified(request: FastifyRequest, etag: string): boolean {
  return matchesEtag(request.headers['if-none-match'], etag);
}

/** True when the `If-None-Match` header's value matches `etag` (weak comparison, `*` too). */
export function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => {
    const t = tag.trim();
    return t.startsWith('W/') ? t.slice(2) : t;
  };
  const wanted = opaque(etag);
  return header.split(',').some((tag) => {
    const t = opaque(tag);
    return t === '*' || t === wanted;
  });
}
