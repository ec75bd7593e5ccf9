/**
 * A site's integrations (admin key): its push endpoint (`/v1/admin/sites/:site/status-push`),
 * its outgoing webhook endpoints (`/v1/admin/sites/:site/webhooks`), the delivery log and
 * redelivery (`/v1/admin/sites/:site/webhooks/deliveries`). Secrets are shown once, when made.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { adminOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { problems } from '../http/problem.js';
import type { WebhookService } from '../webhooks/outbox.js';
import { WEBHOOK_EVENTS } from '../webhooks/events.js';
import {
  PUSH_PROVIDERS,
  WEBHOOK_FORMATS,
  createEndpoint,
  endpointView,
  pushPath,
  setPushSource,
  updateEndpoint,
} from '../webhooks/manage.js';
import type { WebhookMessageRecord } from '../store/sql-webhooks.js';
import { problemResponses } from './schemas.js';
import { AdminHeaders, AdminSiteParams } from './staff-schemas.js';

const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

const PushRequest = Type.Object(
  {
    provider: literals(PUSH_PROVIDERS),
    signingSecret: Type.Optional(
      Type.Union([Type.String({ maxLength: 500 }), Type.Null()], {
        description: "Instatus's webhook secret, or incident.io's whsec_ secret; null: none.",
      }),
    ),
  },
  { additionalProperties: false },
);

const PushView = Type.Object({
  provider: literals(PUSH_PROVIDERS),
  signed: Type.Boolean({ description: 'Notifications must carry a valid signature.' }),
  createdAt: Type.String(),
  lastReceivedAt: Type.Union([Type.String(), Type.Null()]),
  url: Type.Optional(
    Type.String({ description: 'The secret push URL: shown only when it is made.' }),
  ),
});

const EndpointView = Type.Object({
  id: Type.String(),
  url: Type.String(),
  events: Type.Array(Type.String()),
  format: literals(WEBHOOK_FORMATS),
  enabled: Type.Boolean(),
  createdAt: Type.String(),
  secret: Type.Optional(Type.String({ description: 'The whsec_ signing secret: shown once.' })),
});

const EndpointRequest = Type.Object(
  {
    url: Type.String({ maxLength: 2000 }),
    events: Type.Array(literals(WEBHOOK_EVENTS), { minItems: 1, maxItems: WEBHOOK_EVENTS.length }),
    format: Type.Optional(literals(WEBHOOK_FORMATS)),
    secret: Type.Optional(Type.String({ maxLength: 200, description: 'Default: a new one.' })),
  },
  { additionalProperties: false },
);

const EndpointPatch = Type.Object(
  {
    url: Type.Optional(Type.String({ maxLength: 2000 })),
    events: Type.Optional(
      Type.Array(literals(WEBHOOK_EVENTS), { minItems: 1, maxItems: WEBHOOK_EVENTS.length }),
    ),
    format: Type.Optional(literals(WEBHOOK_FORMATS)),
    enabled: Type.Optional(Type.Boolean()),
    rotateSecret: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

const EndpointParams = Type.Object({
  site: Type.String({ maxLength: 100 }),
  id: Type.String({ maxLength: 40 }),
});

const Attempt = Type.Object({
  attempt: Type.Integer(),
  at: Type.String(),
  status: Type.Union([Type.Integer(), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  durationMs: Type.Integer(),
});

const Delivery = Type.Object({
  id: Type.String({ description: 'Also the webhook-id header.' }),
  endpointId: Type.String(),
  eventType: Type.String(),
  state: literals(['pending', 'delivered', 'failed'] as const),
  attempts: Type.Integer(),
  nextAttemptAt: Type.Union([Type.String(), Type.Null()]),
  lastStatus: Type.Union([Type.Integer(), Type.Null()]),
  lastError: Type.Union([Type.String(), Type.Null()]),
  deliveredAt: Type.Union([Type.String(), Type.Null()]),
  createdAt: Type.String(),
  payload: Type.Optional(Type.String({ description: 'The body sent (one delivery only).' })),
  log: Type.Optional(Type.Array(Attempt)),
});

const DeliveryQuery = Type.Object({
  endpoint: Type.Optional(Type.String({ maxLength: 40 })),
  before: Type.Optional(Type.String({ maxLength: 40 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
});

const deliveryView = (m: WebhookMessageRecord) => ({
  id: m.id,
  endpointId: m.endpointId,
  eventType: m.eventType,
  state: m.state,
  attempts: m.attempts,
  nextAttemptAt: m.state === 'pending' ? m.nextAttemptAt : null,
  lastStatus: m.lastStatus,
  lastError: m.lastError,
  deliveredAt: m.deliveredAt,
  createdAt: m.createdAt,
});

export const adminWebhookRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  const { store, secrets, config } = app.lifeboat;
  const { data } = webhooks;
  const siteOf = async (slug: string) => {
    const site = await store.getSiteBySlug(slug);
    if (!site) throw problems.notFound('Site');
    return site;
  };

  app.get(
    '/v1/admin/sites/:site/status-push',
    {
      schema: {
        operationId: 'getStatusPush',
        summary: "The site's push endpoint for status page webhooks (admin key).",
        params: AdminSiteParams,
        headers: AdminHeaders,
        response: { 200: PushView, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const push = await data.getPush(site.id);
      if (!push) throw problems.notFound('Push endpoint');
      reply.header('Cache-Control', CACHE_PRIVATE);
      return {
        provider: push.provider,
        signed: push.signingSecret !== null,
        createdAt: push.createdAt,
        lastReceivedAt: push.lastReceivedAt,
      };
    },
  );

  app.put(
    '/v1/admin/sites/:site/status-push',
    {
      schema: {
        operationId: 'setStatusPush',
        summary:
          'Makes (or remakes, invalidating the old one) the secret URL a status page sends its webhooks to (admin key).',
        params: AdminSiteParams,
        headers: AdminHeaders,
        body: PushRequest,
        response: { 200: PushView, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const result = await setPushSource(data, secrets, site.id, request.body);
      if ('errors' in result) throw problems.validation(result.errors);
      const push = (await data.getPush(site.id))!;
      const origin = config.publicOrigin ?? `${request.protocol}://${request.host}`;
      request.log.info({ site: site.slug, provider: push.provider }, 'status push endpoint set');
      reply.header('Cache-Control', 'no-store');
      return {
        provider: push.provider,
        signed: push.signingSecret !== null,
        createdAt: push.createdAt,
        lastReceivedAt: push.lastReceivedAt,
        url: origin + pushPath(site.slug, result.token),
      };
    },
  );

  app.delete(
    '/v1/admin/sites/:site/status-push',
    {
      schema: {
        operationId: 'deleteStatusPush',
        summary: "Removes the site's push endpoint (admin key).",
        params: AdminSiteParams,
        headers: AdminHeaders,
        response: { 204: Type.Null(), ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      if (!(await data.deletePush(site.id))) throw problems.notFound('Push endpoint');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/admin/sites/:site/webhooks',
    {
      schema: {
        operationId: 'listWebhooks',
        summary: "The site's outgoing webhook endpoints (admin key; secrets are never shown).",
        params: AdminSiteParams,
        headers: AdminHeaders,
        response: { 200: Type.Object({ items: Type.Array(EndpointView) }), ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      reply.header('Cache-Control', CACHE_PRIVATE);
      return { items: (await data.listEndpoints(site.id)).map(endpointView) };
    },
  );

  app.post(
    '/v1/admin/sites/:site/webhooks',
    {
      schema: {
        operationId: 'createWebhook',
        summary:
          'Adds an endpoint that receives signed webhooks for the chosen events; the answer shows its whsec_ secret once (admin key).',
        params: AdminSiteParams,
        headers: AdminHeaders,
        body: EndpointRequest,
        response: { 201: EndpointView, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const result = await createEndpoint(data, secrets, site.id, request.body);
      if ('errors' in result) throw problems.validation(result.errors);
      webhooks.watchSite(site.id);
      reply.header('Cache-Control', 'no-store');
      return reply.code(201).send({ ...endpointView(result.endpoint), secret: result.secret });
    },
  );

  app.patch(
    '/v1/admin/sites/:site/webhooks/:id',
    {
      schema: {
        operationId: 'updateWebhook',
        summary:
          'Changes an endpoint: URL, events, format, enabled; `rotateSecret` makes a new secret, shown once (admin key).',
        params: EndpointParams,
        headers: AdminHeaders,
        body: EndpointPatch,
        response: { 200: EndpointView, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const result = await updateEndpoint(data, secrets, site.id, request.params.id, request.body);
      if ('errors' in result) throw problems.validation(result.errors);
      if ('notFound' in result) throw problems.notFound('Webhook endpoint');
      webhooks.watchSite(site.id);
      reply.header('Cache-Control', 'no-store');
      return {
        ...endpointView(result.endpoint),
        ...(result.secret ? { secret: result.secret } : {}),
      };
    },
  );

  app.delete(
    '/v1/admin/sites/:site/webhooks/:id',
    {
      schema: {
        operationId: 'deleteWebhook',
        summary: 'Removes an endpoint with its pending messages and delivery log (admin key).',
        params: EndpointParams,
        headers: AdminHeaders,
        response: { 204: Type.Null(), ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      if (!(await data.deleteEndpoint(site.id, request.params.id)))
        throw problems.notFound('Webhook endpoint');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/v1/admin/sites/:site/webhooks/deliveries',
    {
      schema: {
        operationId: 'listWebhookDeliveries',
        summary:
          'The delivery log: messages newest first, with their state and last outcome (admin key).',
        params: AdminSiteParams,
        headers: AdminHeaders,
        querystring: DeliveryQuery,
        response: { 200: Type.Object({ items: Type.Array(Delivery) }), ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const { endpoint, before, limit } = request.query;
      const items = await data.listMessages(site.id, {
        ...(endpoint ? { endpointId: endpoint } : {}),
        ...(before ? { before } : {}),
        limit: limit ?? 50,
      });
      reply.header('Cache-Control', CACHE_PRIVATE);
      return { items: items.map(deliveryView) };
    },
  );

  app.get(
    '/v1/admin/sites/:site/webhooks/deliveries/:id',
    {
      schema: {
        operationId: 'getWebhookDelivery',
        summary: 'One message: the body sent and every attempt (admin key).',
        params: EndpointParams,
        headers: AdminHeaders,
        response: { 200: Delivery, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const message = await data.getMessage(site.id, request.params.id);
      if (!message) throw problems.notFound('Delivery');
      reply.header('Cache-Control', CACHE_PRIVATE);
      return {
        ...deliveryView(message),
        payload: message.payload,
        log: await data.attemptsOf(message.id),
      };
    },
  );

  app.post(
    '/v1/admin/sites/:site/webhooks/deliveries/:id/redeliver',
    {
      schema: {
        operationId: 'redeliverWebhook',
        summary: 'Sends a message again now, whatever its state (admin key).',
        params: EndpointParams,
        headers: AdminHeaders,
        response: { 202: Delivery, ...problemResponses },
      },
      onRequest: adminOnly,
    },
    async (request, reply) => {
      const site = await siteOf(request.params.site);
      const message = await data.redeliver(site.id, request.params.id, new Date().toISOString());
      if (!message) throw problems.notFound('Delivery');
      webhooks.kick();
      return reply.code(202).send(deliveryView(message));
    },
  );
};
