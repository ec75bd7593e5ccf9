/** GET /v1/sites/:site/status and the incident reads. */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import { LIMITS, type ThreadPage, type ThreadSort } from '@lifeboat/protocol';
import { requireMember } from '../auth/member.js';
import {
  CACHE_PRIVATE,
  CACHE_REVALIDATE,
  CACHE_SNAPSHOT,
  hashEtag,
  replyCached,
  weakEtag,
} from '../http/cache.js';
import { problems } from '../http/problem.js';
import { buildSiteStatus } from '../services/status.js';
import type { ThreadOrderKey } from '../store/store.js';
import {
  AuthHeaders,
  IncidentListQuery,
  IncidentParams,
  SiteParams,
  problemResponses,
} from './schemas.js';

const CURSOR_ID = /^[0-9A-Za-z_-]{1,64}$/;

export function encodeCursor(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string | undefined): string | null {
  if (cursor === undefined || cursor === '') return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!CURSOR_ID.test(id) || encodeCursor(id) !== cursor)
    throw problems.field('cursor', 'This cursor is not valid.');
  return id;
}

/** A cursor of a sorted thread: the sort key of the last post, tagged with its order. */
function encodeOrderCursor(sort: ThreadSort, key: ThreadOrderKey): string {
  return Buffer.from(JSON.stringify([sort, ...key]), 'utf8').toString('base64url');
}

function decodeOrderCursor(sort: ThreadSort, cursor: string | undefined): ThreadOrderKey | null {
  if (cursor === undefined || cursor === '') return null;
  const invalid = () => problems.field('cursor', 'This cursor is not valid for this sort.');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const length = sort === 'helpful' ? 7 : 5;
  if (
    !Array.isArray(value) ||
    value[0] !== sort ||
    value.length !== length + 1 ||
    !value
      .slice(1)
      .every((v: unknown, i: number) =>
        i >= length - 2
          ? typeof v === 'string' && v.length <= 64
          : typeof v === 'number' && Number.isFinite(v),
      )
  )
    throw invalid();
  return value.slice(1) as ThreadOrderKey;
}

export async function statusRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.lifeboat;

  app.get<{ Params: Static<typeof SiteParams> }>(
    '/v1/sites/:site/status',
    {
      schema: {
        operationId: 'getStatus',
        summary: 'Overall status with open incidents (cacheable).',
        params: SiteParams,
        response: { 200: S.SiteStatus, ...problemResponses },
      },
    },
    async (request, reply) => {
      const status = await buildSiteStatus(store, request.site!, {
        defaultPollIntervalMs: app.lifeboat.config.pollIntervalMs,
      });
      if (replyCached(request, reply, hashEtag(status), CACHE_SNAPSHOT)) return reply;
      return status;
    },
  );

  app.get<{ Params: Static<typeof SiteParams>; Querystring: Static<typeof IncidentListQuery> }>(
    '/v1/sites/:site/incidents',
    {
      schema: {
        operationId: 'listIncidents',
        summary: 'Incidents, open only (default) or all recent ones.',
        params: SiteParams,
        querystring: IncidentListQuery,
        response: { 200: S.IncidentList, ...problemResponses },
      },
    },
    async (request, reply) => {
      const incidents = await store.listIncidents(request.site!.id, request.query.state ?? 'open');
      const body = { incidents };
      if (replyCached(request, reply, hashEtag(body), CACHE_SNAPSHOT)) return reply;
      return body;
    },
  );

  app.get<{ Params: Static<typeof IncidentParams> }>(
    '/v1/sites/:site/incidents/:incident',
    {
      schema: {
        operationId: 'getIncident',
        summary: 'One incident with its official updates (newest first).',
        params: IncidentParams,
        response: { 200: S.Incident, ...problemResponses },
      },
    },
    async (request, reply) => {
      const incident = await store.getIncident(request.site!.id, request.params.incident);
      if (!incident) throw problems.notFound('Incident');
      if (replyCached(request, reply, hashEtag(incident), CACHE_SNAPSHOT)) return reply;
      return incident;
    },
  );

  app.get<{ Params: Static<typeof IncidentParams>; Querystring: Static<typeof S.ThreadQuery> }>(
    '/v1/sites/:site/incidents/:incident/thread',
    {
      schema: {
        operationId: 'getThread',
        summary:
          'Published posts in cursor pages: oldest first, or with `sort` top-level posts in helpful or newest order, each with its replies (cacheable, member-independent).',
        params: IncidentParams,
        querystring: S.ThreadQuery,
        response: { 200: S.ThreadPage, ...problemResponses },
      },
    },
    async (request, reply) => {
      const site = request.site!;
      const { incident } = request.params;
      const limit = request.query.limit ?? LIMITS.threadPage.default;
      const { sort } = request.query;
      if (sort) {
        // Keyset pages in the reader's order (store/sqlite-thread-order.ts).
        const after = decodeOrderCursor(sort, request.query.cursor);
        const etag = weakEtag(site.eventSeq, incident, sort, request.query.cursor ?? '', limit);
        const slice = await store.threadOrderSlice(site.id, incident, sort, after, limit);
        if (!slice) throw problems.notFound('Incident');
        if (replyCached(request, reply, etag, CACHE_REVALIDATE)) return reply;
        const page: ThreadPage = {
          incidentId: incident,
          threadState: slice.threadState,
          posts: slice.posts,
          nextCursor: slice.lastKeyWhenMore ? encodeOrderCursor(sort, slice.lastKeyWhenMore) : null,
          lastEventId: site.eventSeq,
        };
        return page;
      }
      const after = decodeCursor(request.query.cursor);
      const etag = weakEtag(site.eventSeq, incident, request.query.cursor ?? '', limit);
      const slice = await store.threadSlice(site.id, incident, after, limit);
      if (!slice) throw problems.notFound('Incident');
      if (replyCached(request, reply, etag, CACHE_REVALIDATE)) return reply;
      const page: ThreadPage = {
        incidentId: incident,
        threadState: slice.threadState,
        posts: slice.posts,
        nextCursor: slice.lastIdWhenMore ? encodeCursor(slice.lastIdWhenMore) : null,
        lastEventId: site.eventSeq,
      };
      return page;
    },
  );

  app.get<{ Params: Static<typeof IncidentParams> }>(
    '/v1/sites/:site/incidents/:incident/me',
    {
      schema: {
        operationId: 'getMyIncidentState',
        summary: "The current member's affected flag and reactions on an incident.",
        params: IncidentParams,
        headers: AuthHeaders,
        response: { 200: S.MemberIncidentState, ...problemResponses },
      },
    },
    async (request, reply) => {
      const member = await requireMember(request);
      reply.header('Cache-Control', CACHE_PRIVATE);
      const state = await store.memberIncidentState(
        request.site!.id,
        request.params.incident,
        member.id,
      );
      if (!state) throw problems.notFound('Incident');
      return state;
    },
  );
}
