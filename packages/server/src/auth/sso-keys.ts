/**
 * A site's host-token keys (`sites.sso`): an HS256 secret and/or ES256 (P-256) and EdDSA
 * (Ed25519) public keys given as PEM or JWK. Parsed keys are cached by their text.
 */
import crypto, { type KeyObject } from 'node:crypto';
import type { SiteSsoConfig } from '../store/store.js';

export type PublicKeyAlg = 'ES256' | 'EdDSA';

export interface SsoPublicKey {
  alg: PublicKeyAlg;
  key: KeyObject;
  /** The JWK's `kid`, when it has one. */
  kid: string | null;
  /** First 16 characters of the base64url SHA-256 of the key's SPKI (to tell keys apart). */
  thumbprint: string;
}

/** What the admin API reports about a site's keys: kinds only, never a secret. */
export interface SsoKeysView {
  hs256: boolean;
  publicKeys: Array<{ alg: PublicKeyAlg; kid: string | null; thumbprint: string }>;
}

/** RFC 7518 §3.2: an HS256 key has at least 256 bits. */
export const HS256_MIN_LENGTH = 32;
export const MAX_PUBLIC_KEYS = 10;

/** Parses one public key (PEM, or a JWK as JSON text). Private keys are refused. */
export function parsePublicKey(text: string): SsoPublicKey | { error: string } {
  const trimmed = text.trim();
  let key: KeyObject;
  let kid: string | null = null;
  try {
    if (trimmed.startsWith('{')) {
      const jwk = JSON.parse(trimmed) as crypto.JsonWebKey & { kid?: unknown };
      if (!jwk || typeof jwk !== 'object') return { error: 'Not a JWK object.' };
      if ('d' in jwk)
        return { error: 'This JWK holds a private key; give only its public part (no "d").' };
      key = crypto.createPublicKey({ key: jwk, format: 'jwk' });
      kid = typeof jwk.kid === 'string' ? jwk.kid : null;
    } else {
      if (/PRIVATE KEY/.test(trimmed))
        return { error: 'This PEM holds a private key; give only the public key.' };
      if (!/^-----BEGIN PUBLIC KEY-----/.test(trimmed))
        return { error: 'Give a PEM public key (-----BEGIN PUBLIC KEY-----) or a JWK.' };
      key = crypto.createPublicKey(trimmed);
    }
  } catch {
    return { error: 'Not a readable PEM public key or JWK.' };
  }
  let alg: PublicKeyAlg;
  if (key.asymmetricKeyType === 'ed25519') alg = 'EdDSA';
  else if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1')
    alg = 'ES256';
  else return { error: 'Only P-256 (ES256) and Ed25519 (EdDSA) public keys are accepted.' };
  const spki = key.export({ format: 'der', type: 'spki' });
  const thumbprint = crypto.createHash('sha256').update(spki).digest('base64url').slice(0, 16);
  return { alg, key, kid, thumbprint };
}

const cache = new Map<string, SsoPublicKey | null>();

/** The usable public keys of a site (keys that no longer parse are skipped). */
export function publicKeysOf(sso: SiteSsoConfig): SsoPublicKey[] {
  const out: SsoPublicKey[] = [];
  for (const text of sso.publicKeys ?? []) {
    let parsed = cache.get(text);
    if (parsed === undefined) {
      const result = parsePublicKey(text);
      parsed = 'error' in result ? null : result;
      if (cache.size > 1000) cache.clear();
      cache.set(text, parsed);
    }
    if (parsed) out.push(parsed);
  }
  return out;
}

export function viewOf(sso: SiteSsoConfig): SsoKeysView {
  return {
    hs256: Boolean(sso.hs256Secret),
    publicKeys: publicKeysOf(sso).map(({ alg, kid, thumbprint }) => ({ alg, kid, thumbprint })),
  };
}

export interface SsoChange {
  hs256Secret?: string | null;
  publicKeys?: string[];
}

/** Applies an admin change; returns the new config or per-field errors. */
export function applySsoChange(
  current: SiteSsoConfig,
  change: SsoChange,
): { sso: SiteSsoConfig } | { errors: Array<{ field: string; message: string }> } {
  const errors: Array<{ field: string; message: string }> = [];
  const next: SiteSsoConfig = { ...current };
  if (change.hs256Secret === null) delete next.hs256Secret;
  else if (change.hs256Secret !== undefined) {
    if (change.hs256Secret.length < HS256_MIN_LENGTH)
      errors.push({
        field: 'hs256Secret',
        message: `Use a random secret of at least ${HS256_MIN_LENGTH} characters (256 bits).`,
      });
    else next.hs256Secret = change.hs256Secret;
  }
  if (change.publicKeys !== undefined) {
    if (change.publicKeys.length > MAX_PUBLIC_KEYS)
      errors.push({ field: 'publicKeys', message: `Give at most ${MAX_PUBLIC_KEYS} keys.` });
    change.publicKeys.forEach((text, i) => {
      const parsed = parsePublicKey(text);
      if ('error' in parsed) errors.push({ field: `publicKeys.${i}`, message: parsed.error });
    });
    if (change.publicKeys.length) next.publicKeys = change.publicKeys.map((k) => k.trim());
    else delete next.publicKeys;
  }
  return errors.length ? { errors } : { sso: next };
}
