/**
 * Staff access: the admin key (`Authorization: Bearer <LIFEBOAT_ADMIN_KEY>`) or the session of a
 * member whose role is staff or moderator on the request's site. Display names never grant it.
 */
import crypto from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { problems } from '../http/problem.js';
import type { MemberRecord } from '../store/store.js';
import { bearerToken } from './tokens.js';
import { requireMember } from './member.js';

export type StaffActor = { kind: 'admin' } | { kind: 'member'; member: MemberRecord };

export function isAdminKey(request: FastifyRequest, token: string): boolean {
  const key = request.server.lifeboat.config.adminKey;
  if (!key) return false;
  const a = crypto.createHash('sha256').update(token).digest();
  const b = crypto.createHash('sha256').update(key).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Resolves the staff actor of a request, or throws 401 (no credentials) / 403 (not staff). */
export async function requireStaff(request: FastifyRequest): Promise<StaffActor> {
  const token = bearerToken(request.headers.authorization);
  if (!token) throw problems.unauthorized('Staff access needs the admin key or a staff session.');
  if (isAdminKey(request, token)) return { kind: 'admin' };
  const member = await requireMember(request);
  if (member.role !== 'staff' && member.role !== 'moderator') throw problems.forbidden();
  return { kind: 'member', member };
}
