/**
 * The tokens of the links in subscription mails: `e1.<kid>.<c|u>.<subscription id>.<expiry>.<mac>`,
 * HMAC-SHA256 under the server's signing key (the first signs, all verify: rotation keeps links
 * working). `c` confirms and expires (base-36 milliseconds); `u` unsubscribes and never expires
 * (RFC 8058: the link in every mail must keep working). Nothing is stored: a token names its
 * subscription, and the MAC (its own label, so no session token or fingerprint can be one) says
 * the server made it.
 */
import crypto from 'node:crypto';
import { ULID_PATTERN } from '@lifeboat/protocol';
import type { SigningKey } from '../auth/tokens.js';

export type LinkPurpose = 'confirm' | 'unsubscribe';

const CODES: Record<LinkPurpose, string> = { confirm: 'c', unsubscribe: 'u' };
const ULID = new RegExp(ULID_PATTERN);

function mac(key: SigningKey, purpose: LinkPurpose, id: string, exp: string): string {
  return crypto
    .createHmac('sha256', key.secret)
    .update(`lifeboat-email-link\n${purpose}\n${id}\n${exp}`)
    .digest('base64url');
}

export function linkToken(
  keys: readonly SigningKey[],
  purpose: LinkPurpose,
  subscriptionId: string,
  expiresAt: number | null,
): string {
  const key = keys[0];
  if (!key) throw new Error('No signing key configured.');
  const exp = expiresAt === null ? '0' : Math.floor(expiresAt).toString(36);
  return `e1.${key.kid}.${CODES[purpose]}.${subscriptionId}.${exp}.${mac(key, purpose, subscriptionId, exp)}`;
}

/** The subscription a valid, unexpired token of `purpose` names, else null. Never throws. */
export function readLinkToken(
  keys: readonly SigningKey[],
  purpose: LinkPurpose,
  token: string,
  now = Date.now(),
): string | null {
  const parts = token.split('.');
  if (parts.length !== 6 || parts[0] !== 'e1' || parts[2] !== CODES[purpose]) return null;
  const [, kid, , id, exp, sig] = parts as [string, string, string, string, string, string];
  const key = keys.find((k) => k.kid === kid);
  if (!key || !ULID.test(id) || !/^[0-9a-z]{1,12}$/.test(exp)) return null;
  const expected = Buffer.from(mac(key, purpose, id, exp));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  if (exp !== '0' && parseInt(exp, 36) <= now) return null;
  if (exp === '0' && purpose === 'confirm') return null;
  return id;
}
