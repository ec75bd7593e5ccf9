/** Resolves the member behind `Authorization: Bearer …` for the request's site, or throws 401. */
import type { FastifyRequest } from 'fastify';
import type { Session } from '@lifeboat/protocol';
import { problems } from '../http/problem.js';
import { memberSummary, type MemberRecord, type SiteRecord } from '../store/store.js';
import { bearerToken, signToken, verifyToken } from './tokens.js';

export async function requireMember(request: FastifyRequest): Promise<MemberRecord> {
  const { keys, store } = request.server.lifeboat;
  const site = request.site!;
  const token = bearerToken(request.headers.authorization);
  if (!token) throw problems.unauthorized();
  const claims = verifyToken(keys, token);
  if (!claims || claims.site !== site.id)
    throw problems.unauthorized('The session token is invalid, expired, or for another site.');
  const member = await store.getMember(site.id, claims.sub);
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
