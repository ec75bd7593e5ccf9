/**
 * A declared site's integrations in the config file (docs/webhooks.md):
 *
 * ```json
 * "push": { "provider": "statuspage", "tokenEnv": "ACME_PUSH_TOKEN" },
 * "webhooks": [{ "url": "https://hooks.slack.com/…", "events": ["thread.opened"], "format": "slack",
 *                "secretEnv": "ACME_SLACK_WEBHOOK_SECRET" }]
 * ```
 *
 * Secrets come from the environment, so the file can live in version control and the push URL
 * stays the same across restarts. Endpoints are matched by URL: a declared one is created or
 * brought in line; endpoints added by the API or the CLI are left alone. Applying the same file
 * again writes nothing.
 */
import type { SecretBox } from '../auth/secret-box.js';
import type { PushProvider, SqlWebhooks } from '../store/sql-webhooks.js';
import { checkEndpoint, PUSH_PROVIDERS } from './manage.js';
import { hashToken, isWebhookSecret } from './signature.js';

type FieldError = { field: string; message: string };

export interface DeclaredPush {
  provider: PushProvider;
  token: string;
  signingSecret: string | null;
}

export interface DeclaredWebhook {
  url: string;
  events: string[];
  format: 'standard' | 'slack';
  secret: string;
}

/** Shortest push token accepted from the environment (the URL is the credential). */
export const MIN_PUSH_TOKEN = 24;

const isObject = (v: unknown): v is Record<string, unknown> =>
  Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function fromEnv(
  raw: Record<string, unknown>,
  key: string,
  at: string,
  env: Record<string, string | undefined>,
  errors: FieldError[],
): string | null {
  const name = raw[key];
  if (name === undefined) return null;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    errors.push({ field: `${at}.${key}`, message: 'Use the name of an environment variable.' });
    return null;
  }
  const value = env[name]?.trim();
  if (!value) {
    errors.push({ field: `${at}.${key}`, message: `The environment variable ${name} is not set.` });
    return null;
  }
  return value;
}

function unknownKeys(raw: Record<string, unknown>, allowed: readonly string[], at: string) {
  return Object.keys(raw)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({ field: `${at}.${k}`, message: `Unknown field; use ${allowed.join(', ')}.` }));
}

export function readDeclaredPush(
  raw: unknown,
  at: string,
  env: Record<string, string | undefined>,
): { value: DeclaredPush } | { errors: FieldError[] } {
  if (!isObject(raw))
    return { errors: [{ field: at, message: 'Use an object with provider and tokenEnv.' }] };
  const errors = unknownKeys(raw, ['provider', 'tokenEnv', 'signingSecretEnv'], at);
  const provider = raw['provider'];
  if (typeof provider !== 'string' || !(PUSH_PROVIDERS as readonly string[]).includes(provider))
    errors.push({ field: `${at}.provider`, message: `Use one of ${PUSH_PROVIDERS.join(', ')}.` });
  if (raw['tokenEnv'] === undefined) errors.push({ field: `${at}.tokenEnv`, message: 'Required.' });
  const token = fromEnv(raw, 'tokenEnv', at, env, errors);
  if (token !== null && (token.length < MIN_PUSH_TOKEN || !/^[A-Za-z0-9_-]+$/.test(token)))
    errors.push({
      field: `${at}.tokenEnv`,
      message: `The token needs ${MIN_PUSH_TOKEN}+ URL-safe characters (e.g. \`openssl rand -hex 24\`).`,
    });
  const signingSecret = fromEnv(raw, 'signingSecretEnv', at, env, errors);
  if (signingSecret !== null && provider === 'statuspage')
    errors.push({
      field: `${at}.signingSecretEnv`,
      message: 'Statuspage does not sign its webhooks: the secret URL is the authentication.',
    });
  if (signingSecret !== null && provider === 'incidentio' && !isWebhookSecret(signingSecret))
    errors.push({
      field: `${at}.signingSecretEnv`,
      message: 'Use the whsec_… secret incident.io shows.',
    });
  if (errors.length) return { errors };
  return { value: { provider: provider as PushProvider, token: token!, signingSecret } };
}

