/**
 * Workarounds beyond posting them:
 * - `GET …/incidents/:incident/workarounds/similar?q=` — existing workarounds that look like the
 *   text being typed (character-trigram Jaccard, see ../similarity/similarity.ts);
 * - `POST …/posts/:post/merge` `{ into }` — staff merge a duplicate into another post.
 */
import { clientKey } from '../realtime/stream-limits.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { MergePostResult, SimilarWorkarounds } from '@lifeboat/protocol';
import { staffOf, staffOnly } from '../http/authenticate.js';
import { CACHE_SNAPSHOT } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import { RATE_LIMIT_HEADERS, RateLimiter } from '../http/rate-limit.js';
import type { SnapshotCache } from '../http/snapshot-cache.js';
import { findSimilar } from '../similarity/similarity.js';
import { auditActor } from './moderation.js';
import { AuthHeaders, IncidentParams, PostParams, problemResponses } from './schemas.js';

/** Workarounds compared per request (an incident with more keeps the oldest ones). */
const MAX_CANDIDATES = 500;
/** Similarity lookups computed per IP and window: twice the write limit (a form asks as one types). */
const LOOKUPS_PER_WRITE = 2;

export const workaroundRoutes: FastifyPluginAsyncTypebox<{ snapshots: SnapshotCache }> = async (
  app,
  { snapshots },
) => {
  const { store, hub, config, shared } = app.lifeboat;
  const { writesPerIp, windowMs } = config.rateLimits;
  const lookups = new RateLimiter(writesPerIp * LOOKUPS_PER_WRITE, windowMs, shared, 'similar');

  app.get(
    '/v1/sites/:site/incidents/:incident/workarounds/similar',
    {
      schema: {
        operationId: 'similarWorkarounds',
        summary:
          'Published workarounds of the incident that look like `q` (title and steps typed so far), best first (cacheable).',
        params: IncidentParams,
        querystring: S.SimilarWorkaroundsQuery,
        response: { 200: S.SimilarWorkarounds, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { site } = request;
      const { incident } = request.params;
      const { q } = request.query;
      const limit = request.query.limit ?? 3;
      const key = ['similar', incident, limit, q].join('\u0000');
      // Comparing is the costly part: a lookup not in memory counts against the caller's limit
      // first. Its RateLimit headers are the caller's own, not for a shared cache.
      if (!snapshots.has(site.id, key)) {
        await lookups.hit(`ip:${clientKey(request.ip)}`, reply);
        for (const header of RATE_LIMIT_HEADERS) reply.removeHeader(header);
      }
      return snapshots.serve(
        request,
        reply,
        site.id,
        key,
        { cacheControl: CACHE_SNAPSHOT },
        async (): Promise<SimilarWorkarounds> => {
          if (!(await store.getIncident(site.id, incident))) throw problems.notFound('Incident');
          const candidates = await store.listWorkarounds(site.id, incident, MAX_CANDIDATES);
          const found = findSimilar(q, candidates, { limit });
          return {
            incidentId: incident,
            results: found.map((f) => ({ post: f.item, score: f.score })),
          };
        },
      );
    },
  );

  app.post(
    '/v1/sites/:site/posts/:post/merge',
    {
      schema: {
        operationId: 'mergePost',
        summary:
          'Staff: hides a duplicate (state hidden, mergedInto) and moves its confirmations to `into` (one per member). Writes a `merge` audit entry. 409 for a post still waiting for review (approve or reject it first).',
        params: PostParams,
        headers: AuthHeaders,
        body: S.MergePostRequest,
        response: { 200: S.MergePostResult, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request): Promise<MergePostResult> => {
      const actor = await staffOf(request);
      const { site } = request;
      const outcome = await store.mergePost(
        site.id,
        request.params.post,
        request.body.into,
        undefined,
        { actor: auditActor(actor), reason: null },
      );
      switch (outcome.kind) {
        case 'merged':
          hub.publish({ site: site.id, seq: outcome.seq });
          return { merged: outcome.merged, into: outcome.into };
        case 'post_not_found':
          if (outcome.which === 'into')
            throw new ProblemError(404, 'not_found', 'Post to merge into not found.', [
              { field: 'into', message: 'No post with this id on this site.' },
            ]);
          throw problems.notFound('Post');
        case 'already_hidden':
          throw new ProblemError(409, 'conflict', 'This post is already hidden or merged.');
        case 'pending':
          throw new ProblemError(
            409,
            'conflict',
            'This post is waiting for review and was never published: approve or reject it in the moderation queue before merging it.',
          );
        case 'invalid':
          throw problems.field('into', outcome.message, 422);
      }
    },
  );
};
