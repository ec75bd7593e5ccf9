/**
 * GET /healthz (liveness: the process answers), GET /readyz (readiness: the database answers too,
 * within `READY_TIMEOUT_MS`; a load balancer sends visitors elsewhere while it does not) and
 * GET /v1/openapi.json.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { sharedSchemas } from '@lifeboat/protocol/schemas';
import { buildOpenApi, type collectRoutes } from '../http/openapi.js';
import { ProblemError } from '../http/problem.js';
import { Health } from './schemas.js';

/** The server package's version (the four packages share one: docs/releasing.md). */
export const VERSION = (
  JSON.parse(
    readFileSync(fileURLToPath(import.meta.resolve('@lifeboat/server/package.json')), 'utf8'),
  ) as { version: string }
).version;

/** How long /readyz waits for the database before it answers 503. */
export const READY_TIMEOUT_MS = 2000;

export function metaRoutes(routes: ReturnType<typeof collectRoutes>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/healthz',
      { schema: { operationId: 'health', summary: 'Liveness.', response: { 200: Health } } },
      async () => ({ ok: true }),
    );

    app.get(
      '/readyz',
      {
        schema: {
          operationId: 'ready',
          summary:
            'Readiness: 200 when the database answers within 2 s, else 503 problem+json (the process may be alive but should get no traffic).',
          response: { 200: Health },
        },
      },
      async (_request, reply) => {
        reply.header('Cache-Control', 'no-store');
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), READY_TIMEOUT_MS);
        });
        try {
          await Promise.race([app.lifeboat.store.ping(), timeout]);
        } catch {
          throw new ProblemError(503, 'internal', 'The database does not answer.');
        } finally {
          clearTimeout(timer);
        }
        return { ok: true };
      },
    );

    let doc: unknown = null;
    app.get('/v1/openapi.json', async (_request, reply) => {
      doc ??= buildOpenApi(routes, sharedSchemas, VERSION);
      reply
        .header('Access-Control-Allow-Origin', '*')
        .header('Cache-Control', 'public, max-age=300');
      return doc;
    });
  };
}
