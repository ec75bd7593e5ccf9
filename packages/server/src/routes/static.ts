/**
 * /cdn/* (the script-tag bundle, cross-origin) and, in demo mode, the demo status page at / and
 * the demo moderation page (examples/moderation) at /moderation/.
 */
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { ProblemError, problems } from '../http/problem.js';
import { resolveStatic, sendStatic } from '../http/static.js';

const CDN_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
};

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  const { config } = app.lifeboat;

  app.get<{ Params: { '*': string } }>('/cdn/*', async (request, reply) => {
    const found = await resolveStatic(config.cdnDir, request.params['*']);
    if (!found) {
      throw new ProblemError(
        404,
        'not_found',
        'Not built: run `pnpm --filter @lifeboat/elements build` to make the script-tag bundle.',
        undefined,
        { 'Access-Control-Allow-Origin': '*' },
      );
    }
    return sendStatic(request, reply, found, CDN_HEADERS);
  });

  if (!config.demo) return;
  const moderationDir = fileURLToPath(new URL('../../../../examples/moderation/', import.meta.url));
  app.get('/moderation', async (_request, reply) => reply.redirect('/moderation/'));
  app.get<{ Params: { '*': string } }>('/moderation/*', async (request, reply) => {
    const rel = request.params['*'];
    const found = await resolveStatic(moderationDir, rel === '' ? 'index.html' : rel);
    if (!found) throw problems.notFound('File');
    return sendStatic(request, reply, found, {
      'Cache-Control': 'no-cache',
      'Referrer-Policy': 'no-referrer',
    });
  });
  app.get<{ Params: { '*': string } }>('/*', async (request, reply) => {
    const rel = request.params['*'];
    if (rel.startsWith('v1/')) throw problems.notFound('Route');
    const found = await resolveStatic(config.demoDir, rel === '' ? 'index.html' : rel);
    if (!found) throw problems.notFound('File');
    return sendStatic(request, reply, found, { 'Cache-Control': 'no-cache' });
  });
}
