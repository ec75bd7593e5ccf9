import type { Problem } from '@lifeboat/protocol';
import { LifeboatError } from './client-types.js';

/** The part of `fetch` the client uses; Node 20's global `fetch` and any browser's fit. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
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

export function createRequest(base: string, fetchFn: FetchLike): Request {
  return async <T>(method: string, path: string, { body, token, headers }: RequestOptions = {}) => {
    const init: RequestInit = { method, headers: { accept: 'application/json', ...headers } };
    const h = init.headers as Record<string, string>;
    if (body !== undefined) {
      h['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    if (token) h.authorization = `Bearer ${token}`;

    let response: Response;
    let text: string;
    try {
      response = await fetchFn(base + path, init);
      text = await response.text();
    } catch (error) {
      throw networkError(error);
    }
    let data: unknown;
    try {
      data = text ? JSON.parse(text) : undefined;
    } catch {
      // Not JSON: fall through to a problem made from the status line.
    }
    if (response.ok && (data !== undefined || !text)) return data as T;

    const problem = (data ?? {}) as Partial<Problem>;
    const retryAfter = Number(response.headers.get('retry-after'));
    throw new LifeboatError({
      title: problem.title ?? (response.statusText || `HTTP ${response.status}`),
      status: response.status,
      code: problem.code ?? STATUS_CODES[response.status] ?? 'internal',
      detail: problem.detail,
      errors: problem.errors,
      retryAfter: problem.retryAfter ?? (retryAfter > 0 ? retryAfter : undefined),
    });
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
