/**
 * Proof of work before a guest session (ALTCHA, `altcha-lib`): challenges bound to one site and
 * valid for a few minutes, each solution accepted once, and the server's guest-session load.
 *
 * "Under load" means: at least `threshold` guest sessions were created (all instances, all sites)
 * in the last minute (`LIFEBOAT_CHALLENGE_LOAD`). Used solutions and the load live in the shared
 * state (cluster/shared-state.ts): a solution used on one instance is refused on every other.
 */
import crypto from 'node:crypto';
import { createChallenge, extractParams, verifySolution } from 'altcha-lib/v1';
import type { GuestChallenge } from '@lifeboat/protocol';
import { DEFAULT_CHALLENGE_MAX_NUMBER } from '../config.js';
import type { SigningKey } from './tokens.js';
import { MemorySharedState, type SharedState } from '../cluster/shared-state.js';

/**
 * Numbers a solver may have to try by default (LIFEBOAT_CHALLENGE_MAX_NUMBER): about 500,000
 * SHA-256 digests on average, a second or two on a phone with the SDK's solver; cost figures in
 * docs/server/configuration.md.
 */
export const CHALLENGE_MAX_NUMBER = DEFAULT_CHALLENGE_MAX_NUMBER;
/** How long a challenge can be solved and redeemed. */
export const CHALLENGE_TTL_MS = 5 * 60_000;

export type ChallengeVerdict = { ok: true } | { ok: false; status: 400 | 422; message: string };

interface Solution {
  algorithm: 'SHA-256';
  challenge: string;
  number: number;
  salt: string;
  signature: string;
}

function decode(payload: string): Solution | null {
  try {
    const value = JSON.parse(Buffer.from(payload, 'base64').toString('utf8')) as Partial<Solution>;
    if (
      value &&
      value.algorithm === 'SHA-256' &&
      typeof value.challenge === 'string' &&
      typeof value.salt === 'string' &&
      typeof value.signature === 'string' &&
      typeof value.number === 'number' &&
      Number.isInteger(value.number) &&
      value.number >= 0
    )
      return value as Solution;
  } catch {
    // fall through
  }
  return null;
}

/** The ALTCHA HMAC key of a signing key (never the signing secret itself). */
const altchaKey = (key: SigningKey) =>
  crypto.createHmac('sha256', key.secret).update('lifeboat-altcha').digest('hex');

export class GuestChallenges {
  constructor(
    private readonly keys: readonly SigningKey[],
    private readonly options: {
      maxNumber?: number;
      ttlMs?: number;
      now?: () => number;
      shared?: SharedState;
    } = {},
    private readonly shared: SharedState = options.shared ?? new MemorySharedState(options.now),
  ) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  /** A fresh challenge for a site, signed with the first key. */
  async create(siteId: string): Promise<GuestChallenge> {
    const key = this.keys[0];
    if (!key) throw new Error('No signing key configured.');
    const challenge = await createChallenge({
      algorithm: 'SHA-256',
      hmacKey: altchaKey(key),
      maxnumber: this.options.maxNumber ?? CHALLENGE_MAX_NUMBER,
      expires: new Date(this.now() + (this.options.ttlMs ?? CHALLENGE_TTL_MS)),
      params: { site: siteId },
    });
    return {
      algorithm: 'SHA-256',
      challenge: challenge.challenge,
      maxnumber: challenge.maxnumber ?? this.options.maxNumber ?? CHALLENGE_MAX_NUMBER,
      salt: challenge.salt,
      signature: challenge.signature,
    };
  }

  /** Checks a solution for a site and, when good, marks it used until its challenge expires. */
  async redeem(siteId: string, payload: string): Promise<ChallengeVerdict> {
    const solution = decode(payload);
    if (!solution)
      return {
        ok: false,
        status: 400,
        message:
          'The proof of work is not a base64 ALTCHA payload {algorithm, challenge, number, salt, signature}.',
      };
    const params = extractParams(solution);
    const expires = Number(params['expires']) * 1000;
    if (params['site'] !== siteId)
      return { ok: false, status: 422, message: 'The proof of work was made for another site.' };
    if (!Number.isFinite(expires))
      return { ok: false, status: 422, message: 'The proof of work is not one of ours.' };
    if (expires <= this.now())
      return {
        ok: false,
        status: 422,
        message: 'The proof-of-work challenge expired; fetch a new one and solve it again.',
      };
    let valid = false;
    for (const key of this.keys) {
      // The expiry was checked above, against our clock.
      if (await verifySolution(solution, altchaKey(key), false)) {
        valid = true;
        break;
      }
    }
    if (!valid)
      return {
        ok: false,
        status: 422,
        message: 'The proof of work is wrong (the number does not solve the signed challenge).',
      };
    if (!(await this.shared.claimOnce(`pow:${solution.signature}`, expires)))
      return {
        ok: false,
        status: 422,
        message: 'This proof of work was already used; each solution starts one session only.',
      };
    return { ok: true };
  }
}

const LOAD_WINDOW_MS = 60_000;

/**
 * Guest sessions created in the last minute, all instances together: counted in fixed one-minute
 * windows and read as a sliding minute (this window plus the part of the last one that still
 * falls in the minute, in proportion).
 */
export class GuestLoad {
  constructor(
    readonly threshold: number,
    private readonly now: () => number = Date.now,
    private readonly shared: SharedState = new MemorySharedState(now),
  ) {}

  async record(): Promise<void> {
    await this.shared.hit('guest-load', LOAD_WINDOW_MS);
  }

  /** Sessions created in about the last 60 seconds. */
  async count(): Promise<number> {
    const { current, previous, start } = await this.shared.peek('guest-load', LOAD_WINDOW_MS);
    const elapsed = Math.min(1, Math.max(0, (this.now() - start) / LOAD_WINDOW_MS));
    return current + Math.floor(previous * (1 - elapsed));
  }

  async underLoad(): Promise<boolean> {
    return (await this.count()) >= this.threshold;
  }
}
