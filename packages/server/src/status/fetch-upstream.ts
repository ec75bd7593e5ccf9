/**
 * One conditional GET of an upstream status document: http(s) only, a timeout, a size cap on
 * the body, `If-None-Match` / `If-Modified-Since`; only to addresses the policy allows, checked
 * after DNS resolution on the connection itself and again on every redirect (followed by hand,
 * at most 5; upstream-address.ts). Never throws anything but UpstreamError.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import {
  AddressPolicy,
  guardedLookup,
  RefusedAddressError,
  systemResolve,
  type Resolve,
} from './upstream-address.js';

export class UpstreamError extends Error {
  override name = 'UpstreamError';
  constructor(
    message: string,
    /** From a 429/503 `Retry-After`, in ms. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}

export interface FetchUpstreamOptions {
  etag: string | null;
  lastModified: string | null;
  timeoutMs: number;
  maxBytes: number;
  /** Which addresses may be connected to (default: public ones only). */
  policy?: AddressPolicy;
  /** DNS (tests give a fake one). */
  resolve?: Resolve;
}

export type UpstreamResponse =
  | { kind: 'not_modified' }
  | { kind: 'ok'; json: unknown; etag: string | null; lastModified: string | null };

/** Redirects followed, each checked like the first request. */
export const MAX_REDIRECTS = 5;

/** True for an absolute http(s) URL without credentials. */
export function isPollableUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === ''
    );
  } catch {
    return false;
  }
}

function retryAfterMs(header: string | null): number | null {
  if (!header) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

async function readCapped(response: http.IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw new UpstreamError(`The upstream body is larger than ${maxBytes} bytes.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      response.destroy();
      throw new UpstreamError(`The upstream body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const header = (response: http.IncomingMessage, name: string): string | null => {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
};

/** One GET to a checked address; resolves with the response head (body unread). */
function get(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal,
  policy: AddressPolicy,
  resolve: Resolve,
): Promise<http.IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // An address in the URL is never looked up: check it here.
  if (net.isIP(host)) {
    const why = policy.refusal(host, host);
    if (why) return Promise.reject(new RefusedAddressError(why));
  }
  return new Promise((done, fail) => {
    const request = (url.protocol === 'https:' ? https : http).get(url, {
      headers,
      signal,
      agent: false,
      lookup: guardedLookup(policy, resolve) as unknown as net.LookupFunction,
    });
    request.once('response', done);
    request.once('error', fail);
  });
}

const reached = (e: Error) =>
  `Could not reach the status page (${(e.cause as Error | undefined)?.message ?? e.message}).`;

export async function fetchUpstream(
  url: string,
  options: FetchUpstreamOptions,
): Promise<UpstreamResponse> {
  if (!isPollableUrl(url)) throw new UpstreamError('Only http(s) status URLs are polled.');
  const headers: Record<string, string> = {
    accept: 'application/json',
    'user-agent': 'Lifeboat status poller (+https://lifeboat.dev)',
  };
  if (options.etag) headers['if-none-match'] = options.etag;
  if (options.lastModified) headers['if-modified-since'] = options.lastModified;
  const policy = options.policy ?? new AddressPolicy();
  const resolve = options.resolve ?? systemResolve;
  const signal = AbortSignal.timeout(options.timeoutMs);
  const timedOut = (e: Error) =>
    e.name === 'TimeoutError' || e.name === 'AbortError' || signal.aborted;

  let target = new URL(url);
  let response: http.IncomingMessage;
  for (let hop = 0; ; hop++) {
    try {
      response = await get(target, headers, signal, policy, resolve);
    } catch (err) {
      const e = err as Error;
      if (e instanceof RefusedAddressError) throw new UpstreamError(e.message);
      throw new UpstreamError(
        timedOut(e) ? `No answer within ${options.timeoutMs} ms.` : reached(e),
      );
    }
    const status = response.statusCode ?? 0;
    const location = header(response, 'location');
    if (![301, 302, 303, 307, 308].includes(status) || !location) break;
    response.destroy();
    if (hop >= MAX_REDIRECTS)
      throw new UpstreamError(`The status page redirected more than ${MAX_REDIRECTS} times.`);
    let next: URL;
    try {
      next = new URL(location, target);
    } catch {
      throw new UpstreamError('The status page redirected to an invalid URL.');
    }
    if (!isPollableUrl(next.href))
      throw new UpstreamError('The status page redirected to a URL that is not http(s).');
    target = next;
  }

  const status = response.statusCode ?? 0;
  if (status === 304) {
    response.destroy();
    return { kind: 'not_modified' };
  }
  if (status < 200 || status > 299) {
    response.destroy();
    throw new UpstreamError(
      `The status page answered HTTP ${status}.`,
      status === 429 || status === 503 ? retryAfterMs(header(response, 'retry-after')) : null,
    );
  }
  let text: string;
  try {
    text = await readCapped(response, options.maxBytes);
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    const e = err as Error;
    throw new UpstreamError(
      timedOut(e)
        ? `No answer within ${options.timeoutMs} ms.`
        : `The status page's answer broke off (${e.message}).`,
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UpstreamError('The status page did not answer with valid JSON.');
  }
  return {
    kind: 'ok',
    json,
    etag: header(response, 'etag'),
    lastModified: header(response, 'last-modified'),
  };
}
