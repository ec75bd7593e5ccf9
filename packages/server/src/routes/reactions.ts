/** Confirmations ("worked for me" / "didn't work") and "affected me too": one per member. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { AffectedResult, ReactionKind, ReactionResult } from '@lifeboat/protocol';
import { memberOf, memberOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { problems } from '../http/problem.js';
import { refuseBanned } from '../moderation/standing.js';
import { refuseArchived } from '../services/lifecycle.js';
import { AuthHeaders, IncidentParams, PostParams, problemResponses } from './schemas.js';

export const reactionRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, hub } = app.lifeboat;

  const react = async (
    request: FastifyRequest,
    postId: string,
    kind: ReactionKind | null,
  ): Promise<ReactionResult> => {
    const member = await memberOf(request);
    const { site } = request;
    await refuseBanned(store, site.id, member);
    await refuseArchived(store, site.id, { postId });
    const outcome = await store.setReaction(site.id, postId, member.id, kind);
    if (outcome.kind === 'post_not_found') throw problems.notFound('Post');
    if (outcome.seq !== null) hub.publish({ site: site.id, seq: outcome.seq });
    return { postId: outcome.postId, reaction: outcome.reaction, counts: outcome.counts };
  };

  const reactionSchema = (operationId: string, summary: string) => ({
    operationId,
    summary,
    params: PostParams,
    headers: AuthHeaders,
    response: { 200: S.ReactionResult, ...problemResponses },
  });

  app.put(
    '/v1/sites/:site/posts/:post/reaction',
    {
      schema: {
        ...reactionSchema(
          'setReaction',
          "Sets the member's confirmation on a post (repeating is a no-op; switching moves the count).",
        ),
        body: S.SetReactionRequest,
      },
      onRequest: memberOnly,
    },
    (request) => react(request, request.params.post, request.body.kind),
  );

  app.delete(
    '/v1/sites/:site/posts/:post/reaction',
    {
      schema: reactionSchema('clearReaction', "Removes the member's confirmation on a post."),
      onRequest: memberOnly,
    },
    (request) => react(request, request.params.post, null),
  );

  const affect = async (
    request: FastifyRequest,
    reply: FastifyReply,
    incident: string,
    affected: boolean,
  ): Promise<AffectedResult> => {
    const member = await memberOf(request);
    const { site } = request;
    await refuseBanned(store, site.id, member);
    await refuseArchived(store, site.id, { incidentId: incident });
    const outcome = await store.setAffected(site.id, incident, member.id, affected);
    if (outcome.kind === 'incident_not_found') throw problems.notFound('Incident');
    if (outcome.seq !== null) hub.publish({ site: site.id, seq: outcome.seq });
    reply.header('Cache-Control', CACHE_PRIVATE);
    return { incidentId: incident, affected: outcome.affected, count: outcome.count };
  };

  const affectedSchema = (operationId: string, summary: string) => ({
    operationId,
    summary,
    params: IncidentParams,
    headers: AuthHeaders,
    response: { 200: S.AffectedResult, ...problemResponses },
  });

  app.put(
    '/v1/sites/:site/incidents/:incident/affected',
    {
      schema: affectedSchema('setAffected', 'Says "affected me too" (once per member).'),
      onRequest: memberOnly,
    },
    (request, reply) => affect(request, reply, request.params.incident, true),
  );

  app.delete(
    '/v1/sites/:site/incidents/:incident/affected',
    {
      schema: affectedSchema('clearAffected', 'Takes back "affected me too".'),
      onRequest: memberOnly,
    },
    (request, reply) => affect(request, reply, request.params.incident, false),
  );
};
