/**
 * Authentication as route hooks, run at `onRequest`: after the scope's site, CORS and write limits,
 * before the body is parsed or validated. A caller without the right credentials learns nothing
 * about what a valid body looks like: an anonymous call gets 401 and a member calling a staff
 * route 403, whatever it sent.
 *
 * `onRequest: memberOnly` (or `staffOnly`, `adminOnly`) in the route options; the handler reads
 * who it was with `memberOf(request)` / `staffOf(request)` (resolved once per request).
 */
import type { FastifyRequest } from 'fastify';
import { requireAdmin } from '../auth/admin.js';
import { requireMember } from '../auth/member.js';
import { requireStaff, type StaffActor } from '../auth/staff.js';
import type { MemberRecord } from '../store/store.js';

const members = new WeakMap<FastifyRequest, MemberRecord>();
const staff = new WeakMap<FastifyRequest, StaffActor>();

/** A member session of the request's site (401 otherwise). */
export async function memberOnly(request: FastifyRequest): Promise<void> {
  members.set(request, await requireMember(request));
}

/** Staff of the request's site: a staff/moderator session or the admin key (401, 403). */
export async function staffOnly(request: FastifyRequest): Promise<void> {
  staff.set(request, await requireStaff(request));
}

/** The admin key (401 without credentials, 403 for any other token). */
export async function adminOnly(request: FastifyRequest): Promise<void> {
  requireAdmin(request);
}

/** The member `memberOnly` resolved (resolved now on a route without the hook). */
export async function memberOf(request: FastifyRequest): Promise<MemberRecord> {
  return members.get(request) ?? requireMember(request);
}

/** The staff actor `staffOnly` resolved (resolved now on a route without the hook). */
export async function staffOf(request: FastifyRequest): Promise<StaffActor> {
  return staff.get(request) ?? requireStaff(request);
}
