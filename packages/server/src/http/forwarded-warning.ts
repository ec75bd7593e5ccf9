/**
 * Behind a proxy that Lifeboat was not told to trust, every client shares the proxy's address:
 * one rate-limit bucket for everyone, and one flood locks all visitors out. The server cannot
 * guess the proxy (believing X-Forwarded-For from anyone would let each client pick its own
 * address), so it says so, once, at the first request that carries a forwarded header.
 */
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

export const FORWARDED_WARNING =
  'Requests carry X-Forwarded-For (or Forwarded) but LIFEBOAT_TRUST_PROXY is off: every client behind that proxy counts as the proxy, sharing one set of rate limits. Set LIFEBOAT_TRUST_PROXY to the proxy address (e.g. loopback or 10.0.0.0/8).';

/**
 * Watches the HTTP server's requests (cached reads answered before the router included) and
 * logs FORWARDED_WARNING the first time one carries a forwarded header; then stops watching.
 */
export function warnOnceOnForwarded(app: FastifyInstance): void {
  const server = app.server;
  const watch = (request: IncomingMessage): void => {
    const { headers } = request;
    if (headers['x-forwarded-for'] === undefined && headers['forwarded'] === undefined) return;
    server.off('request', watch);
    app.log.warn({ proxy: request.socket.remoteAddress }, FORWARDED_WARNING);
  };
  server.on('request', watch);
}
