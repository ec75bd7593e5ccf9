/**
 * One POST of a webhook message to an endpoint, guarded like the status poller's fetches
 * (status/upstream-address.ts): http(s) only, to addresses the policy allows, checked after DNS
 * on the connection itself (so a rebinding answer cannot slip through); no redirect is followed
 * (a 3xx is a failed attempt); a timeout for the whole exchange; at most `maxResponseBytes` of
 * the answer are read, then the connection is dropped. Never throws.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressPolicy } from '../status/upstream-address.js';
import {
  guardedLookup,
  RefusedAddressError,
  systemResolve,
  type Resolve,
} from '../status/upstream-address.js';

export interface DeliveryOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  policy: AddressPolicy;
  resolve?: Resolve;
}

export interface DeliveryResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  durationMs: number;
}

/** The address policy's refusal, in the words of webhooks (its own text speaks of status pages). */
function refused(message: string): string {
  const address = /address (\S+) is not public/.exec(message)?.[1] ?? 'of the endpoint';
  return `The endpoint's address ${address} is not public (loopback, private, link-local or reserved); list it in LIFEBOAT_WEBHOOK_ALLOW to deliver to an internal receiver.`;
}

/** True for an absolute http(s) URL without credentials. */
export function isDeliverableUrl(raw: string): boolean {
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

/** Reads and drops up to `max` bytes of the answer (keeps the connection's end tidy). */
function drain(response: http.IncomingMessage, max: number): Promise<void> {
  return new Promise((resolve) => {
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > max) {
        response.destroy();
        resolve();
      }
    });
    response.once('end', resolve);
    response.once('error', () => resolve());
    response.once('close', resolve);
  });
}

export async function deliver(
  target: string,
  headers: Record<string, string>,
  body: string,
  options: DeliveryOptions,
): Promise<DeliveryResult> {
  const started = performance.now();
  const done = (ok: boolean, status: number | null, error: string | null): DeliveryResult => ({
    ok,
    status,
    error,
    durationMs: performance.now() - started,
  });
  if (!isDeliverableUrl(target)) return done(false, null, 'Only http(s) URLs receive webhooks.');
  const url = new URL(target);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (net.isIP(host)) {
    const why = options.policy.refusal(host, host);
    if (why) return done(false, null, refused(why));
  }
  const signal = AbortSignal.timeout(options.timeoutMs);
  try {
    const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
      const request = (url.protocol === 'https:' ? https : http).request(url, {
        method: 'POST',
        headers: {
          ...headers,
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'Lifeboat webhooks (+https://lifeboat.dev)',
        },
        signal,
        agent: false,
        lookup: guardedLookup(
          options.policy,
          options.resolve ?? systemResolve,
        ) as unknown as net.LookupFunction,
      });
      request.once('response', resolve);
      request.once('error', reject);
      request.end(body);
    });
    const status = response.statusCode ?? 0;
    await drain(response, options.maxResponseBytes);
    if (status >= 200 && status <= 299) return done(true, status, null);
    if (status >= 300 && status <= 399)
      return done(false, status, `Redirects are not followed (HTTP ${status}).`);
    return done(false, status, `HTTP ${status}`);
  } catch (err) {
    const e = err as Error;
    if (e instanceof RefusedAddressError) return done(false, null, refused(e.message));
    if (e.name === 'TimeoutError' || e.name === 'AbortError' || signal.aborted)
      return done(false, null, `No answer within ${options.timeoutMs} ms.`);
    return done(
      false,
      null,
      `Could not reach the endpoint (${(e.cause as Error | undefined)?.message ?? e.message}).`,
    );
  }
}
