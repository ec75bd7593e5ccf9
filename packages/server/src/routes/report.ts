/**
 * Staff reports (issue 12, docs/insights.md):
 * - `GET …/incidents/:incident/report` — the post-incident report, as JSON, CSV (`Accept:
 *   text/csv`) or a Markdown summary (`Accept: text/markdown`);
 * - `GET …/insights?days=30|90` — per-incident summaries of the site's recent incidents.
 * Both are computed from the stored rows on each request (never cached: `private, no-store`).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { IncidentReport, SiteInsights } from '@lifeboat/protocol';
import { staffOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { problems } from '../http/problem.js';
import { reportCsv, reportMarkdown } from './report-format.js';
import { AuthHeaders, IncidentParams, SiteParams, problemResponses } from './schemas.js';

type Format = 'json' | 'csv' | 'markdown';

/** The format the Accept header prefers (by q-value, then order); JSON when none is named. */
export function reportFormat(accept: string | undefined): Format {
  let best: { format: Format; q: number } = { format: 'json', q: -1 };
  for (const part of (accept ?? '').split(',')) {
    const [type = '', ...params] = part.trim().toLowerCase().split(';');
    const q = Number(params.find((p) => p.trim().startsWith('q='))?.split('=')[1] ?? 1);
    const format: Format | null =
      type === 'text/csv'
        ? 'csv'
        : type === 'text/markdown'
          ? 'markdown'
          : type === 'application/json' || type === '*/*' || type === 'application/*'
            ? 'json'
            : null;
    if (format && Number.isFinite(q) && q > 0 && q > best.q) best = { format, q };
  }
  return best.format;
}

const text = Type.String();

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store } = app.lifeboat;

  app.get(
    '/v1/sites/:site/incidents/:incident/report',
    {
      schema: {
        operationId: 'getIncidentReport',
        summary:
          'Staff: the post-incident report (participants, answers, confirmations, times to the first answer and verified fix, timeline, top workarounds, moderation). JSON, or CSV with `Accept: text/csv`, or a Markdown summary with `Accept: text/markdown`.',
        params: IncidentParams,
        headers: AuthHeaders,
        querystring: S.IncidentReportQuery,
        response: {
          200: {
            description: 'The report',
            content: {
              'application/json': { schema: S.IncidentReport },
              'text/csv': { schema: text },
              'text/markdown': { schema: text },
            },
          },
          ...problemResponses,
        },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const { site } = request;
      const report: IncidentReport | null = await store.incidentReport(
        site.id,
        request.params.incident,
        { now: Date.now(), bucketMinutes: request.query.bucketMinutes },
      );
      if (!report) throw problems.notFound('Incident');
      reply.header('Cache-Control', CACHE_PRIVATE).header('Vary', 'Accept');
      const format = reportFormat(request.headers.accept);
      const name = `lifeboat-report-${report.incident.id.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
      if (format === 'csv')
        return reply
          .type('text/csv; charset=utf-8; header=present')
          .header('Content-Disposition', `attachment; filename="${name}.csv"`)
          .send(reportCsv(report));
      if (format === 'markdown')
        return reply.type('text/markdown; charset=utf-8').send(reportMarkdown(report));
      return reply.type('application/json; charset=utf-8').send(report);
    },
  );

  app.get(
    '/v1/sites/:site/insights',
    {
      schema: {
        operationId: 'getSiteInsights',
        summary:
          "Staff: the site's incidents of the last 30 or 90 days, each with affected reports, answers, confirmations, time to the first peer answer and whether the community found a fix before staff moved.",
        params: SiteParams,
        headers: AuthHeaders,
        querystring: S.SiteInsightsQuery,
        response: { 200: S.SiteInsights, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request, reply): Promise<SiteInsights> => {
      reply.header('Cache-Control', CACHE_PRIVATE);
      return store.siteInsights(request.site.id, request.query.days ?? 30, Date.now());
    },
  );
};
