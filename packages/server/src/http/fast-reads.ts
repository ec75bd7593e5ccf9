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
 * (metrics, an access rule) belongs here too. With metrics on, each answer is observed under the
 * route template its entry was built for (one `performance.now()` pair and a map lookup).
 */
import type http from 'node:http';
import { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import type { Metrics } from './metrics.js';
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
  /** Observes each answer in the HTTP histogram when given (metrics on). */
  metrics?: Metrics | null;
}

export function createFastRead({
  sites,
  snapshots,
  publicOrigin,
  log,
  metrics,
}: FastReadOptions): FastRead {
  return (req, res) => {
    const start = metrics ? performance.now() : 0;
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
    const route = snapshots.serveRaw(req, res, site.id, headers);
    if (route === false) return false;
    metrics?.observeHttp(route, method, res.statusCode, (performance.now() - start) / 1000);
    log?.info(
      {
        req: {
          method,
          url,
          host: req.headers.host,
          remoteAddress: req.socket.remoteAddress,
          remotePort: req.socket.remotePort,
        },
        res: { statusCode: res.statusCode },
        cache: 'memory',
      },
      'request answered from memory',
    );
    return true;
  };
}

/**
 * Puts `fastRead` in front of Fastify's own request handler on its HTTP server (the server stays
 * the one Fastify made: its timeouts and, for a host name, its extra addresses). Other `request`
 * listeners are left as they are. A fast read that throws before it wrote anything falls through
 * to Fastify; one that throws after is cut.
 */
export function answerFirst(server: http.Server, fastRead: FastRead): void {
  const [handler] = server.listeners('request') as Array<
    (req: IncomingMessage, res: ServerResponse) => void
  >;
  if (!handler) throw new Error('answerFirst: the server has no request handler yet');
  server.removeListener('request', handler);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    let answered: boolean;
    try {
      answered = fastRead(req, res);
    } catch {
      answered = res.headersSent;
      if (answered) res.destroy();
    }
    if (!answered) handler.call(server, req, res);
  });
}
