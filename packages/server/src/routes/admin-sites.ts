/** The admin site API: list, create and change sites (slug, name, origins, status source). */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import type { SiteDirectory } from '../http/site-directory.js';
import type { SnapshotCache } from '../http/snapshot-cache.js';
import { adminSite, createSite, updateSite, type SiteOutcome } from '../services/sites.js';
import { statusSourceOf } from '../status/source-info.js';
import type { SiteRecord } from '../store/store.js';
import { problemResponses } from './schemas.js';
import {
  AdminHeaders,
  AdminSite,
  AdminSiteList,
  AdminSiteParams,
  CreateSiteRequest,
  UpdateSiteRequest,
} from './staff-schemas.js';

export const adminSiteRoutes: FastifyPluginAsyncTypebox<{
  sites: SiteDirectory;
  snapshots: SnapshotCache;
}> = async (app, { sites, snapshots }) => {
  const { store, statusPoller, config } = app.lifeboat;

  const view = async (site: SiteRecord) => {
    const state = site.statusUrl ? await store.getStatusSourceState(site.id) : null;
    const source = statusSourceOf(site, state, config.pollIntervalMs, Date.now(), 'staff');
    return { ...adminSite(site), source };
  };

  const settle = (outcome: SiteOutcome): SiteRecord => {
    if (outcome.kind === 'invalid') throw problems.validation(outcome.errors);
    if (outcome.kind === 'slug_taken')
      throw new ProblemError(409, 'conflict', 'Another site already uses this slug.', [
        { field: 'slug', message: 'Another site already uses this slug.' },
      ]);
    statusPoller.refresh(outcome.site.id);
    // Slug, name and origins live in the site record, and a change writes no event.
    sites.forget(outcome.site.id);
    snapshots.forgetSite(outcome.site.id);
    return outcome.site;
  };

  app.get(
    '/v1/admin/sites',
    {
      schema: {
        operationId: 'listSites',
        summary: 'All sites with their status source and its freshness (admin key).',
        headers: AdminHeaders,
        response: { 200: AdminSiteList, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (_request, reply) => {
      reply.header('Cache-Control', CACHE_PRIVATE);
      return { sites: await Promise.all((await store.listSites()).map(view)) };
    },
  );

  app.post(
    '/v1/admin/sites',
    {
      schema: {
        operationId: 'createSite',
        summary:
          'Creates a site; with `statusUrl` the server polls that status page for incidents (admin key).',
        headers: AdminHeaders,
        body: CreateSiteRequest,
        response: { 201: AdminSite, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = settle(await createSite(store, request.body));
      return reply
        .code(201)
        .header('Location', `/v1/admin/sites/${site.slug}`)
        .send(await view(site));
    },
  );

  app.patch(
    '/v1/admin/sites/:site',
    {
      schema: {
        operationId: 'updateSite',
        summary: "Changes a site's slug, name, origins or status source (admin key).",
        params: AdminSiteParams,
        headers: AdminHeaders,
        body: UpdateSiteRequest,
        response: { 200: AdminSite, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request) => {
      const site = await store.getSiteBySlug(request.params.site);
      if (!site) throw problems.notFound('Site');
      return view(settle(await updateSite(store, site, request.body)));
    },
  );
};
