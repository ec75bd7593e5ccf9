/**
 * Guest tokens: `v1.<kid>.<base64url(JSON {sub, site, name, exp})>.<base64url(HMAC-SHA256)>`.
 * The MAC covers `v1.<kid>.<payload>`. Several keys verify (rotation); the first one signs.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { privateDir, privateFile } from '../private-files.js';

export interface SigningKey {
  kid: string;
  secret: Buffer;
}

export interface TokenClaims {
  /** Member id. */
  sub: string;
  /** Site id. */
  site: string;
  name: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const kidOf = (secret: string) =>
  crypto.createHash('sha256').update(secret).digest('base64url').slice(0, 8);

/** Parses `secret` or `kid:secret` entries, comma separated. */
export function parseSigningKeys(raw: string): SigningKey[] {
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const i = entry.indexOf(':');
      const kid =
        i > 0 && /^[A-Za-z0-9_-]{1,32}$/.test(entry.slice(0, i)) ? entry.slice(0, i) : null;
      const secret = kid ? entry.slice(i + 1) : entry;
      return { kid: kid ?? kidOf(secret), secret: Buffer.from(secret, 'utf8') };
    });
}

/**
 * Keys from `LIFEBOAT_SECRET`, else from `<dataDir>/secret` (generated with mode 0600 on first run).
 */
export function loadSigningKeys(secret: string | null, dataDir: string): SigningKey[] {
  if (secret) return parseSigningKeys(secret);
  const file = path.join(dataDir, 'secret');
  privateDir(dataDir);
  privateFile(file);
  try {
    fs.writeFileSync(file, crypto.randomBytes(32).toString('base64url') + '\n', {
      mode: 0o600,
      flag: 'wx',
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return parseSigningKeys(fs.readFileSync(file, 'utf8'));
}

function mac(key: SigningKey, data: string): Buffer {
  return crypto.createHmac('sha256', key.secret).update(data).digest();
}

export function signToken(keys: readonly SigningKey[], claims: TokenClaims): string {
  const key = keys[0];
  if (!key) throw new Error('No signing key configured.');
  const head = `v1.${key.kid}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${head}.${mac(key, head).toString('base64url')}`;
}

/** Returns the claims of a valid, unexpired token, else null. Never throws on bad input. */
export function verifyToken(
  keys: readonly SigningKey[],
  token: string,
  nowSeconds = Date.now() / 1000,
): TokenClaims | null {
  const parts = token.split('.');
  if (parts.length !== 4 || parts[0] !== 'v1') return null;
  const [, kid, payload, sig] = parts as [string, string, string, string];
  const key = keys.find((k) => k.kid === kid);
  if (!key) return null;
  const expected = mac(key, `v1.${kid}.${payload}`);
  const given = Buffer.from(sig, 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return null;
  try {
    const claims = JSON.parse(
      Buffer.from(payload, 'base64url').toString('utf8'),
    ) as Partial<TokenClaims>;
    if (
      typeof claims.sub !== 'string' ||
      typeof claims.site !== 'string' ||
      typeof claims.exp !== 'number'
    )
      return null;
    if (claims.exp <= nowSeconds) return null;
    return { sub: claims.sub, site: claims.site, name: String(claims.name ?? ''), exp: claims.exp };
  } catch {
    return null;
  }
}

/** Reads `Authorization: Bearer <token>`. */
export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return m ? m[1]! : null;
}
