/** Confirmations ("worked for me" / "didn't work") and "affected me too": one per member. */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { AffectedResult, ReactionKind, ReactionResult } from '@lifeboat/protocol';
import { requireMember } from '../auth/member.js';
import { refuseBanned } from '../moderation/standing.js';
import { problems } from '../http/problem.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AuthHeaders, IncidentParams, PostParams, problemResponses } from './schemas.js';

export async function reactionRoutes(app: FastifyInstance): Promise<void> {
  const { store, hub } = app.lifeboat;

  const react = async (
    request: FastifyRequest<{ Params: Static<typeof PostParams> }>,
    kind: ReactionKind | null,
  ): Promise<ReactionResult> => {
    const member = await requireMember(request);
    const site = request.site!;
    await refuseBanned(store, site.id, member);
    const outcome = await store.setReaction(site.id, request.params.post, member.id, kind);
    if (outcome.kind === 'post_not_found') throw problems.notFound('Post');
    if (outcome.seq !== null) hub.publish({ site: site.id, seq: outcome.seq });
    return { postId: outcome.postId, reaction: outcome.reaction, counts: outcome.counts };
  };

  const reactionSchema = (
    operationId: string,
    summary: string,
    body?: typeof S.SetReactionRequest,
  ) => ({
    operationId,
    summary,
    params: PostParams,
    headers: AuthHeaders,
    ...(body ? { body } : {}),
    response: { 200: S.ReactionResult, ...problemResponses },
  });

  app.put<{ Params: Static<typeof PostParams>; Body: Static<typeof S.SetReactionRequest> }>(
    '/v1/sites/:site/posts/:post/reaction',
    {
      schema: reactionSchema(
        'setReaction',
        "Sets the member's confirmation on a post (repeating is a no-op; switching moves the count).",
        S.SetReactionRequest,
      ),
    },
    (request) => react(request, request.body.kind),
  );

  app.delete<{ Params: Static<typeof PostParams> }>(
    '/v1/sites/:site/posts/:post/reaction',
    {
      schema: reactionSchema('clearReaction', "Removes the member's confirmation on a post."),
    },
    (request) => react(request, null),
  );

  const affect = async (
    request: FastifyRequest<{ Params: Static<typeof IncidentParams> }>,
    reply: FastifyReply,
    affected: boolean,
  ): Promise<AffectedResult> => {
    const member = await requireMember(request);
    const site = request.site!;
    await refuseBanned(store, site.id, member);
    const { incident } = request.params;
    const outcome = await store.setAffected(site.id, incident, member.id, affected);
    if (outcome.kind === 'incident_not_found') throw problems.notFound('Incident');
    if (outcome.seq !== null) hub.publish({ site: site.id, seq: outcome.seq });
    reply.header('Cache-Control', 'private, no-store');
    return { incidentId: incident, affected: outcome.affected, count: outcome.count };
  };

  const affectedSchema = (operationId: string, summary: string) => ({
    operationId,
    summary,
    params: IncidentParams,
    headers: AuthHeaders,
    response: { 200: S.AffectedResult, ...problemResponses },
  });

  app.put<{ Params: Static<typeof IncidentParams> }>(
    '/v1/sites/:site/incidents/:incident/affected',
    {
      schema: affectedSchema('setAffected', 'Says "affected me too" (once per member).'),
    },
    (request, reply) => affect(request, reply, true),
  );

  app.delete<{ Params: Static<typeof IncidentParams> }>(
    '/v1/sites/:site/incidents/:incident/affected',
    {
      schema: affectedSchema('clearAffected', 'Takes back "affected me too".'),
    },
    (request, reply) => affect(request, reply, false),
  );
}
