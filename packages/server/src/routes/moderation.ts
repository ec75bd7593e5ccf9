/**
 * The moderation API (staff: a staff/moderator session or the admin key; ADR 0010):
 * - `GET …/moderation/queue?queue=pending|flagged` — posts waiting for review, with reasons;
 * - `POST …/moderation/posts/:post` `{action, reason}` — approve, reject, hide, restore, remove,
 *   verify, unverify, pin, unpin → `{post, entry}`;
 * - `POST …/moderation/incidents/:incident` `{action, reason}` — lock, unlock → `{incident, entry}`;
 * - `POST …/moderation/members/:member` `{action, reason, hours?}` — ban, unban → `{entry}`;
 * - `PUT …/moderation/slow-mode` `{seconds, reason}` → `{policy, entry}`;
 * - `GET …/moderation/audit?cursor=` — the audit log, newest first;
 * - `GET …/moderation/policy` — the site's policy (read only; the admin API changes it).
 *
 * Every action is one store transaction (change, audit row, staff and public events); the hub
 * hears of it after commit. The staff stream is in ./stream.ts.
 */
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { AuditPage, ModerationQueue, SitePolicy } from '@lifeboat/protocol';
import type { StaffActor } from '../auth/staff.js';
import { staffOf, staffOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import type { AuditActor } from '../store/store.js';
import {
  AuthHeaders,
  IncidentParams,
  PostParams,
  SiteParams,
  problemResponses,
} from './schemas.js';

export const MemberParams = Type.Object({
  site: Type.String({ maxLength: 100 }),
  member: Type.String({ maxLength: 64 }),
});

/** The audit log's name for a staff actor. */
export function auditActor(actor: StaffActor): AuditActor {
  return actor.kind === 'admin'
    ? { kind: 'admin', id: null, displayName: 'Admin' }
    : { kind: 'member', id: actor.member.id, displayName: actor.member.displayName };
}

const reasonOf = (reason: string | null | undefined) => {
  const r = reason?.trim();
  return r ? r : null;
};

export const moderationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, hub } = app.lifeboat;
  /** The staff actor `staffOnly` resolved before parsing (nothing about a body is revealed). */
  const actorOf = async (request: FastifyRequest) => auditActor(await staffOf(request));

  app.get(
    '/v1/sites/:site/moderation/queue',
    {
      schema: {
        operationId: 'moderationQueue',
        summary:
          'Staff: posts waiting for review (`pending`, oldest first) or flagged by members (`flagged`, most flagged first), with reasons, flags and author standing.',
        params: SiteParams,
        headers: AuthHeaders,
        querystring: S.ModerationQueueQuery,
        response: { 200: S.ModerationQueue, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request, reply): Promise<ModerationQueue> => {
      const { site } = request;
      reply.header('Cache-Control', CACHE_PRIVATE);
      return store.moderationQueue(
        site.id,
        request.query.queue ?? 'pending',
        request.query.limit ?? 200,
      );
    },
  );

  app.post(
    '/v1/sites/:site/moderation/posts/:post',
    {
      schema: {
        operationId: 'moderatePost',
        summary:
          'Staff: approve, reject, hide, restore, remove, verify, unverify, pin or unpin a post. Writes the audit entry and the events open pages need (approval: post.created).',
        params: PostParams,
        headers: AuthHeaders,
        body: S.PostModerationRequest,
        response: { 200: S.PostModerationResult, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { site } = request;
      const outcome = await store.moderatePost(
        site.id,
        request.params.post,
        request.body.action,
        await actorOf(request),
        reasonOf(request.body.reason),
      );
      switch (outcome.kind) {
        case 'post_not_found':
          throw problems.notFound('Post');
        case 'conflict':
          throw new ProblemError(409, 'conflict', outcome.message);
        case 'ok':
          hub.publish({ site: site.id, seq: outcome.seq });
          return { post: outcome.post, entry: outcome.entry };
      }
    },
  );

  app.post(
    '/v1/sites/:site/moderation/incidents/:incident',
    {
      schema: {
        operationId: 'moderateIncident',
        summary:
          "Staff: lock or unlock an incident's thread (incident.updated with the new threadState).",
        params: IncidentParams,
        headers: AuthHeaders,
        body: S.IncidentModerationRequest,
        response: { 200: S.IncidentModerationResult, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { site } = request;
      const outcome = await store.moderateIncident(
        site.id,
        request.params.incident,
        request.body.action,
        await actorOf(request),
        reasonOf(request.body.reason),
      );
      switch (outcome.kind) {
        case 'incident_not_found':
          throw problems.notFound('Incident');
        case 'conflict':
          throw new ProblemError(409, 'conflict', outcome.message);
        case 'ok':
          hub.publish({ site: site.id, seq: outcome.seq });
          return { incident: outcome.incident, entry: outcome.entry };
      }
    },
  );

  app.post(
    '/v1/sites/:site/moderation/members/:member',
    {
      schema: {
        operationId: 'moderateMember',
        summary:
          'Staff: ban a member on this site (and their guest fingerprint; `hours` for a temporary ban) or lift the ban.',
        params: MemberParams,
        headers: AuthHeaders,
        body: S.MemberModerationRequest,
        response: { 200: S.MemberModerationResult, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { site } = request;
      const outcome = await store.moderateMember(
        site.id,
        request.params.member,
        request.body.action,
        await actorOf(request),
        reasonOf(request.body.reason),
        request.body.action === 'ban' ? (request.body.hours ?? null) : null,
      );
      switch (outcome.kind) {
        case 'member_not_found':
          throw problems.notFound('Member');
        case 'conflict':
          throw new ProblemError(409, 'conflict', outcome.message);
        case 'ok':
          hub.publish({ site: site.id, seq: outcome.seq });
          return { entry: outcome.entry };
      }
    },
  );

  app.put(
    '/v1/sites/:site/moderation/slow-mode',
    {
      schema: {
        operationId: 'setSlowMode',
        summary:
          'Staff: one post per member per `seconds` (0 switches slow mode off); staff are exempt.',
        params: SiteParams,
        headers: AuthHeaders,
        body: S.SlowModeRequest,
        response: { 200: S.PolicyResult, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request) => {
      const { site } = request;
      const current = await store.getSitePolicy(site.id);
      const { seconds } = request.body;
      const outcome = await store.setSitePolicy(
        site.id,
        { ...current, slowModeSeconds: seconds },
        {
          action: 'slow_mode',
          actor: await actorOf(request),
          reason: reasonOf(request.body.reason),
          detail: { seconds, from: current.slowModeSeconds },
        },
      );
      hub.publish({ site: site.id, seq: outcome.seq });
      return { policy: outcome.policy, entry: outcome.entry };
    },
  );

  app.get(
    '/v1/sites/:site/moderation/audit',
    {
      schema: {
        operationId: 'moderationAudit',
        summary:
          'Staff: the audit log of the site, newest first (who, what, when, why); `nextCursor` pages back.',
        params: SiteParams,
        headers: AuthHeaders,
        querystring: S.AuditQuery,
        response: { 200: S.AuditPage, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request, reply): Promise<AuditPage> => {
      reply.header('Cache-Control', CACHE_PRIVATE);
      return store.auditPage(
        request.site.id,
        request.query.cursor ?? null,
        request.query.limit ?? 50,
      );
    },
  );

  app.get(
    '/v1/sites/:site/moderation/policy',
    {
      schema: {
        operationId: 'moderationPolicy',
        summary: "Staff: the site's moderation policy (change it with the admin API).",
        params: SiteParams,
        headers: AuthHeaders,
        response: { 200: S.SitePolicy, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request, reply): Promise<SitePolicy> => {
      reply.header('Cache-Control', CACHE_PRIVATE);
      return store.getSitePolicy(request.site.id);
    },
  );
};
