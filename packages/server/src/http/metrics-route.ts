/**
 * Exposes `app.lifeboat.metrics` as configured (`LIFEBOAT_METRICS`, docs/metrics.md, ADR 0028):
 * `off` registers nothing and adds no hook; `token` serves `GET /metrics` on the main port to
 * `Authorization: Bearer <LIFEBOAT_METRICS_TOKEN>` only; `host:port` serves it from a listener of
 * its own (asking for the token too when one is set). When on, every request Fastify answers is
 * observed at `onResponse` by its route template, the fast path observes its own answers
 * (./fast-reads.ts), and the state gauges are read at scrape time.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { LifeboatContext } from '../context.js';
import { UNMATCHED_ROUTE } from './metrics.js';
import { problems } from './problem.js';
import { bearerToken } from '../auth/tokens.js';

/** Whether a bearer header carries `token` (constant time). */
function tokenMatches(header: string | undefined, token: string): boolean {
  const given = bearerToken(header);
  if (!given) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(token).digest();
  return crypto.timingSafeEqual(a, b);
}

export async function registerMetrics(app: FastifyInstance, context: LifeboatContext) {
  const { config, metrics, streams, store, hub } = context;
  if (config.metrics === 'off') return;

  metrics.collectProcessMetrics();
  metrics.countPublications(hub);
  streams.replayObserver = (events, reset) => {
    metrics.replayEvents.observe(events);
    if (reset) metrics.streamResets.inc();
  };
  metrics.gaugeAtScrape(
    'lifeboat_streams_open',
    'Live streams open on this instance by audience (public, staff).',
    ['audience'],
    (gauge) => {
      const open = streams.openStreams();
      gauge.set({ audience: 'public' }, open.public);
      gauge.set({ audience: 'staff' }, open.staff);
    },
  );
  metrics.gaugeAtScrape(
    'lifeboat_moderation_queue_size',
    'Posts waiting for review, by site (read at scrape time).',
    ['site'],
    async (gauge) => {
      gauge.reset();
      for (const site of await store.listSites())
        gauge.set({ site: site.slug }, await store.pendingPostCount(site.id));
    },
  );

  app.addHook('onResponse', (request, reply, done) => {
    metrics.observeHttp(
      request.routeOptions.url ?? UNMATCHED_ROUTE,
      request.method,
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });

  const token = config.metricsToken;
  if (config.metrics === 'token') {
    app.get('/metrics', async (request, reply) => {
      if (!tokenMatches(request.headers.authorization, token!))
        throw problems.unauthorized(
          '/metrics needs Authorization: Bearer <LIFEBOAT_METRICS_TOKEN>.',
        );
      const { contentType, body } = await metrics.scrape();
      return reply.header('cache-control', 'no-store').type(contentType).send(body);
    });
    return;
  }

  // A listener of its own: plain Node, nothing else on it.
  const { host, port } = config.metrics;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found: try /metrics\n');
      return;
    }
    if (token && !tokenMatches(req.headers.authorization, token)) {
      res
        .writeHead(401, { 'content-type': 'text/plain', 'www-authenticate': 'Bearer' })
        .end('Unauthorized: /metrics needs Authorization: Bearer <LIFEBOAT_METRICS_TOKEN>.\n');
      return;
    }
    metrics.scrape().then(
      ({ contentType, body }) => {
        res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : body);
      },
      (err: unknown) => {
        app.log.error({ err }, 'metrics: the scrape failed');
        res.writeHead(500, { 'content-type': 'text/plain' }).end('The scrape failed.\n');
      },
    );
  });
  app.addHook('onReady', async () => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    app.log.info({ host, port }, 'metrics: serving /metrics on its own listener');
  });
  app.addHook('onClose', async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
}
