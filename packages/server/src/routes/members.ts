/**
 * The member's own data: profile, export (everything stored about them) and erasure.
 * `DELETE …/members/me` tombstones their posts, removes their confirmations, reports and flags
 * (counts recomputed), blanks the profile and ends their sessions, in one transaction.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { MemberProfile } from '@lifeboat/protocol';
import { memberOf, memberOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { problems } from '../http/problem.js';
import { memberSummary } from '../store/store.js';
import { AuthHeaders, SiteParams, problemResponses } from './schemas.js';

export const memberRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, hub } = app.lifeboat;

  app.get(
    '/v1/sites/:site/members/me',
    {
      schema: {
        operationId: 'getMyProfile',
        summary: "The signed-in member's profile (kind, role, badges, external id).",
        params: SiteParams,
        headers: AuthHeaders,
        response: { 200: S.MemberProfile, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply): Promise<MemberProfile> => {
      const member = await memberOf(request);
      reply.header('Cache-Control', CACHE_PRIVATE);
      return {
        ...memberSummary(member),
        kind: member.kind,
        createdAt: member.createdAt,
        externalId: member.externalId ?? null,
      };
    },
  );

  app.get(
    '/v1/sites/:site/members/me/export',
    {
      schema: {
        operationId: 'exportMyData',
        summary:
          'Everything stored about the signed-in member: profile, posts (every state), confirmations, reports, flags.',
        params: SiteParams,
        headers: AuthHeaders,
        response: { 200: S.MemberExport, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply) => {
      const member = await memberOf(request);
      const data = await store.exportMember(request.site.id, member.id);
      if (!data) throw problems.unauthorized();
      reply
        .header('Cache-Control', CACHE_PRIVATE)
        .header(
          'Content-Disposition',
          `attachment; filename="lifeboat-${request.site.slug}-${member.id}.json"`,
        );
      return data;
    },
  );

  app.delete(
    '/v1/sites/:site/members/me',
    {
      schema: {
        operationId: 'deleteMyData',
        summary:
          "Erases the signed-in member's data: posts become tombstones, confirmations, reports and flags are removed, the name is replaced; the session ends.",
        params: SiteParams,
        headers: AuthHeaders,
        response: { 204: { type: 'null', description: 'Erased.' }, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply) => {
      const member = await memberOf(request);
      const { site } = request;
      const outcome = await store.eraseMember(site.id, member.id);
      if (!outcome) throw problems.unauthorized();
      const last = outcome.seqs.at(-1);
      if (last !== undefined) hub.publish({ site: site.id, seq: last });
      request.log.info(
        { site: site.slug, member: member.id, ...outcome, seqs: outcome.seqs.length },
        'member erased',
      );
      return reply.code(204).header('Cache-Control', CACHE_PRIVATE).send();
    },
  );
};
