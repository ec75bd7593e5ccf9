/** A tiny static file responder: content types, ETag/304, path-traversal safe, streams from disk. */
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { notModified } from './cache.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Resolves `relative` inside `root`; null when it escapes the root, does not exist, or is not a
 * file (a directory resolves to its index.html).
 */
export async function resolveStatic(
  root: string,
  relative: string,
): Promise<{ file: string; stat: fs.Stats } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const base = path.resolve(root);
  let file = path.resolve(base, '.' + path.posix.normalize('/' + decoded.replace(/\\/g, '/')));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  try {
    let stat = await fs.promises.stat(file);
    if (stat.isDirectory()) {
      file = path.join(file, 'index.html');
      stat = await fs.promises.stat(file);
    }
    return stat.isFile() ? { file, stat } : null;
  } catch {
    return null;
  }
}

/** Sends a resolved file with its type, ETag and the given headers (304 when unchanged). */
export function sendStatic(
  request: FastifyRequest,
  reply: FastifyReply,
  found: { file: string; stat: fs.Stats },
  headers: Record<string, string>,
): FastifyReply {
  const etag = `W/"${found.stat.size.toString(16)}-${Math.floor(found.stat.mtimeMs).toString(16)}"`;
  reply
    .headers(headers)
    .header('ETag', etag)
    .header('Last-Modified', found.stat.mtime.toUTCString());
  if (notModified(request, etag)) return reply.code(304).send();
  reply.type(TYPES[path.extname(found.file).toLowerCase()] ?? 'application/octet-stream');
  reply.header('Content-Length', String(found.stat.size));
  if (request.method === 'HEAD') return reply.send();
  return reply.send(fs.createReadStream(found.file));
}
