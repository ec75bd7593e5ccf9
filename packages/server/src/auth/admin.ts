/** Admin-only access (`/v1/admin/…`): the admin key, never a member session. */
import type { FastifyRequest } from 'fastify';
import { problems } from '../http/problem.js';
import { bearerToken } from './tokens.js';
import { isAdminKey } from './staff.js';

/** Throws 401 without credentials and 403 for any token that is not the admin key. */
export function requireAdmin(request: FastifyRequest): void {
  const token = bearerToken(request.headers.authorization);
  if (!token)
    throw problems.unauthorized('The admin API needs the admin key (LIFEBOAT_ADMIN_KEY).');
  if (!isAdminKey(request, token)) throw problems.forbidden('The admin API needs the admin key.');
}
