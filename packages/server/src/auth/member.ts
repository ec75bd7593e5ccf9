/** Resolves the member behind `Authorization: Bearer …` for the request's site, or throws 401. */
import type { FastifyRequest } from 'fastify';
import type { Session } from '@lifeboat/protocol';
import { problems } from '../http/problem.js';
import { memberSummary, type MemberRecord, type SiteRecord } from '../store/store.js';
import { bearerToken, signToken, verifyToken } from './tokens.js';

/**
 * The member a bearer token names on a site, read once per request (the write limits and the
 * route both ask): null when the token is not valid for the site or names no member.
 */
const seen = new WeakMap<FastifyRequest, Promise<MemberRecord | null>>();

export function bearerMember(
  request: FastifyRequest,
  siteId: string,
  token: string,
): Promise<MemberRecord | null> {
  let found = seen.get(request);
  if (!found) {
    const { keys, store } = request.server.lifeboat;
    const claims = verifyToken(keys, token);
    found =
      claims && claims.site === siteId
        ? store.getMember(siteId, claims.sub)
        : Promise.resolve(null);
    seen.set(request, found);
  }
  return found;
}

export async function requireMember(request: FastifyRequest): Promise<MemberRecord> {
  const site = request.site!;
  const token = bearerToken(request.headers.authorization);
  if (!token) throw problems.unauthorized();
  const member = await bearerMember(request, site.id, token);
  if (!member)
    throw problems.unauthorized('The session token is invalid, expired, or for another site.');
  if (member.deletedAt)
    throw problems.unauthorized('This member erased their data; start a new session.');
  return member;
}

/**
 * Signs a fresh session token for a member; it lasts the server's token lifetime, or less when
 * `notAfter` (seconds since the epoch: a host token's expiry) comes first.
 */
export function issueSession(
  request: FastifyRequest,
  site: SiteRecord,
  member: MemberRecord,
  notAfter?: number,
): Session {
  const { keys, config } = request.server.lifeboat;
  const longest = Math.floor(Date.now() / 1000) + config.tokenTtlSeconds;
  const exp = notAfter === undefined ? longest : Math.min(longest, Math.floor(notAfter));
  const token = signToken(keys, { sub: member.id, site: site.id, name: member.displayName, exp });
  return { token, member: memberSummary(member), expiresAt: new Date(exp * 1000).toISOString() };
}
