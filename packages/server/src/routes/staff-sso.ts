/**
 * Staff sign-in with OpenID Connect (docs/staff-sign-in.md, ADR 0030). The first route is always
 * there; the others only when `LIFEBOAT_OIDC_ISSUER` is set:
 *
 * - `GET  /v1/staff/sso` — `{ name }`: the console shows "Sign in with <name>" (null: off).
 * - `GET  /v1/staff/sso/start?site&return&challenge` — 302 to the provider (code flow, PKCE S256,
 *   state, nonce), the login state in a sealed HttpOnly SameSite=Lax cookie scoped to the callback.
 * - `GET  /v1/staff/sso/callback` — the provider's redirect: checks state, exchanges the code
 *   (PKCE, nonce, ID token issuer/audience/signature), maps claims to a role on the site (403 page
 *   without one), creates or refreshes the staff member, and sends the browser back to the return
 *   URL with a one-time handoff code in the fragment (never sent to a server, never logged).
 * - `POST /v1/staff/sso/session {code, verifier}` — the console trades the code (once, within 60
 *   s, with the verifier of the challenge it started with) for a staff session token.
 *
 * The return URL must be on the server's public origin or one of the site's listed origins (no
 * open redirect). The admin key is never involved: it stays for automation.
 */
import crypto from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problems, ProblemError } from '../http/problem.js';
import { signToken } from '../auth/tokens.js';
import {
  answersChallenge,
  CALLBACK_PATH,
  CHALLENGE_PATTERN,
  HANDOFF_SECONDS,
  LOGIN_STATE_SECONDS,
  nameFromClaims,
  OidcClient,
  openValue,
  roleFromClaims,
  sealValue,
  SSO_SESSION_SECONDS,
  stateCookieName,
} from '../auth/staff-oidc.js';
import { memberSummary, type SiteRecord } from '../store/store.js';

const escapeHtml = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

/** A small page for the browser when sign-in cannot finish (a clear sentence, a way back). */
function page(reply: FastifyReply, status: number, title: string, detail: string, back?: string) {
  const link = back ? `<p><a href="${escapeHtml(back)}">Back to the console</a></p>` : '';
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .header(
      'content-security-policy',
      "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'",
    )
    .send(
      `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>${escapeHtml(title)}</title>` +
        `<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem}h1{font-size:1.4rem}</style></head>` +
        `<body><main><h1>${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p>${link}</main></body></html>`,
    );
}

/** openid-client's message, or the more precise one of its cause (which claim did not match). */
function reasonOf(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const message = cause instanceof Error ? cause.message : (err as Error).message;
  return message.replace(/\.$/, '');
}

/** Where the browser may be sent back to: the public origin or an origin the site lists. */
function allowedReturn(raw: string, site: SiteRecord, publicOrigin: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  const ok = url.origin === publicOrigin || site.origins.some((o) => o !== '*' && o === url.origin);
  if (!ok) return null;
  url.hash = '';
  return url.href;
}

