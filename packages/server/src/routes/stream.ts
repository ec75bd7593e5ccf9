/** GET /v1/sites/:site/stream — the live SSE stream with Last-Event-ID replay. */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { problems } from '../http/problem.js';
import { SiteParams, StreamQuery, problemResponses } from './schemas.js';

export async function streamRoutes(app: FastifyInstance): Promise<void> {
  const { streams } = app.lifeboat;

  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof StreamQuery> }>(
    '/v1/sites/:site/stream',
    {
      schema: {
        operationId: 'openStream',
        summary:
          'Server-sent events: `id:` is the site event sequence, `event:` the type, `data:` the LifeboatEvent JSON. Control events `reset` and `ready`; heartbeats are `: hb` comments.',
        params: SiteParams,
        querystring: StreamQuery,
        response: {
          200: {
            description: 'text/event-stream',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const header = request.headers['last-event-id'];
      const raw =
        (typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined) ??
        request.query.lastEventId;
      if (raw !== undefined && !/^[0-9]{1,15}$/.test(raw))
        throw problems.field('lastEventId', 'Last-Event-ID must be an event sequence number.');
      const lastEventId = raw === undefined ? null : Number(raw);

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-cache, no-transform',
        'X-Accel-Buffering': 'no',
        Connection: 'keep-alive',
      });
      res.flushHeaders();
      let close: (() => void) | null = null;
      let closed = false;
      res.on('close', () => {
        closed = true;
        close?.();
      });
      try {
        close = await streams.open({ siteId: request.site!.id, lastEventId, sink: res });
        if (closed) close();
      } catch (err) {
        request.log.warn({ err }, 'stream failed to open');
        res.end();
      }
    },
  );
}
