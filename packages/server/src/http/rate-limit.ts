/**
 * In-memory fixed-window rate limits (per process). Over the limit → 429 problem `rate_limited`
 * with `Retry-After` and the `RateLimit-Limit/Remaining/Reset` headers (IETF draft names).
 */
import type { FastifyReply } from 'fastify';
import { ProblemError } from './problem.js';

interface Window {
  count: number;
  resetAt: number;
}

export class RateLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one hit for `key`; sets the RateLimit headers; throws a 429 problem when over. */
  hit(key: string, reply: FastifyReply): void {
    if (this.limit === Infinity) return; // LIFEBOAT_RATE_LIMITS=off
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || w.resetAt <= t) {
      if (this.windows.size > 10_000) this.sweep(t);
      w = { count: 0, resetAt: t + this.windowMs };
      this.windows.set(key, w);
    }
    w.count++;
    const reset = Math.max(1, Math.ceil((w.resetAt - t) / 1000));
    const headers = {
      'RateLimit-Limit': String(this.limit),
      'RateLimit-Remaining': String(Math.max(0, this.limit - w.count)),
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
    reply.headers(headers);
  }

  private sweep(t: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= t) this.windows.delete(k);
  }
}
