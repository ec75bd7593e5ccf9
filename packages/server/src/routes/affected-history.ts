/** GET /v1/sites/:site/incidents/:incident/affected/history: reports per window, for a sparkline. */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { AffectedHistory } from '@lifeboat/protocol';
import { CACHE_REVALIDATE, hashEtag, replyCached } from '../http/cache.js';
import { problems } from '../http/problem.js';
import { IncidentParams, problemResponses } from './schemas.js';

/** Windows per hour: 15-minute buckets make a readable 24-point line over 6 hours. */
const BUCKETS_PER_HOUR = 4;

export async function affectedHistoryRoutes(app: FastifyInstance): Promise<void> {
  const { store } = app.lifeboat;

  app.get<{
    Params: Static<typeof IncidentParams>;
    Querystring: Static<typeof S.AffectedHistoryQuery>;
  }>(
    '/v1/sites/:site/incidents/:incident/affected/history',
    {
      schema: {
        operationId: 'getAffectedHistory',
        summary:
          '"Affected me too" reports per 15 minutes over the last hours (ETag, revalidated).',
        params: IncidentParams,
        querystring: S.AffectedHistoryQuery,
        response: { 200: S.AffectedHistory, ...problemResponses },
      },
    },
    async (request, reply) => {
      const hours = request.query.hours ?? 6;
      const bucketMinutes = 60 / BUCKETS_PER_HOUR;
      const { incident } = request.params;
      const buckets = await store.affectedHistory(
        request.site!.id,
        incident,
        bucketMinutes,
        hours * BUCKETS_PER_HOUR,
      );
      if (!buckets) throw problems.notFound('Incident');
      const body: AffectedHistory = { incidentId: incident, bucketMinutes, buckets };
      if (replyCached(request, reply, hashEtag(body), CACHE_REVALIDATE)) return reply;
      return body;
    },
  );
}
