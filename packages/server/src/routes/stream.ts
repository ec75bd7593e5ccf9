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
import { staffOf, staffOnly } from '../http/authenticate.js';
import { ProblemError, problems } from '../http/problem.js';
import { AuthHeaders, SiteParams, StreamQuery, problemResponses } from './schemas.js';

const streamResponses = {
  200: {
    description: 'text/event-stream',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  },
  ...problemResponses,
};

/** The stream's response headers (CORS from the site scope included); `retryAfter` when busy. */
function sseHeaders(
  reply: FastifyReply,
  staff: boolean,
  retryAfter: number | null,
): Record<string, string> {
  return {
    ...(reply.getHeaders() as Record<string, string>),
    'Content-Type': 'text/event-stream; charset=utf-8',
    'Cache-Control': staff ? 'private, no-cache, no-transform' : 'no-cache, no-transform',
    'X-Accel-Buffering': 'no',
    Connection: 'keep-alive',
    ...(retryAfter === null ? {} : { 'Retry-After': String(retryAfter) }),
  };
}

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

    let actor: string | null = null;
    if (staff) {
      const who = await staffOf(request);
      actor = who.kind === 'admin' ? 'admin' : who.member.id;
    }
    const slot = streams.admit(request.ip, actor);
    if (slot === 'client_limit') {
      const retryAfter = streams.retryAfterSeconds;
      throw new ProblemError(
        429,
        'rate_limited',
        staff
          ? `Too many live streams for one staff member; close a console and try again in ${retryAfter} s.`
          : `Too many live streams from your address; poll the snapshots and try again in ${retryAfter} s.`,
        undefined,
        { 'Retry-After': String(retryAfter) },
        retryAfter,
      );
    }

    reply.hijack();
    const res = reply.raw;
    if (slot === 'busy') {
      // Over this instance's stream budget: the whole answer is "poll, then stream again later".
      res.writeHead(200, sseHeaders(reply, staff, streams.retryAfterSeconds));
      res.end(streams.pollSignal());
      return;
    }
    // The slot is released exactly once: by the stream when it closes, else here.
    let owned = false;
    try {
      res.writeHead(200, sseHeaders(reply, staff, null));
      res.flushHeaders();
      if (res.socket === null || res.socket.destroyed) return;
      owned = true;
      // The stream closes itself when the response does (its `close` event).
      await streams.open({ siteId: request.site.id, lastEventId, sink: res, staff, slot });
    } catch (err) {
      request.log.warn({ err }, 'stream failed to open');
      res.destroy();
    } finally {
      if (!owned) slot.release();
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
