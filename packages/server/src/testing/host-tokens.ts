/** Test helper: mints host-site sign-in tokens (JWT) the way a company's backend would. */
import crypto, { type KeyObject } from 'node:crypto';

export type MintKey =
  { alg: 'HS256'; secret: string | Buffer } | { alg: 'ES256' | 'EdDSA'; privateKey: KeyObject };

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function mintHostToken(
  claims: Record<string, unknown>,
  key: MintKey,
  header: Record<string, unknown> = {},
): string {
  const head = `${b64({ alg: key.alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  let signature: Buffer;
  if (key.alg === 'HS256')
    signature = crypto.createHmac('sha256', key.secret).update(head).digest();
  else if (key.alg === 'ES256')
    signature = crypto.sign('sha256', Buffer.from(head), {
      key: key.privateKey,
      dsaEncoding: 'ieee-p1363',
    });
  else signature = crypto.sign(null, Buffer.from(head), key.privateKey);
  return `${head}.${signature.toString('base64url')}`;
}

/**
 * Claims of a fresh token for site `acme`, valid for the next 5 minutes (at most 10 are
 * accepted), with a new `jti` each call (a token is exchanged once).
 */
export function hostClaims(extra: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    id: 'user-42',
    name: 'Dana Host',
    aud: 'acme',
    iat: now,
    exp: now + 300,
    jti: crypto.randomUUID(),
    ...extra,
  };
}

export function keyPair(alg: 'ES256' | 'EdDSA'): {
  privateKey: KeyObject;
  publicPem: string;
  publicJwk: string;
} {
  const { privateKey, publicKey } =
    alg === 'ES256'
      ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : crypto.generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    publicJwk: JSON.stringify(publicKey.export({ format: 'jwk' })),
  };
}
