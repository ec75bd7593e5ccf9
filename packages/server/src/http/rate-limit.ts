/**
 * Fixed-window rate limits, counted in the shared state (cluster/shared-state.ts): in memory for
 * one process over SQLite, in PostgreSQL when instances share it, so a client over its limit on
 * one instance is over it on every other. Over the limit → 429 problem `rate_limited`
 * with `Retry-After` and the `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` headers
 * (draft-ietf-httpapi-ratelimit-headers names; Reset is seconds until the window ends). When one
 * request passes several limiters the headers describe the tightest one (fewest remaining).
 *
 * `registerWriteLimits` applies the per-IP, per-member and per-staff write limits to every
 * write (POST/PUT/PATCH/DELETE) of the site scope, and the admin limits to the admin scope, before
 * authorization and validation. Route-specific limits (guest sessions per IP, posts and flags per
 * member) are hit by their routes, before any content check.
 */
import { clientKey } from '../realtime/stream-limits.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isAdminKey } from '../auth/staff.js';
import { bearerMember } from '../auth/member.js';
import { bearerToken } from '../auth/tokens.js';
import type { SiteRecord } from '../store/store.js';
import { ProblemError } from './problem.js';
import { MemorySharedState, type SharedState } from '../cluster/shared-state.js';

export const RATE_LIMIT_HEADERS = [
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
] as const;

export class RateLimiter {
  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly shared: SharedState = new MemorySharedState(),
    /** Names this limiter's counters (two limiters never share a key). */
    private readonly name = 'limit',
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for `key`; sets the RateLimit headers; throws a 429 problem when over. */
  async hit(key: string, reply: FastifyReply): Promise<void> {
    if (this.limit === Infinity) return; // LIFEBOAT_RATE_LIMITS=off
    const w = await this.shared.hit(`rl:${this.name}:${key}`, this.windowMs);
    const t = this.now();
    const reset = Math.max(1, Math.ceil((w.resetAt - t) / 1000));
    const remaining = Math.max(0, this.limit - w.count);
    const headers = {
      'RateLimit-Limit': String(this.limit),
      'RateLimit-Remaining': String(remaining),
      'RateLimit-Reset': String(reset),
    };
    if (w.count > this.limit) {
      throw new ProblemError(
        429,
        'rate_limited',
        `Too many requests; try again in ${reset} s.`,
        undefined,
        { ...headers, 'Retry-After': String(reset) },
        reset,
      );
    }
    // Several limiters on one request: the headers tell the one closest to refusing.
    const previous = reply.getHeader('RateLimit-Remaining');
    if (previous !== undefined && Number(previous) < remaining) return;
    reply.headers(headers);
  }
}

/** Who a write counts against: the bearer's member (when the token is valid for the site). */
type WriteActor = { kind: 'staff'; key: string } | { kind: 'member'; key: string } | null;

async function writeActor(request: FastifyRequest, site: SiteRecord): Promise<WriteActor> {
  const token = bearerToken(request.headers.authorization);
  if (!token) return null;
  if (isAdminKey(request, token)) return { kind: 'staff', key: 'admin' };
  const member = await bearerMember(request, site.id, token);
  if (!member || member.deletedAt) return null;
  return member.role === 'staff' || member.role === 'moderator'
    ? { kind: 'staff', key: `staff:${member.id}` }
    : { kind: 'member', key: `member:${member.id}` };
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Registers the write limits of a scope, as onRequest hooks: before authorization, body parsing,
 * validation and any content check.
 * - `site` (the `/v1/sites/:site` scope; on its write routes, after the scope's hook resolved
 *   `request.site`, before the route's own hooks): every write
 *   by staff (admin key, staff/moderator session) counts only against the generous per-staff
 *   limit; everyone else's against the per-IP limit (`request.ip`, which follows X-Forwarded-For
 *   only from LIFEBOAT_TRUST_PROXY peers) and, with a valid session, the per-member one. Reads
 *   are not counted.
 * - `admin` (the `/v1/admin` scope): the admin key's writes count as staff; any other request,
 *   read or write, counts per IP, so the key cannot be guessed at speed.
 */
export function registerWriteLimits(scope: FastifyInstance, kind: 'site' | 'admin'): void {
  const { limits } = scope.lifeboat;
  if (kind === 'admin') {
    scope.addHook('onRequest', async (request, reply) => {
      const token = bearerToken(request.headers.authorization);
      if (token && isAdminKey(request, token)) {
        if (!READS.has(request.method)) await limits.staffWrites.hit('admin', reply);
      } else if (request.method !== 'OPTIONS') {
        await limits.writes.hit(`ip:${clientKey(request.ip)}`, reply);
      }
    });
    return;
  }
  const countWrite = async (request: FastifyRequest, reply: FastifyReply) => {
    const actor = await writeActor(request, request.site);
    if (actor?.kind === 'staff') {
      await limits.staffWrites.hit(actor.key, reply);
      return;
    }
    await limits.writes.hit(`ip:${clientKey(request.ip)}`, reply);
    if (actor) await limits.memberWrites.hit(actor.key, reply);
  };
  // Write routes only (reads pay nothing), first among the route's own hooks (before its
  // authentication).
  scope.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (methods.every((method) => READS.has(method.toUpperCase()))) return;
    const own = route.onRequest ? [route.onRequest].flat() : [];
    route.onRequest = [countWrite, ...own];
  });
}
