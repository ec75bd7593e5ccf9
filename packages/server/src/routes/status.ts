/**
 * The public reads of a site — status, incidents, one incident, thread pages — served as cached
 * snapshots (http/snapshot-cache.ts), and the member's own state on an incident (private).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import { LIMITS, type ThreadPage, type ThreadSort } from '@lifeboat/protocol';
import { memberOf, memberOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE, CACHE_SNAPSHOT } from '../http/cache.js';
import { problems } from '../http/problem.js';
import type { SnapshotCache } from '../http/snapshot-cache.js';
import { buildSiteStatus } from '../services/status.js';
import type { ThreadOrderKey } from '../store/store.js';
import {
  AuthHeaders,
  IncidentListQuery,
  IncidentParams,
  SiteParams,
  problemResponses,
} from './schemas.js';

/**
 * A status snapshot also depends on what writes no event (components and freshness of an upstream
 * page, polled in the background): it lives this long at most.
 */
export const STATUS_TTL_MS = 2000;

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

export const statusRoutes: FastifyPluginAsyncTypebox<{ snapshots: SnapshotCache }> = async (
  app,
  { snapshots },
) => {
  const { store, config } = app.lifeboat;
  const snapshot = { cacheControl: CACHE_SNAPSHOT };

  app.get(
    '/v1/sites/:site/status',
    {
      schema: {
        operationId: 'getStatus',
        summary: 'Overall status with open incidents (cacheable).',
        params: SiteParams,
        response: { 200: S.SiteStatus, ...problemResponses },
      },
    },
    (request, reply) => {
      const { site } = request;
      return snapshots.serve(
        request,
        reply,
        site.id,
        'status',
        { ...snapshot, ttlMs: STATUS_TTL_MS },
        () => buildSiteStatus(store, site, { defaultPollIntervalMs: config.pollIntervalMs }),
      );
    },
  );

  app.get(
    '/v1/sites/:site/incidents',
    {
      schema: {
        operationId: 'listIncidents',
        summary: 'Incidents, open only (default) or all recent ones (cacheable).',
        params: SiteParams,
        querystring: IncidentListQuery,
        response: { 200: S.IncidentList, ...problemResponses },
      },
    },
    (request, reply) => {
      const { site } = request;
      const state = request.query.state ?? 'open';
      return snapshots.serve(
        request,
        reply,
        site.id,
        `incidents\u0000${state}`,
        snapshot,
        async () => ({
          incidents: await store.listIncidents(site.id, state),
        }),
      );
    },
  );

  app.get(
    '/v1/sites/:site/incidents/:incident',
    {
      schema: {
        operationId: 'getIncident',
        summary: 'One incident with its official updates, newest first (cacheable).',
        params: IncidentParams,
        response: { 200: S.Incident, ...problemResponses },
      },
    },
    (request, reply) => {
      const { site } = request;
      const { incident } = request.params;
      return snapshots.serve(
        request,
        reply,
        site.id,
        `incident\u0000${incident}`,
        snapshot,
        async () => {
          const found = await store.getIncident(site.id, incident);
          if (!found) throw problems.notFound('Incident');
          return found;
        },
      );
    },
  );

  app.get(
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
    (request, reply) => {
      const { site } = request;
      const { incident } = request.params;
      const { sort, cursor } = request.query;
      const limit = request.query.limit ?? LIMITS.threadPage.default;
      const key = ['thread', incident, sort ?? '', cursor ?? '', limit].join('\u0000');
      // `lastEventId` is the sequence the page was built at: the stream resumes from it.
      return snapshots.serve(
        request,
        reply,
        site.id,
        key,
        // Pages after the first: one per cursor, so only those asked for twice are held.
        cursor ? { ...snapshot, admitOnRepeat: true } : snapshot,
        async (seq): Promise<ThreadPage> => {
          if (sort) {
            // Keyset pages in the reader's order (store/sql-thread-order.ts).
            const after = decodeOrderCursor(sort, cursor);
            const slice = await store.threadOrderSlice(site.id, incident, sort, after, limit);
            if (!slice) throw problems.notFound('Incident');
            return {
              incidentId: incident,
              threadState: slice.threadState,
              posts: slice.posts,
              nextCursor: slice.lastKeyWhenMore
                ? encodeOrderCursor(sort, slice.lastKeyWhenMore)
                : null,
              lastEventId: seq,
            };
          }
          const slice = await store.threadSlice(site.id, incident, decodeCursor(cursor), limit);
          if (!slice) throw problems.notFound('Incident');
          return {
            incidentId: incident,
            threadState: slice.threadState,
            posts: slice.posts,
            nextCursor: slice.lastIdWhenMore ? encodeCursor(slice.lastIdWhenMore) : null,
            lastEventId: seq,
          };
        },
      );
    },
  );

  app.get(
    '/v1/sites/:site/incidents/:incident/me',
    {
      schema: {
        operationId: 'getMyIncidentState',
        summary: "The current member's affected flag and reactions on an incident.",
        params: IncidentParams,
        headers: AuthHeaders,
        response: { 200: S.MemberIncidentState, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply) => {
      const member = await memberOf(request);
      reply.header('Cache-Control', CACHE_PRIVATE);
      const state = await store.memberIncidentState(
        request.site.id,
        request.params.incident,
        member.id,
      );
      if (!state) throw problems.notFound('Incident');
      return state;
    },
  );
};