function cookie(name: string, value: string, secure: boolean, maxAge: number): string {
  return `${name}=${value}; Path=${CALLBACK_PATH}; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

function readCookie(request: FastifyRequest, name: string): string | null {
  const header = request.headers.cookie ?? '';
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

const query = (request: FastifyRequest, name: string): string => {
  const v = (request.query as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : '';
};

export async function staffSsoRoutes(app: FastifyInstance): Promise<void> {
  const { config, store, secrets, keys, shared, limits } = app.lifeboat;
  const options = config.oidc;

  // Always there, so a console asks without a failed request in the browser's console.
  app.get(
    '/v1/staff/sso',
    {
      schema: {
        operationId: 'staffSignInProvider',
        summary:
          'Whether staff can sign in with an OpenID Connect provider: its name for the "Sign in with …" button, or null.',
        response: {
          200: {
            type: 'object',
            required: ['name'],
            additionalProperties: false,
            properties: { name: { type: ['string', 'null'] } },
          },
        },
      },
    },
    async (_request, reply) => {
      reply.header('access-control-allow-origin', '*').header('cache-control', 'no-store');
      return { name: options?.name ?? null };
    },
  );
  if (!options) return;
  if (!config.publicOrigin)
    throw new Error(
      'LIFEBOAT_OIDC_ISSUER needs LIFEBOAT_PUBLIC_ORIGIN (the redirect URI is <origin>/v1/staff/sso/callback).',
    );
  const publicOrigin = config.publicOrigin;
  const client = new OidcClient(options);
  const redirectUri = `${publicOrigin}${CALLBACK_PATH}`;
  const secure = publicOrigin.startsWith('https:');

  app.get('/v1/staff/sso/start', async (request, reply) => {
    await limits.sessions.hit(request.ip, reply);
    const slug = query(request, 'site');
    const site = slug ? await store.getSiteBySlug(slug) : null;
    if (!site) return page(reply, 400, 'Sign-in could not start', `There is no site "${slug}".`);
    const returnTo = allowedReturn(query(request, 'return'), site, publicOrigin);
    if (!returnTo)
      return page(
        reply,
        400,
        'Sign-in could not start',
        "The return address is not this server's or one of the site's origins.",
      );
    const challenge = query(request, 'challenge');
    if (!CHALLENGE_PATTERN.test(challenge))
      return page(reply, 400, 'Sign-in could not start', 'The console sent no valid challenge.');
    let begun;
    try {
      begun = await client.begin(redirectUri);
    } catch (err) {
      request.log.error({ err }, 'staff sign-in: the identity provider could not be reached');
      return page(
        reply,
        502,
        'Sign-in is unavailable',
        `The identity provider (${options.name}) could not be reached. Try again in a minute.`,
        returnTo,
      );
    }
    const sealed = sealValue(secrets, {
      v: 1,
      kind: 'login',
      state: begun.state,
      nonce: begun.nonce,
      verifier: begun.verifier,
      siteId: site.id,
      returnTo,
      challenge,
      exp: Math.floor(Date.now() / 1000) + LOGIN_STATE_SECONDS,
    });
    return reply
      .header(
        'set-cookie',
        cookie(stateCookieName(begun.state), sealed, secure, LOGIN_STATE_SECONDS),
      )
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(begun.url.href, 302);
  });

  app.get('/v1/staff/sso/callback', async (request, reply) => {
    const state = query(request, 'state');
    const name = state.length >= 16 ? stateCookieName(state) : null;
    const sealed = name ? readCookie(request, name) : null;
    const login = sealed ? openValue(secrets, sealed, 'login') : null;
    if (name) reply.header('set-cookie', cookie(name, '', secure, 0));
    if (!login || login.state !== state)
      return page(
        reply,
        400,
        'Sign-in failed',
        'This sign-in was not started in this browser, has expired, or was already used. Start again from the console.',
      );
    const providerError = query(request, 'error');
    if (providerError)
      return page(
        reply,
        400,
        'Sign-in failed',
        `${options.name} refused the sign-in: ${query(request, 'error_description') || providerError}.`,
        login.returnTo,
      );
    const site = await store.getSiteById(login.siteId);
    if (!site) return page(reply, 400, 'Sign-in failed', 'The site no longer exists.');
    let claims: Record<string, unknown>;
    try {
      claims = await client.finish(new URL(request.url, publicOrigin), login);
    } catch (err) {
      request.log.warn({ err }, 'staff sign-in: the code exchange or the ID token was refused');
      return page(
        reply,
        400,
        'Sign-in failed',
        `The answer from ${options.name} could not be verified (${reasonOf(err)}). Start again from the console.`,
        login.returnTo,
      );
    }
    const role = roleFromClaims(options.roles, site.slug, claims);
    const who = nameFromClaims(claims);
    if (!role)
      return page(
        reply,
        403,
        'No staff role on this site',
        `You signed in as ${who}, but your account has no staff or moderator role on ${site.name}: none of your groups or claims is mapped to one (LIFEBOAT_OIDC_ROLES). Ask an administrator to add you to the right group.`,
        login.returnTo,
      );
    const member = await store.upsertSsoMember(site.id, {
      externalId: `oidc:${String(claims['sub'])}`,
      displayName: who,
      avatarUrl: null,
      role,
      badges: [],
    });
    const code = sealValue(secrets, {
      v: 1,
      kind: 'handoff',
      jti: crypto.randomBytes(16).toString('base64url'),
      siteId: site.id,
      memberId: member.id,
      challenge: login.challenge,
      exp: Math.floor(Date.now() / 1000) + HANDOFF_SECONDS,
    });
    return reply
      .header('cache-control', 'no-store')
      .header('referrer-policy', 'no-referrer')
      .redirect(`${login.returnTo}#lifeboat_sso=${code}`, 303);
  });

  const cors = (reply: FastifyReply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type')
      .header('access-control-max-age', '600')
      .header('cache-control', 'no-store');

  app.options('/v1/staff/sso/session', async (_request, reply) => cors(reply).code(204).send());

  app.post<{ Body: { code: string; verifier: string } }>(
    '/v1/staff/sso/session',
    {
      schema: {
        body: {
          type: 'object',
          required: ['code', 'verifier'],
          additionalProperties: false,
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 4096 },
            verifier: { type: 'string', minLength: 43, maxLength: 128 },
          },
        },
      },
    },
    async (request, reply) => {
      cors(reply);
      const handoff = openValue(secrets, request.body.code, 'handoff');
      if (!handoff || !answersChallenge(request.body.verifier, handoff.challenge))
        throw problems.unauthorized('The sign-in code is invalid or expired. Sign in again.');
      if (!(await shared.claimOnce(`staff-sso:${handoff.jti}`, handoff.exp * 1000 + 1000)))
        throw problems.unauthorized('The sign-in code was already used. Sign in again.');
      const [site, member] = await Promise.all([
        store.getSiteById(handoff.siteId),
        store.getMember(handoff.siteId, handoff.memberId),
      ]);
      if (
        !site ||
        !member ||
        member.deletedAt ||
        (member.role !== 'staff' && member.role !== 'moderator')
      )
        throw new ProblemError(403, 'forbidden', 'This account no longer has a staff role here.');
      const exp = Math.floor(Date.now() / 1000) + SSO_SESSION_SECONDS;
      const token = signToken(keys, {
        sub: member.id,
        site: site.id,
        name: member.displayName,
        exp,
      });
      return {
        token,
        site: site.slug,
        member: memberSummary(member),
        expiresAt: new Date(exp * 1000).toISOString(),
      };
    },
  );
}
