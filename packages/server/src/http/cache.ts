/** ETag and Cache-Control for cacheable reads (fit for a CDN in front of the server). */
import crypto from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const CACHE_SNAPSHOT = 'public, max-age=5, stale-while-revalidate=30';
export const CACHE_REVALIDATE = 'public, max-age=0, must-revalidate';
export const CACHE_PRIVATE = 'private, no-store';

export function hashEtag(value: unknown): string {
  return `"${crypto.createHash('sha1').update(JSON.stringify(value)).digest('base64url').slice(0, 22)}"`;
}

export function weakEtag(...parts: Array<string | number>): string {
  return `W/"${crypto.createHash('sha1').update(parts.join('\u0000')).digest('base64url').slice(0, 22)}"`;
}

/** True when `If-None-Match` matches (weak comparison, `*` too). */
export function notModified(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (!header) return false;
  const strip = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || strip(t) === strip(etag));
}

/** Sets ETag + Cache-Control; answers 304 when the client has it. Returns true when it replied. */
export function replyCached(
  request: FastifyRequest,
  reply: FastifyReply,
  etag: string,
  cacheControl: string,
): boolean {
  reply.header('ETag', etag).header('Cache-Control', cacheControl);
  if (notModified(request, etag)) {
    reply.code(304).send();
    return true;
  }
  return false;
}
