/** GET /v1/sites/:site/incidents/:incident/affected/history: reports per window, for a sparkline. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { AffectedHistory } from '@lifeboat/protocol';
import { CACHE_SNAPSHOT } from '../http/cache.js';
import { problems } from '../http/problem.js';
import type { SnapshotCache } from '../http/snapshot-cache.js';
import { IncidentParams, problemResponses } from './schemas.js';

/** Windows per hour: 15-minute buckets make a readable 24-point line over 6 hours. */
const BUCKETS_PER_HOUR = 4;
const BUCKET_MINUTES = 60 / BUCKETS_PER_HOUR;

export const affectedHistoryRoutes: FastifyPluginAsyncTypebox<{
  snapshots: SnapshotCache;
}> = async (app, { snapshots }) => {
  const { store } = app.lifeboat;

  app.get(
    '/v1/sites/:site/incidents/:incident/affected/history',
    {
      schema: {
        operationId: 'getAffectedHistory',
        summary: '"Affected me too" reports per 15 minutes over the last hours (cacheable).',
        params: IncidentParams,
        querystring: S.AffectedHistoryQuery,
        response: { 200: S.AffectedHistory, ...problemResponses },
      },
    },
    (request, reply) => {
      const { site } = request;
      const { incident } = request.params;
      const hours = request.query.hours ?? 6;
      // The buckets move on at the end of the current one (edges fall on whole bucket lengths).
      const size = BUCKET_MINUTES * 60_000;
      const now = Date.now();
      const ttlMs = Math.max(1, Math.ceil(now / size) * size - now);
      return snapshots.serve(
        request,
        reply,
        site.id,
        `affected-history\u0000${incident}\u0000${hours}`,
        { cacheControl: CACHE_SNAPSHOT, ttlMs },
        async (): Promise<AffectedHistory> => {
          const buckets = await store.affectedHistory(
            site.id,
            incident,
            BUCKET_MINUTES,
            hours * BUCKETS_PER_HOUR,
          );
          if (!buckets) throw problems.notFound('Incident');
          return { incidentId: incident, bucketMinutes: BUCKET_MINUTES, buckets };
        },
      );
    },
  );
};
