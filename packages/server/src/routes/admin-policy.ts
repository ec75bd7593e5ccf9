/**
 * The admin policy API (admin key): `GET/PUT /v1/admin/sites/:site/policy`. PUT takes the fields
 * to change (the others keep their value), checks every field against the SitePolicy schema
 * (422 `validation_failed` with a message per field) and writes a `policy` audit entry.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { SitePolicy } from '@lifeboat/protocol';
import { adminOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, fieldErrors, problems } from '../http/problem.js';
import { problemResponses } from './schemas.js';
import { AdminHeaders, AdminSiteParams } from './staff-schemas.js';

export const adminPolicyRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, hub } = app.lifeboat;

  app.get(
    '/v1/admin/sites/:site/policy',
    {
      schema: {
        operationId: 'getSitePolicy',
        summary: "A site's moderation policy, defaults filled in (admin key).",
        params: AdminSiteParams,
        headers: AdminHeaders,
        response: { 200: S.SitePolicy, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply): Promise<SitePolicy> => {
      const site = await store.getSiteBySlug(request.params.site);
      if (!site) throw problems.notFound('Site');
      reply.header('Cache-Control', CACHE_PRIVATE);
      return store.getSitePolicy(site.id);
    },
  );

  app.put(
    '/v1/admin/sites/:site/policy',
    {
      schema: {
        operationId: 'setSitePolicy',
        summary:
          "Changes a site's moderation policy: the fields given replace theirs, the others stay (admin key). 422 with a message per invalid field.",
        params: AdminSiteParams,
        headers: AdminHeaders,
        body: S.SitePolicyUpdate,
        response: { 200: S.PolicyResult, ...problemResponses },
      },
      onRequest: adminOnly,
      attachValidation: true,
    },
    async (request) => {
      const invalid = request.validationError as
        | (Error & { validation?: Parameters<typeof fieldErrors>[0]; validationContext?: string })
        | undefined;
      if (invalid) {
        if (invalid.validationContext !== 'body')
          throw problems.validation(
            fieldErrors(invalid.validation ?? [], invalid.validationContext),
          );
        throw new ProblemError(
          422,
          'validation_failed',
          'Some policy fields are not valid.',
          fieldErrors(invalid.validation ?? [], 'body'),
        );
      }
      const site = await store.getSiteBySlug(request.params.site);
      if (!site) throw problems.notFound('Site');
      const current = await store.getSitePolicy(site.id);
      const change = request.body ?? {};
      const outcome = await store.setSitePolicy(
        site.id,
        { ...current, ...change },
        {
          action: 'policy',
          actor: { kind: 'admin', id: null, displayName: 'Admin' },
          reason: null,
          detail: { fields: Object.keys(change).sort() },
        },
      );
      hub.publish({ site: site.id, seq: outcome.seq });
      return { policy: outcome.policy, entry: outcome.entry };
    },
  );
};
