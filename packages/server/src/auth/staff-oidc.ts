/**
 * Staff sign-in through the company's OpenID Connect provider (docs/staff-sign-in.md, ADR 0030):
 * the pieces the routes in routes/staff-sso.ts put together. Stateless: the login state (state,
 * nonce, PKCE verifier, site, return URL) travels in a sealed HttpOnly cookie, and the console
 * receives a one-time handoff code (sealed, 60 s, bound to a challenge only the console that
 * started the sign-in can answer) that it exchanges for the usual staff session token.
 */
import crypto from 'node:crypto';
import * as oidc from 'openid-client';
import type { OidcConfig, OidcRoleRule } from '../config.js';
import { cleanText } from '../content/display-name.js';
import { SecretBox } from './secret-box.js';

/** How long a sign-in may take at the provider (the state cookie's life). */
export const LOGIN_STATE_SECONDS = 600;
/** How long the console has to exchange its handoff code. */
export const HANDOFF_SECONDS = 60;
/** Life of a staff session made by sign-in: a role taken away at the provider ends within it. */
export const SSO_SESSION_SECONDS = 12 * 3600;

export const CALLBACK_PATH = '/v1/staff/sso/callback';
/** The state cookie's name: one per sign-in in progress (two tabs do not clobber each other). */
export const stateCookieName = (state: string) => `lifeboat_sso_${state.slice(0, 16)}`;

/** What the state cookie holds. */
export interface LoginState {
  v: 1;
  kind: 'login';
  state: string;
  nonce: string;
  verifier: string;
  siteId: string;
  returnTo: string;
  /** The console's handoff challenge: base64url SHA-256 of a verifier it keeps. */
  challenge: string;
  exp: number;
}

/** What a handoff code holds. */
export interface Handoff {
  v: 1;
  kind: 'handoff';
  jti: string;
  siteId: string;
  memberId: string;
  challenge: string;
  exp: number;
}

const now = () => Math.floor(Date.now() / 1000);

/** Seals a value for a cookie or a URL fragment (AES-GCM under the server's key, ADR 0020). */
export function sealValue(box: SecretBox, value: LoginState | Handoff): string {
  return Buffer.from(box.seal(JSON.stringify(value))).toString('base64url');
}

/** Opens a sealed value of `kind`; null when tampered with, of another kind, or expired. */
export function openValue<K extends 'login' | 'handoff'>(
  box: SecretBox,
  sealed: string,
  kind: K,
): (K extends 'login' ? LoginState : Handoff) | null {
  if (!sealed || sealed.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(sealed)) return null;
  const stored = Buffer.from(sealed, 'base64url').toString('utf8');
  // SecretBox.open reads an unsealed value as plaintext (rows of older databases): a value from
  // a browser must be sealed, or anyone could write their own handoff for any staff member.
  if (!SecretBox.isSealed(stored)) return null;
  const { plain } = box.open(stored);
  if (plain === null) return null;
  try {
    const value = JSON.parse(plain) as { v?: unknown; kind?: unknown; exp?: unknown };
    if (value.v !== 1 || value.kind !== kind || typeof value.exp !== 'number') return null;
    if (value.exp <= now()) return null;
    return value as K extends 'login' ? LoginState : Handoff;
  } catch {
    return null;
  }
}

/** Whether `verifier` answers `challenge` (base64url SHA-256, as PKCE S256). */
export function answersChallenge(verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9_~.-]{43,128}$/.test(verifier)) return false;
  const a = crypto.createHash('sha256').update(verifier).digest();
  const b = Buffer.from(challenge, 'base64url');
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

export const CHALLENGE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A claim by name; a dotted name reads nested objects (Keycloak's `realm_access.roles`). */
function claimAt(claims: Record<string, unknown>, name: string): unknown {
  if (name in claims) return claims[name];
  let value: unknown = claims;
  for (const part of name.split('.')) {
    if (!value || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function ruleMatches(rule: OidcRoleRule, claims: Record<string, unknown>): boolean {
  const value = claimAt(claims, rule.claim);
  if (Array.isArray(value)) return value.some((v) => String(v) === rule.value);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value) === rule.value;
  return false;
}

/**
 * The role the claims earn on a site: the rules of the site and those of `*`; `staff` wins over
 * `moderator`; null when none matches.
 */
export function roleFromClaims(
  roles: OidcConfig['roles'],
  siteSlug: string,
  claims: Record<string, unknown>,
): 'staff' | 'moderator' | null {
  const rules = [...(roles[siteSlug] ?? []), ...(roles['*'] ?? [])];
  let role: 'staff' | 'moderator' | null = null;
  for (const rule of rules) {
    if (!ruleMatches(rule, claims)) continue;
    if (rule.role === 'staff') return 'staff';
    role = 'moderator';
  }
  return role;
}

/** A display name from the usual claims, normalized as every name (cut to 60), else "Staff". */
export function nameFromClaims(claims: Record<string, unknown>): string {
  for (const key of ['name', 'preferred_username', 'email', 'nickname']) {
    const v = claims[key];
    if (typeof v === 'string') {
      const clean = cleanText(v);
      if (clean) return clean.slice(0, 60);
    }
  }
  return 'Staff';
}

/** Issuers on loopback may be plain http (tests, a provider on the same host); others https. */
function loopbackHttp(url: URL): boolean {
  return (
    url.protocol === 'http:' &&
    ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(url.hostname.toLowerCase())
  );
}

/** The provider's discovered configuration, fetched once (again after a failure). */
export class OidcClient {
  private discovered: Promise<oidc.Configuration> | null = null;

  constructor(readonly options: OidcConfig) {}

  configuration(): Promise<oidc.Configuration> {
    if (!this.discovered) {
      const issuer = new URL(this.options.issuer);
      const { clientId, clientSecret } = this.options;
      this.discovered = oidc
        .discovery(
          issuer,
          clientId,
          clientSecret ?? undefined,
          clientSecret ? oidc.ClientSecretBasic(clientSecret) : oidc.None(),
          {
            execute: loopbackHttp(issuer) ? [oidc.allowInsecureRequests] : [],
            timeout: 10,
          },
        )
        .catch((err: unknown) => {
          this.discovered = null;
          throw err;
        });
    }
    return this.discovered;
  }

  /** The provider's authorization URL for a new sign-in, and the state to keep. */
  async begin(redirectUri: string): Promise<{
    url: URL;
    state: string;
    nonce: string;
    verifier: string;
  }> {
    const config = await this.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: this.options.scopes,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    return { url, state, nonce, verifier };
  }

  /**
   * Exchanges the code of `callbackUrl` (state, nonce and PKCE checked; the ID token's issuer,
   * audience, signature and expiry verified by openid-client) and returns the claims of the ID
   * token, with the UserInfo claims added when the provider has that endpoint.
   */
  async finish(callbackUrl: URL, login: LoginState): Promise<Record<string, unknown>> {
    const config = await this.configuration();
    const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, {
      pkceCodeVerifier: login.verifier,
      expectedState: login.state,
      expectedNonce: login.nonce,
      idTokenExpected: true,
    });
    const idClaims = tokens.claims();
    if (!idClaims) throw new Error('The provider sent no ID token.');
    let extra: Record<string, unknown> = {};
    if (config.serverMetadata().userinfo_endpoint && tokens.access_token) {
      try {
        extra = await oidc.fetchUserInfo(config, tokens.access_token, idClaims.sub);
      } catch {
        // The ID token's claims alone, then.
      }
    }
    return { ...extra, ...idClaims };
  }
}
