/**
 * The keys a site's host tokens are verified with (admin key): `GET`/`PUT
 * /v1/admin/sites/:site/sso`. Secrets are never echoed back: the answer says which kinds of key
 * are set (and a thumbprint of each public key).
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { readSiteSso, writeSiteSso } from '../auth/site-sso.js';
import { applySsoChange, HS256_MIN_LENGTH, MAX_PUBLIC_KEYS, viewOf } from '../auth/sso-keys.js';
import { problems } from '../http/problem.js';
import { problemResponses } from './schemas.js';
import { AdminHeaders, AdminSiteParams } from './staff-schemas.js';

export const SsoKeysRequest = Type.Object(
  {
    hs256Secret: Type.Optional(
      Type.Union([Type.String({ minLength: 1, maxLength: 1000 }), Type.Null()], {
        description: `HS256 shared secret (at least ${HS256_MIN_LENGTH} characters); null removes it; absent keeps it.`,
      }),
    ),
    publicKeys: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 10_000 }), {
        maxItems: MAX_PUBLIC_KEYS,
        description:
          'ES256 (P-256) or EdDSA (Ed25519) public keys, PEM or JWK JSON; replaces the list ([] removes all); absent keeps it.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const SsoKeysView = Type.Object({
  site: Type.String(),
  hs256: Type.Boolean({ description: 'An HS256 secret is set.' }),
  publicKeys: Type.Array(
    Type.Object({
      alg: Type.Union([Type.Literal('ES256'), Type.Literal('EdDSA')]),
      kid: Type.Union([Type.String(), Type.Null()]),
      thumbprint: Type.String({ description: 'SHA-256 of the key (SPKI), base64url, 16 chars.' }),
    }),
  ),
});

export const adminSsoRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, secrets } = app.lifeboat;

  const siteOf = async (slug: string) => {
    const site = await store.getSiteBySlug(slug);
    if (!site) throw problems.notFound('Site');
    return site;
  };

  app.get(
    '/v1/admin/sites/:site/sso',
    {
      schema: {
        operationId: 'getSiteSso',
        summary: "Which keys verify the site's host sign-in tokens (kinds only, admin key).",
        params: AdminSiteParams,
        headers: AdminHeaders,
        response: { 200: SsoKeysView, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      reply.header('Cache-Control', CACHE_PRIVATE);
      return {
        site: site.slug,
        ...viewOf(await readSiteSso(store, secrets, site.id, request.log)),
      };
    },
  );

  app.put(
    '/v1/admin/sites/:site/sso',
    {
      schema: {
        operationId: 'setSiteSso',
        summary:
          "Sets the keys that verify the site's host sign-in tokens: an HS256 secret and/or ES256/EdDSA public keys (admin key).",
        params: AdminSiteParams,
        headers: AdminHeaders,
        body: SsoKeysRequest,
        response: { 200: SsoKeysView, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const current = await readSiteSso(store, secrets, site.id, request.log);
      const result = applySsoChange(current, request.body);
      if ('errors' in result) throw problems.validation(result.errors);
      await writeSiteSso(store, secrets, site.id, result.sso);
      request.log.info({ site: site.slug, ...viewOf(result.sso) }, 'site sso keys changed');
      reply.header('Cache-Control', CACHE_PRIVATE);
      return { site: site.slug, ...viewOf(result.sso) };
    },
  );
};
