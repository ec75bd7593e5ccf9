/** Guest sessions: POST /v1/sites/:site/sessions and PATCH …/sessions/me (rename). */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import { issueSession, requireMember } from '../auth/member.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { problems } from '../http/problem.js';
import { AuthHeaders, SiteParams, problemResponses } from './schemas.js';

function displayName(raw: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (!name) throw problems.field('displayName', 'Choose a display name.');
  return name;
}

export async function sessionRoutes(app: FastifyInstance): Promise<void> {
  const { store, limits } = app.lifeboat;

  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof S.CreateSessionRequest> }>(
    '/v1/sites/:site/sessions',
    {
      schema: {
        operationId: 'createSession',
        summary: 'Starts a guest session; returns a signed token.',
        params: SiteParams,
        body: S.CreateSessionRequest,
        response: { 201: S.Session, ...problemResponses },
      },
    },
    async (request, reply) => {
      const name = displayName(request.body.displayName);
      limits.sessions.hit(`ip:${request.ip}`, reply);
      const site = request.site!;
      const member = await store.createMember({
        siteId: site.id,
        kind: 'guest',
        displayName: name,
        role: 'member',
      });
      reply.code(201).header('Cache-Control', CACHE_PRIVATE);
      return issueSession(request, site, member);
    },
  );

  app.patch<{ Params: Static<typeof SiteParams>; Body: Static<typeof S.CreateSessionRequest> }>(
    '/v1/sites/:site/sessions/me',
    {
      schema: {
        operationId: 'renameSession',
        summary: "Changes the member's display name; returns a fresh token for the same member.",
        params: SiteParams,
        headers: AuthHeaders,
        body: S.CreateSessionRequest,
        response: { 200: S.Session, ...problemResponses },
      },
    },
    async (request, reply) => {
      const member = await requireMember(request);
      const name = displayName(request.body.displayName);
      const site = request.site!;
      const renamed = await store.renameMember(site.id, member.id, name);
      if (!renamed) throw problems.unauthorized();
      reply.header('Cache-Control', CACHE_PRIVATE);
      return issueSession(request, site, renamed);
    },
  );
}
