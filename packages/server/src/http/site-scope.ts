/**
 * The request pipeline of the two API scopes, as encapsulated plugins: their hooks and decorators
 * reach only the routes registered inside them.
 *
 * - `/v1/sites/:site`: the site is resolved once (`request.site`, from the SiteDirectory, before
 *   parsing and validation; 404 for an unknown site), then CORS, then the write limits; the
 *   preflight route. Every route inside can rely on `request.site`.
 * - `/v1/admin`: the admin limits (requests without the admin key count per IP).
 *
 * Both refuse an Authorization header longer than `MAX_AUTHORIZATION` before anything parses it.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SiteRecord } from '../store/store.js';
import { applyCors, registerPreflight } from './cors.js';
import { problems } from './problem.js';
import { registerWriteLimits } from './rate-limit.js';
import type { SiteDirectory } from './site-directory.js';
import type { SnapshotCache } from './snapshot-cache.js';

export const SITE_PREFIX = '/v1/sites/:site';
/** Characters of an Authorization header read at most (session tokens and keys are far shorter). */
export const MAX_AUTHORIZATION = 4096;

function capAuthorization(request: FastifyRequest): void {
  const header = request.headers.authorization;
  if (header !== undefined && header.length > MAX_AUTHORIZATION)
    throw problems.unauthorized('The Authorization header is too long.');
}

/**
 * Sets up the `/v1/sites/:site` scope on `scope` (a plugin's own instance). A read whose exact
 * URL was answered before from a snapshot still fresh is answered right after CORS.
 */
export function registerSiteScope(
  scope: FastifyInstance,
  sites: SiteDirectory,
  snapshots: SnapshotCache,
): void {
  const { config } = scope.lifeboat;
  // Set by the hook below before anything else runs, for every route of the scope.
  scope.decorateRequest('site', null as unknown as SiteRecord);

  const admit = (request: FastifyRequest, reply: FastifyReply, site: SiteRecord | null) => {
    if (!site) throw problems.notFound('Site');
    request.site = site;
    applyCors(request, reply, site, config.publicOrigin);
  };
  // Callback style: a site held in memory costs no promise on the hot read path.
  scope.addHook('onRequest', (request, reply, done) => {
    try {
      capAuthorization(request);
      const found = sites.get((request.params as { site: string }).site);
      if (!(found instanceof Promise)) {
        admit(request, reply, found);
        if (!snapshots.serveEarly(request, reply, request.site.id)) done();
        return;
      }
      found.then(
        (site) => {
          try {
            admit(request, reply, site);
            done();
          } catch (err) {
            done(err as Error);
          }
        },
        (err: Error) => done(err),
      );
    } catch (err) {
      done(err as Error);
    }
  });
  registerWriteLimits(scope, 'site');
  registerPreflight(scope, SITE_PREFIX);
}

/** Sets up the `/v1/admin` scope on `scope`. */
export function registerAdminScope(scope: FastifyInstance): void {
  scope.addHook('onRequest', async (request) => capAuthorization(request));
  registerWriteLimits(scope, 'admin');
}
