/**
 * A guest's fingerprint: HMAC-SHA256 of the client IP and User-Agent under the server's signing
 * key. It is kept on the guest member (`members.fingerprint`) so a ban can reach the next guest
 * session of the same browser, and it reveals neither the IP nor the User-Agent.
 */
import crypto from 'node:crypto';
import type { SigningKey } from './tokens.js';

function fingerprintWith(key: SigningKey, ip: string, userAgent: string): string {
  return crypto
    .createHmac('sha256', key.secret)
    .update(`lifeboat-fingerprint\n${ip}\n${userAgent}`)
    .digest('base64url');
}

/** The fingerprint stored for a new guest (the first, signing key). */
export function guestFingerprint(
  keys: readonly SigningKey[],
  ip: string,
  userAgent: string | undefined,
): string {
  const key = keys[0];
  if (!key) throw new Error('No signing key configured.');
  return fingerprintWith(key, ip, userAgent ?? '');
}

/**
 * The fingerprint of a request under every configured key: after a key rotation, a ban stored
 * under an older key still matches.
 */
export function guestFingerprints(
  keys: readonly SigningKey[],
  ip: string,
  userAgent: string | undefined,
): string[] {
  return keys.map((key) => fingerprintWith(key, ip, userAgent ?? ''));
}
