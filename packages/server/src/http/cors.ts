/**
 * Per-site CORS for the `/v1/sites/:site` scope (./site-scope.ts). Allowed origins come from the
 * site (`*` allowed); the server's own origin always passes. A disallowed origin gets no CORS
 * headers, and anything but GET/HEAD is refused with 403 `origin_not_allowed` before it can store
 * anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SiteRecord } from '../store/store.js';
import { ProblemError } from './problem.js';

export const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
export const ALLOWED_HEADERS =
  'Authorization, Content-Type, Idempotency-Key, Last-Event-ID, If-None-Match';
export const EXPOSED_HEADERS =
  'ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Idempotent-Replayed, Location';

function sameOrigin(request: FastifyRequest, origin: string): boolean {
  return origin === `${request.protocol}://${request.host}`;
}

/**
 * Whether `origin` is allowed by the site's list or is the server's configured public origin
 * (the request's own origin, which depends on the proxy settings, is checked by `applyCors`).
 */
export function listedOrigin(
  site: SiteRecord,
  origin: string,
  publicOrigin: string | null,
): boolean {
  return site.origins.includes('*') || site.origins.includes(origin) || origin === publicOrigin;
}

/** Sets the CORS answer for the site; throws 403 for a write from an origin it does not allow. */
export function applyCors(
  request: FastifyRequest,
  reply: FastifyReply,
  site: SiteRecord,
  publicOrigin: string | null,
): void {
  // The answer depends on Origin even when none was sent: a cache must not reuse it across origins.
  reply.header('Vary', 'Origin');
  const origin = request.headers.origin;
  if (!origin) return;
  const allowed = listedOrigin(site, origin, publicOrigin) || sameOrigin(request, origin);
  if (allowed) {
    reply.header('Access-Control-Allow-Origin', origin);
    reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  } else if (request.method !== 'GET' && request.method !== 'HEAD') {
    throw new ProblemError(
      403,
      'origin_not_allowed',
      `Origin ${origin} is not allowed for site "${site.slug}".`,
    );
  }
}

/** The preflight of every site route (reached only when the origin passed `applyCors`). */
export function registerPreflight(scope: FastifyInstance, prefix: string): void {
  scope.options(`${prefix}/*`, async (_request, reply) => {
    reply
      .header('Access-Control-Allow-Methods', ALLOWED_METHODS)
      .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
      .header('Access-Control-Max-Age', '600')
      .code(204)
      .send();
  });
}
