import type { Problem } from '@lifeboat/protocol';
import { LifeboatError } from './client-types.js';

/** The part of `fetch` the client uses; Node 20's global `fetch` and any browser's fit. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** The fetch cache mode (`no-cache`: revalidate whatever copy a cache holds). */
  cache?: RequestCache;
}

/** One JSON call to the site's API: resolves with the parsed body, rejects with a LifeboatError. */
export type Request = <T>(method: string, path: string, options?: RequestOptions) => Promise<T>;

/** Codes for error responses that carry no problem+json (a proxy, a CDN); others are `internal`. */
const STATUS_CODES: Record<number, Problem['code']> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  413: 'payload_too_large',
  429: 'rate_limited',
};

export function networkError(cause: unknown): LifeboatError {
  return new LifeboatError({
    title: 'Network error',
    status: 0,
    code: 'network',
    detail: cause instanceof Error ? cause.message : undefined,
  });
}

/** A snapshot and its validator. */
export interface Revalidated<T> {
  value: T;
  etag: string | null;
}

/**
 * A conditional GET of a snapshot: with the ETag held, `If-None-Match`; resolves with null when
 * the server answers 304 Not Modified, else with the new snapshot and its ETag. `fresh`: with
 * `cache: 'no-cache'`, so the browser revalidates any copy it holds instead of reusing it
 * (snapshots are cacheable for seconds, docs/server/cdn.md).
 */
export type Revalidate = <T>(
  path: string,
  etag: string | null,
  fresh?: boolean,
) => Promise<Revalidated<T> | null>;

interface Exchange {
  response: Response;
  data: unknown;
}

/** One call: the response and its parsed JSON body; network failures as LifeboatErrors. */
async function exchange(
  fetchFn: FetchLike,
  url: string,
  method: string,
  { body, token, headers, cache }: RequestOptions,
): Promise<Exchange> {
  const init: RequestInit = { method, headers: { accept: 'application/json', ...headers } };
  if (cache) init.cache = cache;
  const h = init.headers as Record<string, string>;
  if (body !== undefined) {
    h['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (token) h.authorization = `Bearer ${token}`;

  let response: Response;
  let text: string;
  try {
    response = await fetchFn(url, init);
    text = await response.text();
  } catch (error) {
    throw networkError(error);
  }
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: an error response below gets a problem made from the status line.
  }
  if (response.ok && data === undefined && text) throw problemOf(response, undefined);
  return { response, data };
}

function problemOf(response: Response, data: unknown): LifeboatError {
  const problem = (data ?? {}) as Partial<Problem>;
  const retryAfter = Number(response.headers.get('retry-after'));
  return new LifeboatError({
    title: problem.title ?? (response.statusText || `HTTP ${response.status}`),
    status: response.status,
    code: problem.code ?? STATUS_CODES[response.status] ?? 'internal',
    detail: problem.detail,
    errors: problem.errors,
    retryAfter: problem.retryAfter ?? (retryAfter > 0 ? retryAfter : undefined),
  });
}

export function createRequest(base: string, fetchFn: FetchLike): Request {
  return async <T>(method: string, path: string, options: RequestOptions = {}) => {
    const { response, data } = await exchange(fetchFn, base + path, method, options);
    if (!response.ok) throw problemOf(response, data);
    return data as T;
  };
}

export function createRevalidate(base: string, fetchFn: FetchLike): Revalidate {
  return async <T>(path: string, etag: string | null, fresh = false) => {
    const headers: Record<string, string> = etag ? { 'if-none-match': etag } : {};
    const { response, data } = await exchange(fetchFn, base + path, 'GET', {
      headers,
      ...(fresh ? { cache: 'no-cache' as const } : {}),
    });
    if (response.status === 304) return null;
    if (!response.ok) throw problemOf(response, data);
    return { value: data as T, etag: response.headers.get('etag') };
  };
}

/** Anything thrown, as a LifeboatError (a bug of ours becomes `internal`, status 0). */
export function toLifeboatError(error: unknown): LifeboatError {
  if (error instanceof LifeboatError) return error;
  return new LifeboatError({
    title: 'Unexpected error',
    status: 0,
    code: 'internal',
    detail: String(error),
  });
}
