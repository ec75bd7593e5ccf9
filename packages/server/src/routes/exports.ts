/**
 * Staff exports of a thread (issue 15, docs/exports.md):
 * `GET …/incidents/:incident/export?format=json|csv&table=posts|workarounds|report`.
 * JSON is one document (the incident, every post, the workarounds with their fields, the report
 * once the incident is resolved); CSV is one table. Both are streamed: the store is read a page
 * at a time after a cursor and each page is written to the response when the client has taken the
 * one before (a Node stream's backpressure), so a thread of any size costs one page of memory.
 */
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { staffOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import { StoreDb } from '../store/db.js';
import { exportPostPage } from '../store/sql-export.js';
import { SqlStore } from '../store/sql-store.js';
import { csvExport, jsonExport, type ExportTable, type PageReader } from './export-format.js';
import { AuthHeaders, IncidentParams, problemResponses } from './schemas.js';

/** Posts read per page. */
export const EXPORT_PAGE = 200;

export const ExportQuery = Type.Object({
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  table: Type.Optional(
    Type.Union([Type.Literal('posts'), Type.Literal('workarounds'), Type.Literal('report')], {
      description: 'CSV only: which table (default posts).',
    }),
  ),
});

/** A file name part: letters, digits, `-` and `_` only (no quotes, no path, no header tricks). */
const safeName = (text: string) =>
  text
    .replace(/[^A-Za-z0-9_-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80) || 'incident';

export const exportRoutes: FastifyPluginAsyncTypebox<{ pageSize?: number }> = async (
  app,
  options,
) => {
  const { store } = app.lifeboat;
  const pageSize = options.pageSize ?? EXPORT_PAGE;
  const db = store instanceof SqlStore ? new StoreDb(store.driver, 1) : null;

  app.get(
    '/v1/sites/:site/incidents/:incident/export',
    {
      schema: {
        operationId: 'exportThread',
        summary:
          "Staff: the thread of an incident, streamed. `format=json` (default): the incident, every post (kind, status, author as shown, confirmations, body), the workarounds with their fields, and the report once the incident is resolved. `format=csv`: one table, `table=posts` (default), `workarounds` or `report`; cells a spreadsheet would run as formulas start with `'`.",
        params: IncidentParams,
        headers: AuthHeaders,
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The export (Content-Disposition: attachment)',
            content: {
              'application/json': { schema: Type.Object({}, { additionalProperties: true }) },
              'text/csv': { schema: Type.String() },
            },
          },
          ...problemResponses,
        },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const { site } = request;
      if (!db) throw problems.notFound('Export');
      const incident = await store.getIncident(site.id, request.params.incident);
      if (!incident) throw problems.notFound('Incident');
      const format = request.query.format ?? 'json';
      const table: ExportTable = request.query.table ?? 'posts';
      if (format === 'json' && request.query.table)
        throw problems.field('table', 'A table is chosen for CSV only (format=csv).');
      if (table === 'report' && !incident.resolvedAt)
        throw new ProblemError(
          404,
          'not_found',
          'The report is exported once the incident is resolved (GET …/report has it so far).',
        );
      const pages: PageReader = (after, kind) =>
        exportPostPage(db, site.id, incident.id, after, pageSize, kind);
      const report = async () =>
        incident.resolvedAt
          ? store.incidentReport(site.id, incident.id, { now: Date.now() })
          : null;
      const base = `lifeboat-${safeName(site.slug)}-${safeName(incident.id)}`;
      const source =
        format === 'csv'
          ? csvExport({ table, pages, report })
          : jsonExport({ site: site.slug, incident, pages, report });
      reply
        .header('Cache-Control', CACHE_PRIVATE)
        .header('X-Content-Type-Options', 'nosniff')
        .header(
          'Content-Disposition',
          `attachment; filename="${base}-${format === 'csv' ? table : 'thread'}.${format}"`,
        )
        .type(
          format === 'csv'
            ? 'text/csv; charset=utf-8; header=present'
            : 'application/json; charset=utf-8',
        );
      request.log.info(
        { site: site.slug, incident: incident.id, format, table: format === 'csv' ? table : null },
        'thread export',
      );
      // Bytes, not objects: the stream holds about one page ahead of the socket.
      return reply.send(Readable.from(source, { objectMode: false, highWaterMark: 16 * 1024 }));
    },
  );
};
