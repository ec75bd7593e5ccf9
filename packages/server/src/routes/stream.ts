/**
 * The live SSE streams, with Last-Event-ID replay:
 * - `GET /v1/sites/:site/stream` — public events, for every page;
 * - `GET /v1/sites/:site/moderation/stream` — the same sequence with the staff events
 *   (`moderation.*`) too; staff only, with the `Authorization` header (never a token in a URL).
 *
 * Public streams are limited per client address (429 past `LIFEBOAT_STREAMS_PER_CLIENT`) and per
 * instance (past `LIFEBOAT_STREAM_BUDGET` the answer is an `event: poll`: poll the snapshots,
 * stream again later); see docs/decisions/0018-streams-under-pressure.md.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { staffOnly } from '../http/authenticate.js';
import { ProblemError, problems } from '../http/problem.js';
import { AuthHeaders, SiteParams, StreamQuery, problemResponses } from './schemas.js';

const streamResponses = {
  200: {
    description: 'text/event-stream',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  },
  ...problemResponses,
};

export const streamRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { streams } = app.lifeboat;

  /**
   * Both streams. `queryLastEventId` is the validated `?lastEventId=`; the `Last-Event-ID`
   * header (an EventSource reconnecting) wins and is checked here, as no schema covers it.
   */
  const serve = async (
    request: FastifyRequest,
    reply: FastifyReply,
    queryLastEventId: string | undefined,
    staff: boolean,
  ) => {
    const header = request.headers['last-event-id'];
    const raw =
      (typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined) ??
      queryLastEventId;
    if (raw !== undefined && !/^[0-9]{1,15}$/.test(raw))
      throw problems.field('lastEventId', 'Last-Event-ID must be an event sequence number.');
    const lastEventId = raw === undefined ? null : Number(raw);

    const slot = streams.admit(request.ip, staff);
    if (slot === 'client_limit') {
      const retryAfter = streams.retryAfterSeconds;
      throw new ProblemError(
        429,
        'rate_limited',
        `Too many live streams from your address; poll the snapshots and try again in ${retryAfter} s.`,
        undefined,
        { 'Retry-After': String(retryAfter) },
        retryAfter,
      );
    }

    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as Record<string, string>),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': staff ? 'private, no-cache, no-transform' : 'no-cache, no-transform',
      'X-Accel-Buffering': 'no',
      Connection: 'keep-alive',
      ...(slot === 'busy' ? { 'Retry-After': String(streams.retryAfterSeconds) } : {}),
    });
    if (slot === 'busy') {
      // Over this instance's stream budget: the whole answer is "poll, then stream again later".
      res.end(streams.pollSignal());
      return;
    }
    res.flushHeaders();
    if (res.socket === null || res.socket.destroyed) {
      slot.release();
      return;
    }
    try {
      // The stream closes itself when the response does (its `close` event).
      await streams.open({ siteId: request.site.id, lastEventId, sink: res, staff, slot });
    } catch (err) {
      request.log.warn({ err }, 'stream failed to open');
      res.end();
    }
  };

  app.get(
    '/v1/sites/:site/stream',
    {
      schema: {
        operationId: 'openStream',
        summary:
          'Server-sent events: `id:` is the site event sequence, `event:` the type, `data:` the LifeboatEvent JSON. Control events `reset` and `ready`; heartbeats are `: hb` comments. Staff events are never sent here. Over the per-client stream limit: 429. Over the instance stream budget: only `event: poll` with `{"interval": ms, "retryAfter": s}`, then the stream ends (poll the snapshots with If-None-Match, stream again after `retryAfter`).',
        params: SiteParams,
        querystring: StreamQuery,
        response: streamResponses,
      },
    },
    (request, reply) => serve(request, reply, request.query.lastEventId, false),
  );

  app.get(
    '/v1/sites/:site/moderation/stream',
    {
      schema: {
        operationId: 'openModerationStream',
        summary:
          'Staff: the site stream with staff events too (moderation.queued, moderation.cleared, moderation.audit), on the same sequence, so Last-Event-ID resumes either stream. Needs the Authorization header (staff session or admin key).',
        params: SiteParams,
        headers: AuthHeaders,
        querystring: StreamQuery,
        response: streamResponses,
      },
      // Staff first, before the query is validated: anonymous 401, non-staff 403, whatever sent.
      onRequest: staffOnly,
    },
    (request, reply) => serve(request, reply, request.query.lastEventId, true),
  );
};
