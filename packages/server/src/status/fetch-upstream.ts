/**
 * One conditional GET of an upstream status document: http(s) only, a timeout, a size cap on
 * the body, `If-None-Match` / `If-Modified-Since`. Never throws anything but UpstreamError.
 */

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
  fetch?: typeof fetch;
}

export type UpstreamResponse =
  | { kind: 'not_modified' }
  | { kind: 'ok'; json: unknown; etag: string | null; lastModified: string | null };

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

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes)
    throw new UpstreamError(`The upstream body is larger than ${maxBytes} bytes.`);
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new UpstreamError(`The upstream body is larger than ${maxBytes} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

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
  const doFetch = options.fetch ?? fetch;
  let response: Response;
  try {
    response = await doFetch(url, {
      headers,
      redirect: 'follow',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (err) {
    const e = err as Error;
    throw new UpstreamError(
      e.name === 'TimeoutError' || e.name === 'AbortError'
        ? `No answer within ${options.timeoutMs} ms.`
        : `Could not reach the status page (${(e.cause as Error | undefined)?.message ?? e.message}).`,
    );
  }
  if (response.status === 304) {
    await response.body?.cancel().catch(() => undefined);
    return { kind: 'not_modified' };
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new UpstreamError(
      `The status page answered HTTP ${response.status}.`,
      response.status === 429 || response.status === 503
        ? retryAfterMs(response.headers.get('retry-after'))
        : null,
    );
  }
  let text: string;
  try {
    text = await readCapped(response, options.maxBytes);
  } catch (err) {
    if (err instanceof UpstreamError) throw err;
    const e = err as Error;
    throw new UpstreamError(
      e.name === 'TimeoutError' || e.name === 'AbortError'
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
    etag: response.headers.get('etag'),
    lastModified: response.headers.get('last-modified'),
  };
}
