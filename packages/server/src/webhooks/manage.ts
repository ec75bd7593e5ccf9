/**
 * Managing a site's integrations, one set of rules for the admin API, the CLI and the config
 * file: the push endpoint (a new random secret each time it is set; only its hash is stored, and
 * a provider's signing secret is sealed) and outgoing endpoints (checked URL, known events,
 * format, a `whsec_` secret sealed at rest and shown once).
 */
import crypto from 'node:crypto';
import type { SecretBox } from '../auth/secret-box.js';
import type {
  PushProvider,
  SqlWebhooks,
  WebhookEndpointRecord,
  WebhookFormat,
} from '../store/sql-webhooks.js';
import { isDeliverableUrl } from './deliver.js';
import { WEBHOOK_EVENTS } from './events.js';
import { hashToken, isWebhookSecret, newWebhookSecret } from './signature.js';

export const PUSH_PROVIDERS: readonly PushProvider[] = ['statuspage', 'instatus', 'incidentio'];
export const WEBHOOK_FORMATS: readonly WebhookFormat[] = ['standard', 'slack'];
export const MAX_ENDPOINTS_PER_SITE = 20;

type FieldError = { field: string; message: string };

/** The path of a site's push URL (append it to the server's public origin). */
export const pushPath = (slug: string, token: string) =>
  `/v1/sites/${encodeURIComponent(slug)}/status/push/${token}`;

/**
 * Sets (or replaces) a site's push endpoint; returns the new secret, shown once. incident.io's
 * signing secret is a `whsec_` one; Instatus's is any string of 8 or more characters.
 */
export async function setPushSource(
  data: SqlWebhooks,
  secrets: SecretBox,
  siteId: string,
  input: { provider: PushProvider; signingSecret?: string | null },
): Promise<{ token: string } | { errors: FieldError[] }> {
  const errors: FieldError[] = [];
  if (!PUSH_PROVIDERS.includes(input.provider))
    errors.push({ field: 'provider', message: `Use one of ${PUSH_PROVIDERS.join(', ')}.` });
  const signing = input.signingSecret ?? null;
  if (signing !== null) {
    if (input.provider === 'statuspage')
      errors.push({
        field: 'signingSecret',
        message: 'Statuspage does not sign its webhooks: the secret URL is the authentication.',
      });
    else if (input.provider === 'incidentio' && !isWebhookSecret(signing))
      errors.push({ field: 'signingSecret', message: 'Use the whsec_… secret incident.io shows.' });
    else if (signing.length < 8 || signing.length > 500)
      errors.push({ field: 'signingSecret', message: 'Use 8 to 500 characters.' });
  }
  if (errors.length) return { errors };
  const token = crypto.randomBytes(24).toString('base64url');
  await data.setPush(siteId, {
    provider: input.provider,
    tokenHash: hashToken(token),
    signingSecret: signing === null ? null : secrets.seal(signing),
  });
  return { token };
}

export interface EndpointInput {
  url?: string;
  events?: string[];
  format?: string;
  secret?: string;
  enabled?: boolean;
}

/** Checks an endpoint's fields (all required when `create`). */
export function checkEndpoint(input: EndpointInput, create: boolean): FieldError[] {
  const errors: FieldError[] = [];
  if (input.url === undefined) {
    if (create) errors.push({ field: 'url', message: 'Required.' });
  } else if (input.url.length > 2000 || !isDeliverableUrl(input.url))
    errors.push({ field: 'url', message: 'Use an http(s) URL without credentials.' });
  if (input.events === undefined) {
    if (create) errors.push({ field: 'events', message: 'Required.' });
  } else if (
    !input.events.length ||
    !input.events.every((e) => (WEBHOOK_EVENTS as readonly string[]).includes(e))
  )
    errors.push({ field: 'events', message: `Use some of ${WEBHOOK_EVENTS.join(', ')}.` });
  if (input.format !== undefined && !(WEBHOOK_FORMATS as readonly string[]).includes(input.format))
    errors.push({ field: 'format', message: `Use ${WEBHOOK_FORMATS.join(' or ')}.` });
  if (input.secret !== undefined && !isWebhookSecret(input.secret))
    errors.push({
      field: 'secret',
      message: 'Use a whsec_ secret (whsec_ and base64 of 16–64 bytes).',
    });
  return errors;
}

/** An endpoint as the API shows it: never its secret. */
export function endpointView(e: WebhookEndpointRecord) {
  return {
    id: e.id,
    url: e.url,
    events: e.events,
    format: e.format,
    enabled: e.enabled,
    createdAt: e.createdAt,
  };
}

/** Creates an endpoint; returns it with its secret (given, or new), shown once. */
export async function createEndpoint(
  data: SqlWebhooks,
  secrets: SecretBox,
  siteId: string,
  input: EndpointInput,
): Promise<{ endpoint: WebhookEndpointRecord; secret: string } | { errors: FieldError[] }> {
  const errors = checkEndpoint(input, true);
  if (!errors.length && (await data.listEndpoints(siteId)).length >= MAX_ENDPOINTS_PER_SITE)
    errors.push({
      field: 'url',
      message: `A site has at most ${MAX_ENDPOINTS_PER_SITE} endpoints.`,
    });
  if (errors.length) return { errors };
  const secret = input.secret ?? newWebhookSecret();
  const endpoint = await data.createEndpoint(siteId, {
    url: input.url!,
    events: [...new Set(input.events!)],
    format: (input.format ?? 'standard') as WebhookFormat,
    secret: secrets.seal(secret),
  });
  return { endpoint, secret };
}

/** Changes an endpoint; `rotateSecret` makes a new secret (returned, shown once). */
export async function updateEndpoint(
  data: SqlWebhooks,
  secrets: SecretBox,
  siteId: string,
  id: string,
  input: EndpointInput & { rotateSecret?: boolean },
): Promise<
  | { endpoint: WebhookEndpointRecord; secret: string | null }
  | { errors: FieldError[] }
  | { notFound: true }
> {
  const errors = checkEndpoint(input, false);
  if (errors.length) return { errors };
  const secret = input.rotateSecret ? newWebhookSecret() : (input.secret ?? null);
  const endpoint = await data.updateEndpoint(siteId, id, {
    ...(input.url !== undefined ? { url: input.url } : {}),
    ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
    ...(input.format !== undefined ? { format: input.format as WebhookFormat } : {}),
    ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
    ...(secret !== null ? { secret: secrets.seal(secret) } : {}),
  });
  if (!endpoint) return { notFound: true };
  return { endpoint, secret: input.rotateSecret ? secret : null };
}
