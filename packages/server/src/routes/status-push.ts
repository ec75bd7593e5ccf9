/**
 * `POST /v1/sites/:site/status/push/:token`: a status page's webhook notification (ADR 0026).
 * The secret in the URL is compared in constant time with the SHA-256 the store keeps; Instatus
 * also signs (`x-instatus-webhook-signature`) and incident.io per Standard Webhooks, checked
 * when the site has their signing secret. The notification is applied through the poller's own
 * path (`applyUpstream`), so its events reach every open stream at once; a notification older
 * than what the site has (`updated_at`) changes nothing, and the next poll reconciles whatever a
 * push missed. A bad payload is a 4xx problem and changes nothing.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { RateLimiter } from '../http/rate-limit.js';
import { ProblemError, problems } from '../http/problem.js';
import { PushPayloadError, readPushNotification } from '../status/push.js';
import type { WebhookService } from '../webhooks/outbox.js';
import { instatusSignatureMatches, tokenMatches, verifyWebhook } from '../webhooks/signature.js';
import { problemResponses } from './schemas.js';

/** Largest notification accepted (Statuspage's are a few kilobytes). */
export const PUSH_BODY_LIMIT = 256 * 1024;
/** Notifications per site per minute (with the right secret), whoever sends them. */
export const PUSH_PER_MINUTE = 120;

const PushParams = Type.Object({
  site: Type.String({ maxLength: 100 }),
  token: Type.String({ maxLength: 200 }),
});

const PushResult = Type.Object({
  applied: Type.Boolean({ description: 'Whether the notification changed anything.' }),
  events: Type.Integer({ description: 'Events written (and sent to open streams).' }),
  reason: Type.Optional(
    Type.String({
      description:
        '`stale`: older than what the site has; `maintenance`: read at the next poll; `unchanged`: a component not on the site, or already in that state.',
    }),
  ),
});

const notFound = () => new ProblemError(404, 'not_found', 'No push endpoint at this URL.');

/** JSON with prototype-poisoning keys dropped and NUL refused (as the app's own parser). */
function parseBody(text: string): unknown {
  let nul = false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (key.includes('\0') || (typeof value === 'string' && value.includes('\0'))) nul = true;
      return key === '__proto__' || key === 'constructor' ? undefined : value;
    });
  } catch {
    throw problems.field('body', 'The notification is not valid JSON.');
  }
  if (nul) throw problems.field('body', 'Text cannot contain NUL characters.');
  return parsed;
}

export const statusPushRoutes: FastifyPluginAsyncTypebox<{ webhooks: WebhookService }> = async (
  app,
  { webhooks },
) => {
  const { store, hub, secrets, shared } = app.lifeboat;
  const perSite = new RateLimiter(PUSH_PER_MINUTE, 60_000, shared, 'status-push');
  // The raw text: Instatus signs the body as sent.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: PUSH_BODY_LIMIT },
    (_request, body, done) => done(null, body),
  );

  app.post(
    '/v1/sites/:site/status/push/:token',
    {
      bodyLimit: PUSH_BODY_LIMIT,
      schema: {
        operationId: 'pushStatus',
        summary:
          "A status page's webhook notification (Statuspage, Instatus, incident.io): the secret URL from `lifeboat site push`.",
        params: PushParams,
        response: { 202: PushResult, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { site } = request;
      const push = await webhooks.data.getPush(site.id);
      if (!push || !tokenMatches(request.params.token, push.tokenHash)) throw notFound();
      // Counted once the secret matched: wrong guesses (held back by the per-address write
      // limit) cannot use up the site's notifications and shut its status page out.
      await perSite.hit(site.id, reply);
      const raw = typeof request.body === 'string' ? request.body : '';
      if (push.signingSecret) {
        const secret = secrets.open(push.signingSecret).plain;
        if (!secret) throw problems.unauthorized('The push signing secret cannot be opened.');
        if (push.provider === 'instatus') {
          const header = request.headers['x-instatus-webhook-signature'];
          if (typeof header !== 'string' || !instatusSignatureMatches(secret, raw, header))
            throw new ProblemError(
              401,
              'unauthorized',
              'The x-instatus-webhook-signature header is missing or does not match.',
            );
        } else {
          const checked = verifyWebhook(secret, request.headers, raw);
          if (!checked.ok)
            throw new ProblemError(
              401,
              'unauthorized',
              checked.reason === 'stale'
                ? 'The webhook-timestamp is more than five minutes away (a replayed notification?).'
                : `The webhook signature does not verify (${checked.reason}).`,
            );
        }
      }
      let notification;
      try {
        notification = readPushNotification(parseBody(raw), push.provider, {
          statusUrl: site.statusUrl ?? null,
        });
      } catch (err) {
        if (err instanceof PushPayloadError) throw problems.field(err.field, err.message, 422);
        throw err;
      }
      const at = new Date().toISOString();
      await webhooks.data.touchPush(site.id, at);
      const url = site.statusUrl ?? `push:${push.provider}`;
      const snapshot = { url, etag: null, lastModified: null, at };

      if (notification.kind === 'maintenance')
        return reply.code(202).send({ applied: false, events: 0, reason: 'maintenance' });
      if (notification.kind === 'incident') {
        const incident = notification.status.incidents[0]!;
        const stored = await webhooks.data.incidentUpdatedAt(site.id, incident.id);
        if (stored !== null && incident.updatedAt < stored)
          return reply.code(202).send({ applied: false, events: 0, reason: 'stale' });
        const seqs = await store.applyUpstream(site.id, {
          ...snapshot,
          status: notification.status,
        });
        if (seqs.length) hub.publish({ site: site.id, seq: Math.max(...seqs) });
        return reply.code(202).send({ applied: seqs.length > 0, events: seqs.length });
      }
      const changed = await webhooks.data.setComponentStatus(
        site.id,
        notification.component.id,
        notification.component.status,
      );
      // The page's indicator and description, as a poll of its status.json would set them.
      if (site.statusUrl)
        await store.applyUpstream(site.id, { ...snapshot, status: notification.status });
      return reply
        .code(202)
        .send(
          changed
            ? { applied: true, events: 0 }
            : { applied: false, events: 0, reason: 'unchanged' },
        );
    },
  );
};
