/**
 * Sessions: guests (`POST /v1/sites/:site/sessions`, with a proof of work when the site asks for
 * one), host-site sign-in (`POST …/sessions/sso`), the ALTCHA challenge (`GET …/sessions/challenge`)
 * and the guest's rename (`PATCH …/sessions/me`). docs/identity.md.
 */
import { clientKey } from '../realtime/stream-limits.js';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { LIMITS, type SitePolicy } from '@lifeboat/protocol';
import * as S from '@lifeboat/protocol/schemas';
import { CHALLENGE_MAX_NUMBER, GuestChallenges, GuestLoad } from '../auth/challenge.js';
import { guestFingerprint } from '../auth/fingerprint.js';
import { CLOCK_SKEW_SECONDS, verifyHostToken } from '../auth/host-token.js';
import { issueSession } from '../auth/member.js';
import { readSiteSso } from '../auth/site-sso.js';
import { memberOf, memberOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import type { SnapshotCache } from '../http/snapshot-cache.js';
import { cleanText, reservedName } from '../content/display-name.js';
import { findWord } from '../moderation/policy.js';
import type { SiteRecord, Store } from '../store/store.js';
import { AuthHeaders, SiteParams, problemResponses } from './schemas.js';

/**
 * A guest's display name as stored (issue 16): NFKC, invisible and bidi characters removed,
 * whitespace collapsed. Refused: nothing visible left (400), longer than the limit once
 * normalized (400), a banned word of the site (422 `content_rejected`), or a name kept for the
 * site and its staff — its name, a staff member's, a role like "Support" (422).
 */
async function guestName(
  store: Store,
  site: SiteRecord,
  policy: SitePolicy,
  raw: string,
): Promise<string> {
  const name = cleanText(raw);
  if (!name)
    throw problems.field('displayName', 'Choose a display name with letters or digits in it.');
  if (name.length > LIMITS.displayName.max)
    throw problems.field(
      'displayName',
      `Use at most ${LIMITS.displayName.max} characters (this name is longer once normalized).`,
    );
  const banned = findWord(name, policy.bannedWords);
  if (banned) {
    const message = `“${banned}” is not allowed on this site. Choose another name.`;
    throw new ProblemError(422, 'content_rejected', message, [{ field: 'displayName', message }]);
  }
  const reserved = reservedName(name, {
    siteName: site.name,
    siteSlug: site.slug,
    staffNames: await store.staffNames(site.id),
  });
  if (reserved) throw problems.field('displayName', reserved, 422);
  return name;
}

export const sessionRoutes: FastifyPluginAsyncTypebox<{ snapshots: SnapshotCache }> = async (
  app,
  { snapshots },
) => {
  const { store, limits, keys, config } = app.lifeboat;
  const challenges = new GuestChallenges(keys, {
    shared: app.lifeboat.shared,
    maxNumber: config.challengeMaxNumber ?? CHALLENGE_MAX_NUMBER,
  });
  const load = new GuestLoad(config.challengeLoad, Date.now, app.lifeboat.shared);

  app.get(
    '/v1/sites/:site/sessions/challenge',
    {
      schema: {
        operationId: 'getSessionChallenge',
        summary:
          'An ALTCHA proof-of-work challenge for a guest session (solve it, send it as `altcha`).',
        params: SiteParams,
        response: { 200: S.GuestChallenge, ...problemResponses },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'no-store');
      return challenges.create(request.site.id);
    },
  );

  app.post(
    '/v1/sites/:site/sessions',
    {
      schema: {
        operationId: 'createSession',
        summary:
          'Starts a guest session; returns a signed token. 428 `challenge_required` when the site asks for a proof of work first. The display name is normalized (NFKC, no invisible or bidi characters); 400 when nothing visible is left, 422 for a name kept for the site and its staff.',
        params: SiteParams,
        body: S.CreateSessionRequest,
        response: { 201: S.Session, ...problemResponses },
      },
    },
    async (request, reply) => {
      // The limit first: nothing reads the name before it.
      await limits.sessions.hit(`ip:${clientKey(request.ip)}`, reply);
      const { site } = request;
      const policy = await store.getSitePolicy(site.id);
      const name = await guestName(store, site, policy, request.body.displayName);
      const { guestChallenge } = policy;
      const required =
        guestChallenge === 'always' ||
        (guestChallenge === 'under_load' && (await load.underLoad()));
      const { altcha } = request.body;
      if (altcha !== undefined) {
        const verdict = await challenges.redeem(site.id, altcha);
        if (!verdict.ok)
          throw new ProblemError(verdict.status, 'challenge_failed', verdict.message, [
            { field: 'altcha', message: verdict.message },
          ]);
      } else if (required) {
        throw new ProblemError(
          428,
          'challenge_required',
          guestChallenge === 'always'
            ? 'This site asks new guests for a proof of work: GET sessions/challenge, solve it, and send the solution as `altcha`.'
            : 'The server is busy and asks new guests for a proof of work: GET sessions/challenge, solve it, and send the solution as `altcha`.',
        );
      }
      const member = await store.createMember({
        siteId: site.id,
        kind: 'guest',
        displayName: name,
        role: 'member',
        fingerprint: guestFingerprint(keys, request.ip, request.headers['user-agent']),
      });
      await load.record();
      reply.code(201).header('Cache-Control', CACHE_PRIVATE);
      return issueSession(request, site, member);
    },
  );

  app.post(
    '/v1/sites/:site/sessions/sso',
    {
      schema: {
        operationId: 'createSsoSession',
        summary:
          "Exchanges a token signed by the host site (JWT: HS256, ES256 or EdDSA with the site's key) for a session of that member.",
        params: SiteParams,
        body: S.SsoSessionRequest,
        response: { 201: S.Session, ...problemResponses },
      },
    },
    async (request, reply) => {
      const { site } = request;
      const sso = await readSiteSso(store, app.lifeboat.secrets, site.id, request.log);
      if (!sso.hs256Secret && !sso.publicKeys?.length)
        throw problems.forbidden(
          `Host sign-in is not set up for site "${site.slug}" (no HS256 secret or public key).`,
        );
      const result = verifyHostToken(request.body.token, sso, { audience: site.slug });
      if (!result.ok)
        throw new ProblemError(401, 'unauthorized', result.reason, [
          { field: 'token', message: result.reason },
        ]);
      // Each host token signs in once (on every instance): a copied or replayed one is refused.
      const claim = `host-jti:${site.id}:${result.jti}`;
      if (!(await app.lifeboat.shared.claimOnce(claim, (result.exp + CLOCK_SKEW_SECONDS) * 1000))) {
        const reason =
          'This sign-in token was already used; mint a fresh one (with a new "jti") for each sign-in.';
        throw new ProblemError(401, 'unauthorized', reason, [{ field: 'token', message: reason }]);
      }
      // The host vouches for its members' names; they are cleaned like a guest's all the same.
      const ssoName = cleanText(result.profile.displayName).slice(0, LIMITS.displayName.max);
      if (!ssoName)
        throw new ProblemError(401, 'unauthorized', 'The "name" claim has no visible characters.', [
          { field: 'token', message: 'The "name" claim has no visible characters.' },
        ]);
      const member = await store.upsertSsoMember(site.id, {
        ...result.profile,
        displayName: ssoName,
      });
      reply.code(201).header('Cache-Control', CACHE_PRIVATE);
      // The session ends with the host token; one accepted within the clock skew still gets
      // those seconds, not a session born expired.
      const notAfter = Math.max(result.exp, Date.now() / 1000 + CLOCK_SKEW_SECONDS);
      return issueSession(request, site, member, notAfter);
    },
  );

  app.patch(
    '/v1/sites/:site/sessions/me',
    {
      schema: {
        operationId: 'renameSession',
        summary: "Changes a guest's display name; returns a fresh token for the same member.",
        params: SiteParams,
        headers: AuthHeaders,
        body: S.RenameSessionRequest,
        response: { 200: S.Session, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply) => {
      const member = await memberOf(request);
      const { site } = request;
      if (member.kind === 'sso')
        throw new ProblemError(
          409,
          'conflict',
          'This name comes from your sign-in on the host site; change it there.',
        );
      const name =
        member.kind === 'guest'
          ? await guestName(
              store,
              site,
              await store.getSitePolicy(site.id),
              request.body.displayName,
            )
          : cleanText(request.body.displayName);
      if (!name) throw problems.field('displayName', 'Choose a display name.');
      const renamed = await store.renameMember(site.id, member.id, name);
      if (!renamed) throw problems.unauthorized();
      // Posts show their author's name, and a rename writes no event.
      if (renamed.displayName !== member.displayName) snapshots.forgetSite(site.id);
      reply.header('Cache-Control', CACHE_PRIVATE);
      return issueSession(request, site, renamed);
    },
  );
};
