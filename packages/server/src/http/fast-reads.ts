/**
 * The cached-read fast path (docs/decisions/0022-cached-reads-before-the-router.md). During a
 * spike most requests are the same few public snapshots, already serialized in the SnapshotCache.
 * A GET or HEAD whose exact URL was answered before (through the full pipeline: routing, schema
 * validation, the handler) and whose entry is still fresh is answered here, from the raw Node
 * request, before Fastify builds its request and reply, runs the hooks and routes it.
 *
 * What the full pipeline would do for such a request, this does too: the site is resolved by its
 * slug from the SiteDirectory (held in memory; a site not held falls through), the answer carries
 * the same headers (`Vary: Origin`, CORS for a listed origin, `ETag`, `Cache-Control`), and
 * `If-None-Match` gets a 304. Anything it cannot decide alone falls through to Fastify unchanged:
 * another method, a slug that needs decoding, an Authorization header over the cap, an Origin the
 * site does not list (Fastify knows whether it is the server's own origin behind a proxy), a URL
 * not seen or an entry gone stale. At log level `info` or below it logs one line per answer.
 *
 * The site scope's hooks do not run for these answers: a concern that must see every read
 * (metrics, an access rule) belongs here too.
 */
import http, {
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
} from 'node:http';
import type { FastifyBaseLogger, FastifyHttpOptions, FastifyServerFactoryHandler } from 'fastify';
import { EXPOSED_HEADERS, listedOrigin } from './cors.js';
import { MAX_AUTHORIZATION } from './site-scope.js';
import type { SiteDirectory } from './site-directory.js';
import type { SnapshotCache } from './snapshot-cache.js';

const PREFIX = '/v1/sites/';

/** Answers `req` from memory and returns true, or returns false (Fastify takes it). */
export type FastRead = (req: IncomingMessage, res: ServerResponse) => boolean;

export interface FastReadOptions {
  sites: SiteDirectory;
  snapshots: SnapshotCache;
  /** The server's public origin (`LIFEBOAT_PUBLIC_ORIGIN`), always allowed. */
  publicOrigin: string | null;
  /** Logs each answer at `info` when given. */
  log?: FastifyBaseLogger | null;
}

export function createFastRead({ sites, snapshots, publicOrigin, log }: FastReadOptions): FastRead {
  return (req, res) => {
    const { method, url } = req;
    if ((method !== 'GET' && method !== 'HEAD') || !url?.startsWith(PREFIX)) return false;
    const end = url.indexOf('/', PREFIX.length);
    if (end < 0) return false;
    const slug = url.slice(PREFIX.length, end);
    if (slug === '' || slug.includes('%')) return false;
    const authorization = req.headers.authorization;
    if (authorization !== undefined && authorization.length > MAX_AUTHORIZATION) return false;
    // Only a site already held: a lookup started here, for a URL the router may then refuse
    // before the site scope (no such route, a slug over its length), would reject unheard when
    // the database is down (an unhandled rejection ends the process), and costs a query.
    const site = sites.peek(slug);
    if (site === null) return false;
    const headers: OutgoingHttpHeaders = { vary: 'Origin' };
    const origin = req.headers.origin;
    // An empty Origin is no Origin, as for `applyCors`.
    if (origin) {
      if (!listedOrigin(site, origin, publicOrigin)) return false;
      headers['access-control-allow-origin'] = origin;
      headers['access-control-expose-headers'] = EXPOSED_HEADERS;
    }
    if (!snapshots.serveRaw(req, res, site.id, headers)) return false;
    log?.info(
      { req: { method, url }, res: { statusCode: res.statusCode }, cache: 'memory' },
      'request answered from memory',
    );
    return true;
  };
}

/**
 * Fastify's `serverFactory`: the HTTP server Fastify would make (same timeouts), with `fastRead()`
 * (set once the app is built; null until then) asked first.
 */
export function serverWithFastReads(fastRead: () => FastRead | null) {
  return (handler: FastifyServerFactoryHandler, options: FastifyHttpOptions<http.Server>) => {
    const server = http.createServer(options.http ?? {}, (req, res) => {
      const read = fastRead();
      if (read === null || !read(req, res)) handler(req, res);
    });
    // What Fastify sets on the server it makes itself (lib/server.js, getServerInstance).
    if (options.keepAliveTimeout !== undefined) server.keepAliveTimeout = options.keepAliveTimeout;
    if (options.requestTimeout !== undefined) server.requestTimeout = options.requestTimeout;
    if (options.connectionTimeout !== undefined) server.setTimeout(options.connectionTimeout);
    if (options.maxRequestsPerSocket) server.maxRequestsPerSocket = options.maxRequestsPerSocket;
    return server;
  };
}
