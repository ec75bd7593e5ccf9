/** GET /healthz and GET /v1/openapi.json. */
import type { FastifyInstance } from 'fastify';
import { sharedSchemas } from '@lifeboat/protocol/schemas';
import { buildOpenApi, type collectRoutes } from '../http/openapi.js';
import { Health } from './schemas.js';

export function metaRoutes(routes: ReturnType<typeof collectRoutes>) {
  return async (app: FastifyInstance): Promise<void> => {
    app.get(
      '/healthz',
      { schema: { operationId: 'health', summary: 'Liveness.', response: { 200: Health } } },
      async () => ({ ok: true }),
    );

    let doc: unknown = null;
    app.get('/v1/openapi.json', async (_request, reply) => {
      doc ??= buildOpenApi(routes, sharedSchemas, '0.1.0');
      reply
        .header('Access-Control-Allow-Origin', '*')
        .header('Cache-Control', 'public, max-age=300');
      return doc;
    });
  };
}
