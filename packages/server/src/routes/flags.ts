/**
 * `POST /v1/sites/:site/posts/:post/flags` `{reason, note}` (member): one flag per member per post
 * (a repeat updates its reason); never on one's own post; rate-limited per member. At the site's
 * `flagThreshold` of distinct flaggers (a guest browser counts once) the post is hidden pending
 * review — unless staff wrote, verified or pinned it: member flags never hide those, they queue
 * them for staff (store/sql-moderation.ts `flagPost`, docs/moderation.md).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { FlagResult } from '@lifeboat/protocol';
import { memberOf, memberOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import { refuseBanned } from '../moderation/standing.js';
import { refuseArchived } from '../services/lifecycle.js';
import { AuthHeaders, PostParams, problemResponses } from './schemas.js';

export const flagRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, hub, limits } = app.lifeboat;

  app.post(
    '/v1/sites/:site/posts/:post/flags',
    {
      schema: {
        operationId: 'flagPost',
        summary:
          'Flags a published post for moderators (one flag per member; a repeat updates it; a guest browser counts once). At the site threshold the post is hidden pending review, unless staff wrote, verified or pinned it: then it stays up, queued for staff.',
        params: PostParams,
        headers: AuthHeaders,
        body: S.FlagRequest,
        response: { 200: S.FlagResult, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply): Promise<FlagResult> => {
      const member = await memberOf(request);
      const { site } = request;
      await refuseBanned(store, site.id, member);
      await refuseArchived(store, site.id, { postId: request.params.post });
      await limits.flags.hit(`member:${member.id}`, reply);
      const outcome = await store.flagPost(site.id, request.params.post, member.id, {
        reason: request.body.reason,
        note: request.body.note ?? null,
      });
      switch (outcome.kind) {
        case 'post_not_found':
          throw problems.notFound('Post');
        case 'own_post':
          throw new ProblemError(409, 'conflict', 'You cannot flag your own post.');
        case 'ok':
          hub.publish({ site: site.id, seq: outcome.seq });
          reply.header('Cache-Control', CACHE_PRIVATE);
          return { postId: outcome.postId, count: outcome.count, hidden: outcome.hidden };
      }
    },
  );
};
