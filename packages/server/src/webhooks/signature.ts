/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the secret is `whsec_` and
 * base64 of 24+ random bytes; each request carries `webhook-id`, `webhook-timestamp` (Unix
 * seconds) and `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (several
 * space-separated during a key rotation). Receivers refuse a timestamp more than five minutes
 * away (a replayed request) and compare in constant time. Outgoing webhooks sign with
 * `signWebhook`; incoming incident.io notifications (signed the same way, through Svix) are
 * checked with `verifyWebhook`.
 */
import crypto from 'node:crypto';

export const SECRET_PREFIX = 'whsec_';
/** How far a `webhook-timestamp` may be from now, in seconds (the convention's default). */
export const TIMESTAMP_TOLERANCE_S = 5 * 60;

export function newWebhookSecret(): string {
  return SECRET_PREFIX + crypto.randomBytes(24).toString('base64');
}

/** True for a `whsec_` secret whose key is 16 to 64 bytes of base64. */
export function isWebhookSecret(secret: string): boolean {
  if (!secret.startsWith(SECRET_PREFIX)) return false;
  const body = secret.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body)) return false;
  const bytes = Buffer.from(body, 'base64').length;
  return bytes >= 16 && bytes <= 64;
}

function keyOf(secret: string): Buffer {
  return Buffer.from(
    secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret,
    'base64',
  );
}

/** `v1,<base64 signature>` of one message. */
export function signWebhook(secret: string, id: string, timestamp: number, body: string): string {
  const mac = crypto.createHmac('sha256', keyOf(secret)).update(`${id}.${timestamp}.${body}`);
  return `v1,${mac.digest('base64')}`;
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; reason: 'missing_headers' | 'bad_timestamp' | 'stale' | 'bad_signature' };

/**
 * Checks a Standard Webhooks request. `headers` are the lower-case request headers; `now` in
 * ms (tests pass one). Any of the listed `v1` signatures may match.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string,
  now = Date.now(),
  toleranceS = TIMESTAMP_TOLERANCE_S,
): VerifyResult {
  const one = (name: string) => {
    const v = headers[name] ?? headers[name.replace(/^webhook-/, 'svix-')];
    return Array.isArray(v) ? v[0] : v;
  };
  const id = one('webhook-id');
  const ts = one('webhook-timestamp');
  const signatures = one('webhook-signature');
  if (!id || !ts || !signatures) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,12}$/.test(ts)) return { ok: false, reason: 'bad_timestamp' };
  if (Math.abs(now / 1000 - Number(ts)) > toleranceS) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signWebhook(secret, id, Number(ts), body).slice(3), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected))
      return { ok: true };
  }
  return { ok: false, reason: 'bad_signature' };
}

/** SHA-256 (hex) of a push URL secret: what the store keeps. */
export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

/** Constant-time check of a presented push secret against the stored hash. */
export function tokenMatches(token: string, storedHash: string): boolean {
  const given = Buffer.from(hashToken(token), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && crypto.timingSafeEqual(given, stored);
}

/** Instatus: `x-instatus-webhook-signature` is the hex HMAC-SHA256 of the JSON body. */
export function instatusSignatureMatches(secret: string, body: string, header: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(header)) return false;
  const given = Buffer.from(header.toLowerCase(), 'hex');
  const candidates = [body];
  // Instatus signs JSON.stringify of the payload it sends; a body re-spaced on the way is
  // checked in that form too.
  try {
    candidates.push(JSON.stringify(JSON.parse(body)));
  } catch {
    // not JSON: only the body as sent
  }
  return candidates.some((text) =>
    crypto.timingSafeEqual(given, crypto.createHmac('sha256', secret).update(text).digest()),
  );
}