export function readDeclaredWebhooks(
  raw: unknown,
  at: string,
  env: Record<string, string | undefined>,
): { value: DeclaredWebhook[] } | { errors: FieldError[] } {
  if (!Array.isArray(raw)) return { errors: [{ field: at, message: 'Use a list of endpoints.' }] };
  const errors: FieldError[] = [];
  const value: DeclaredWebhook[] = [];
  const urls = new Set<string>();
  raw.forEach((entry: unknown, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(entry)) {
      errors.push({ field: here, message: 'Use an object with url, events and secretEnv.' });
      return;
    }
    const own = unknownKeys(entry, ['url', 'events', 'format', 'secretEnv'], here);
    const url = entry['url'];
    const events = entry['events'];
    const format = entry['format'] ?? 'standard';
    if (typeof url !== 'string') own.push({ field: `${here}.url`, message: 'Use a URL.' });
    if (!Array.isArray(events) || !events.every((e) => typeof e === 'string'))
      own.push({ field: `${here}.events`, message: 'Use a list of event names.' });
    if (typeof format !== 'string') own.push({ field: `${here}.format`, message: 'Use a string.' });
    if (entry['secretEnv'] === undefined)
      own.push({ field: `${here}.secretEnv`, message: 'Required.' });
    const secret = fromEnv(entry, 'secretEnv', here, env, own);
    if (!own.length) {
      own.push(
        ...checkEndpoint(
          {
            url: url as string,
            events: events as string[],
            format: format as string,
            secret: secret!,
          },
          true,
        ).map((e) => ({
          field: `${here}.${e.field === 'secret' ? 'secretEnv' : e.field}`,
          message: e.message,
        })),
      );
      if (urls.has(url as string))
        own.push({ field: `${here}.url`, message: 'This URL is declared twice.' });
      urls.add(url as string);
    }
    if (own.length) errors.push(...own);
    else
      value.push({
        url: url as string,
        events: [...new Set(events as string[])],
        format: format as 'standard' | 'slack',
        secret: secret!,
      });
  });
  return errors.length ? { errors } : { value };
}

/** Brings a site's push endpoint and declared webhooks in line; true when anything changed. */
export async function applyDeclaredIntegrations(
  data: SqlWebhooks,
  secrets: SecretBox,
  siteId: string,
  declared: { push?: DeclaredPush; webhooks?: DeclaredWebhook[] },
): Promise<boolean> {
  let changed = false;
  if (declared.push) {
    const want = declared.push;
    const have = await data.getPush(siteId);
    const haveSigning = have?.signingSecret ? secrets.open(have.signingSecret).plain : null;
    if (
      !have ||
      have.provider !== want.provider ||
      have.tokenHash !== hashToken(want.token) ||
      haveSigning !== want.signingSecret
    ) {
      await data.setPush(siteId, {
        provider: want.provider,
        tokenHash: hashToken(want.token),
        signingSecret: want.signingSecret === null ? null : secrets.seal(want.signingSecret),
      });
      changed = true;
    }
  }
  if (declared.webhooks) {
    const existing = await data.listEndpoints(siteId);
    for (const want of declared.webhooks) {
      const have = existing.find((e) => e.url === want.url);
      if (!have) {
        await data.createEndpoint(siteId, { ...want, secret: secrets.seal(want.secret) });
        changed = true;
        continue;
      }
      const sameEvents =
        have.events.length === want.events.length &&
        have.events.every((e) => want.events.includes(e));
      const sameSecret = secrets.open(have.secret).plain === want.secret;
      if (sameEvents && have.format === want.format && sameSecret && have.enabled) continue;
      await data.updateEndpoint(siteId, have.id, {
        events: want.events,
        format: want.format,
        enabled: true,
        ...(sameSecret ? {} : { secret: secrets.seal(want.secret) }),
      });
      changed = true;
    }
  }
  return changed;
}
