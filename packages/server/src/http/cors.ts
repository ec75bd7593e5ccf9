/**
 * Per-site CORS and the site lookup for `/v1/sites/:site/…`. Allowed origins come from the site
 * (`*` allowed); the server's own origin always passes. A disallowed origin gets no CORS headers,
 * and anything but GET/HEAD is refused with 403 `origin_not_allowed` before it can store anything.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError, problems } from './problem.js';

export const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE';
export const ALLOWED_HEADERS =
  'Authorization, Content-Type, Idempotency-Key, Last-Event-ID, If-None-Match';
export const EXPOSED_HEADERS =
  'ETag, Retry-After, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Idempotent-Replayed, Location';

const SITE_PREFIX = '/v1/sites/:site';

function sameOrigin(request: FastifyRequest, origin: string, publicOrigin: string | null): boolean {
  return origin === publicOrigin || origin === `${request.protocol}://${request.host}`;
}

export function registerCors(app: FastifyInstance): void {
  app.decorateRequest('site', null);

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const route = request.routeOptions.url;
    if (route === '/v1/openapi.json') {
      reply.header('Access-Control-Allow-Origin', '*');
      return;
    }
    if (!route?.startsWith(SITE_PREFIX)) return;
    const { store, config } = app.lifeboat;
    const slug = (request.params as { site?: string }).site ?? '';
    const site = await store.getSiteBySlug(slug);
    if (!site) throw problems.notFound('Site');
    request.site = site;

    const origin = request.headers.origin;
    const readOnly = request.method === 'GET' || request.method === 'HEAD';
    // The answer depends on Origin even when none was sent: a cache must not reuse it across origins.
    reply.header('Vary', 'Origin');
    if (origin) {
      const allowed =
        sameOrigin(request, origin, config.publicOrigin) ||
        site.origins.includes('*') ||
        site.origins.includes(origin);
      if (allowed) {
        reply.header('Access-Control-Allow-Origin', origin);
        reply.header('Access-Control-Expose-Headers', EXPOSED_HEADERS);
      } else if (!readOnly) {
        throw new ProblemError(
          403,
          'origin_not_allowed',
          `Origin ${origin} is not allowed for site "${site.slug}".`,
        );
      }
    }
  });

  // Preflight for every site route (reached only when the origin passed the hook above).
  app.options(`${SITE_PREFIX}/*`, async (_request, reply) => {
    reply
      .header('Access-Control-Allow-Methods', ALLOWED_METHODS)
      .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
      .header('Access-Control-Max-Age', '600')
      .code(204)
      .send();
  });
}
