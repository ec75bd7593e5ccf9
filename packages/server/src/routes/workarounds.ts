/**
 * Workarounds beyond posting them:
 * - `GET …/incidents/:incident/workarounds/similar?q=` — existing workarounds that look like the
 *   text being typed (character-trigram Jaccard, see ../similarity/similarity.ts);
 * - `POST …/posts/:post/merge` `{ into }` — staff merge a duplicate into another post.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { MergePostResult, SimilarWorkarounds } from '@lifeboat/protocol';
import { requireStaff } from '../auth/staff.js';
import { auditActor } from './moderation.js';
import { ProblemError, problems } from '../http/problem.js';
import { findSimilar } from '../similarity/similarity.js';
import { AuthHeaders, IncidentParams, PostParams, problemResponses } from './schemas.js';

/** Workarounds compared per request (an incident with more keeps the oldest ones). */
const MAX_CANDIDATES = 500;

export async function workaroundRoutes(app: FastifyInstance): Promise<void> {
  const { store, hub } = app.lifeboat;

  app.get<{
    Params: Static<typeof IncidentParams>;
    Querystring: Static<typeof S.SimilarWorkaroundsQuery>;
  }>(
    '/v1/sites/:site/incidents/:incident/workarounds/similar',
    {
      schema: {
        operationId: 'similarWorkarounds',
        summary:
          'Published workarounds of the incident that look like `q` (title and steps typed so far), best first.',
        params: IncidentParams,
        querystring: S.SimilarWorkaroundsQuery,
        response: { 200: S.SimilarWorkarounds, ...problemResponses },
      },
    },
    async (request, reply): Promise<SimilarWorkarounds> => {
      const site = request.site!;
      const { incident } = request.params;
      if (!(await store.getIncident(site.id, incident))) throw problems.notFound('Incident');
      const candidates = await store.listWorkarounds(site.id, incident, MAX_CANDIDATES);
      const found = findSimilar(request.query.q, candidates, { limit: request.query.limit ?? 3 });
      reply.header('Cache-Control', 'public, max-age=5');
      return {
        incidentId: incident,
        results: found.map((f) => ({ post: f.item, score: f.score })),
      };
    },
  );

  app.post<{ Params: Static<typeof PostParams>; Body: Static<typeof S.MergePostRequest> }>(
    '/v1/sites/:site/posts/:post/merge',
    {
      schema: {
        operationId: 'mergePost',
        summary:
          'Staff: hides a duplicate (state hidden, mergedInto) and moves its confirmations to `into` (one per member). Writes a `merge` audit entry.',
        params: PostParams,
        headers: AuthHeaders,
        body: S.MergePostRequest,
        response: { 200: S.MergePostResult, ...problemResponses },
      },
    },
    async (request): Promise<MergePostResult> => {
      const actor = await requireStaff(request);
      const site = request.site!;
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
        case 'invalid':
          throw problems.field('into', outcome.message, 422);
      }
    },
  );
}
