/**
 * Verification of the host site's sign-in token (a compact JWS/JWT), with node:crypto:
 *
 * - `alg` must be HS256, ES256 or EdDSA and must match the kind of key it is checked with: an
 *   HS256 token is checked only against the site's HS256 secret, an ES256 one only against P-256
 *   public keys, an EdDSA one only against Ed25519 keys. `none` and every other `alg` fail, so a
 *   public key can never be used as an HMAC secret (algorithm confusion).
 * - `exp`, `iat`, `aud` and `jti` are required; `nbf` is honoured; all times with
 *   `CLOCK_SKEW_SECONDS` of leeway. A token lives at most `MAX_HOST_TOKEN_SECONDS`
 *   (`exp - iat`), `iat` is not in the future, `aud` names the site's slug, and `jti` is returned
 *   so the caller can refuse a second use (routes/sessions.ts claims it in the shared state).
 * - Claims: `id` (or `sub`), `name`, optional `avatar` (https URL), `role`, `badges`.
 */
import crypto from 'node:crypto';
import { LIMITS, type MemberRole } from '@lifeboat/protocol';
import type { SiteSsoConfig, SsoProfile } from '../store/store.js';
import { publicKeysOf } from './sso-keys.js';

export const CLOCK_SKEW_SECONDS = 60;
/** Longest accepted host token: `exp - iat`, in seconds (10 minutes). */
export const MAX_HOST_TOKEN_SECONDS = 600;
export const MAX_JTI_LENGTH = 200;
const ROLES: readonly MemberRole[] = ['member', 'staff', 'moderator'];
const B64URL = /^[A-Za-z0-9_-]+$/;
export const MAX_BADGES = 10;
export const MAX_BADGE_LENGTH = 40;

export type HostTokenResult =
  { ok: true; profile: SsoProfile; exp: number; jti: string } | { ok: false; reason: string };

const fail = (reason: string): HostTokenResult => ({ ok: false, reason });

function json(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

function signatureValid(alg: string, data: Buffer, signature: Buffer, sso: SiteSsoConfig) {
  if (alg === 'HS256') {
    if (!sso.hs256Secret) return 'This site has no HS256 secret; sign with its ES256/EdDSA key.';
    const expected = crypto.createHmac('sha256', sso.hs256Secret).update(data).digest();
    return signature.length === expected.length && crypto.timingSafeEqual(signature, expected);
  }
  const keys = publicKeysOf(sso).filter((k) => k.alg === alg);
  if (!keys.length) return `This site has no ${alg} public key.`;
  if (signature.length !== 64) return false;
  return keys.some((k) =>
    alg === 'ES256'
      ? crypto.verify('sha256', data, { key: k.key, dsaEncoding: 'ieee-p1363' }, signature)
      : crypto.verify(null, data, k.key, signature),
  );
}

/** Verifies a host token for a site; never throws on bad input. */
export function verifyHostToken(
  token: string,
  sso: SiteSsoConfig,
  options: { audience: string; nowSeconds?: number },
): HostTokenResult {
  const now = options.nowSeconds ?? Date.now() / 1000;
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts.every((p) => B64URL.test(p)))
    return fail('The sign-in token is not a signed JWT (header.payload.signature).');
  const [h, p, s] = parts as [string, string, string];
  const header = json(h);
  if (!header) return fail('The sign-in token header is not JSON.');
  const alg = header['alg'];
  if (alg !== 'HS256' && alg !== 'ES256' && alg !== 'EdDSA')
    return fail(
      `The sign-in token uses alg "${String(alg)}"; only HS256, ES256 and EdDSA are accepted.`,
    );
  if (header['crit'] !== undefined)
    return fail('The sign-in token has critical header parameters ("crit") we do not support.');

  const valid = signatureValid(alg, Buffer.from(`${h}.${p}`), Buffer.from(s, 'base64url'), sso);
  if (typeof valid === 'string') return fail(valid);
  if (!valid) return fail('The sign-in token signature does not match the key of this site.');

  const claims = json(p);
  if (!claims) return fail('The sign-in token payload is not a JSON object.');
  const { exp, nbf, iat, aud, jti } = claims;
  if (typeof exp !== 'number' || !Number.isFinite(exp))
    return fail('The sign-in token has no "exp" (expiry, seconds since 1970).');
  if (exp + CLOCK_SKEW_SECONDS <= now)
    return fail(`The sign-in token expired at ${new Date(exp * 1000).toISOString()}.`);
  if (typeof iat !== 'number' || !Number.isFinite(iat))
    return fail('The sign-in token has no "iat" (when it was issued, seconds since 1970).');
  if (iat - CLOCK_SKEW_SECONDS > now)
    return fail('The sign-in token was issued in the future ("iat"); check the clock.');
  if (exp - iat > MAX_HOST_TOKEN_SECONDS)
    return fail(
      `The sign-in token lives longer than ${MAX_HOST_TOKEN_SECONDS / 60} minutes ("exp" - "iat"); mint a short-lived one for each sign-in.`,
    );
  if (nbf !== undefined && (typeof nbf !== 'number' || nbf - CLOCK_SKEW_SECONDS > now))
    return fail('The sign-in token is not valid yet ("nbf" is in the future).');
  if (aud === undefined)
    return fail(`The sign-in token has no "aud"; it must be "${options.audience}" (the site).`);
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.includes(options.audience))
    return fail(`The sign-in token is for another audience; "aud" must be "${options.audience}".`);
  if (typeof jti !== 'string' || !jti)
    return fail('The sign-in token has no "jti" (a unique id of this token; each is used once).');
  if (jti.length > MAX_JTI_LENGTH)
    return fail(`The "jti" claim is longer than ${MAX_JTI_LENGTH} characters.`);

  const id = claims['id'] ?? claims['sub'];
  if (typeof id !== 'string' || !id.trim() || id.length > 200)
    return fail('The sign-in token needs an "id" claim: your id of the person (1–200 characters).');
  const rawName = claims['name'];
  const name = typeof rawName === 'string' ? rawName.trim().replace(/\s+/g, ' ') : '';
  if (!name) return fail('The sign-in token needs a "name" claim (the display name).');
  if (name.length > LIMITS.displayName.max)
    return fail(`The "name" claim is longer than ${LIMITS.displayName.max} characters.`);
  const avatar = claims['avatar'] ?? null;
  if (avatar !== null && (typeof avatar !== 'string' || !isHttpsUrl(avatar)))
    return fail('The "avatar" claim must be an https URL (or absent).');
  const role = claims['role'] ?? 'member';
  if (!ROLES.includes(role as MemberRole))
    return fail('The "role" claim must be "member", "staff" or "moderator" (or absent).');
  const badges = claims['badges'] ?? [];
  if (
    !Array.isArray(badges) ||
    badges.length > MAX_BADGES ||
    !badges.every((b) => typeof b === 'string' && b.trim() && b.length <= MAX_BADGE_LENGTH)
  )
    return fail(
      `The "badges" claim must be a list of at most ${MAX_BADGES} short texts (${MAX_BADGE_LENGTH} characters each).`,
    );

  return {
    ok: true,
    exp,
    jti,
    profile: {
      externalId: id.trim(),
      displayName: name,
      avatarUrl: avatar,
      role: role as MemberRole,
      badges: [...new Set((badges as string[]).map((b) => b.trim()))],
    },
  };
}

function isHttpsUrl(text: string): boolean {
  if (text.length > 2000) return false;
  try {
    return new URL(text).protocol === 'https:';
  } catch {
    return false;
  }
}
