/**
 * /cdn/* (the script-tag bundle, cross-origin) and, in demo mode, the demo status page at / and
 * the demo moderation page (examples/moderation) at /moderation/ and the demo insights page
 * (examples/insights) at /insights/. Where these files are: src/assets.ts (ADR 31).
 */
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { demoDirectory } from '../assets.js';
import { ProblemError, problems } from '../http/problem.js';
import { resolveStatic, sendStatic } from '../http/static.js';
import { DEMO_SITE } from '../demo/seed.js';

const CDN_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cross-Origin-Resource-Policy': 'cross-origin',
  'Cache-Control': 'public, max-age=300, stale-while-revalidate=86400',
};
/** The loader's chunks (chunks/<name>-<content hash>.js) never change under their name (ADR 0032). */
const CHUNK_HEADERS = { ...CDN_HEADERS, 'Cache-Control': 'public, max-age=31536000, immutable' };
const HASHED_CHUNK = /^chunks\/[\w.-]+-[\w-]{8}\.js(\.map)?$/;

export async function staticRoutes(app: FastifyInstance): Promise<void> {
  const { config, store } = app.lifeboat;

  /**
   * The demo page with the hint a server-rendered status page gives the banner: `expect` says
   * whether an incident is open, so the banner reserves the right height before data arrives.
   */
  const demoPage = async (file: string): Promise<string> => {
    const html = await readFile(file, 'utf8');
    const site = await store.getSiteBySlug(DEMO_SITE);
    const open = site ? (await store.listIncidents(site.id, 'open')).length > 0 : false;
    return html.replace(
      '<lifeboat-banner>',
      `<lifeboat-banner expect="${open ? 'incident' : 'calm'}">`,
    );
  };

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
    const hashed = HASHED_CHUNK.test(request.params['*']);
    return sendStatic(request, reply, found, hashed ? CHUNK_HEADERS : CDN_HEADERS);
  });

  if (!config.demo) return;
  const moderationDir = demoDirectory('moderation');
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
  const insightsDir = demoDirectory('insights');
  app.get('/insights', async (_request, reply) => reply.redirect('/insights/'));
  app.get<{ Params: { '*': string } }>('/insights/*', async (request, reply) => {
    const rel = request.params['*'];
    const found = await resolveStatic(insightsDir, rel === '' ? 'index.html' : rel);
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
    if (rel === '' || rel === 'index.html')
      return reply
        .header('Cache-Control', 'no-store')
        .type('text/html; charset=utf-8')
        .send(await demoPage(found.file));
    return sendStatic(request, reply, found, { 'Cache-Control': 'no-cache' });
  });
}
