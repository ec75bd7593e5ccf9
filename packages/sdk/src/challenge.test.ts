import { createChallenge, verifySolution } from 'altcha-lib/v1';
import { describe, expect, it } from 'vitest';
import type { GuestChallenge } from '@lifeboat/protocol';
import { createHash } from 'node:crypto';
import { sha256Prefixed, solveChallenge, solveToPayload } from './challenge.js';

const hmacKey = 'test-hmac-key';

async function challenge(number?: number, maxnumber = 5000): Promise<GuestChallenge> {
  const c = await createChallenge({
    hmacKey,
    maxnumber,
    ...(number === undefined ? {} : { number }),
    expires: new Date(Date.now() + 60_000),
    params: { site: 'acme' },
  });
  return { ...c, algorithm: 'SHA-256', maxnumber: c.maxnumber ?? maxnumber };
}

describe('proof-of-work solver', () => {
  it('finds the number altcha-lib hid, and altcha-lib accepts the payload', async () => {
    const c = await challenge();
    const payload = await solveToPayload(c);
    expect(payload).not.toBeNull();
    expect(await verifySolution(payload!, hmacKey)).toBe(true);
  });

  it('finds the first and the last number of the range', async () => {
    expect(await solveChallenge(await challenge(0, 1000))).toBe(0);
    expect(await solveChallenge(await challenge(1000, 1000))).toBe(1000);
  });

  it('a payload altcha-lib refuses: another key', async () => {
    const payload = await solveToPayload(await challenge());
    expect(await verifySolution(payload!, 'another-key')).toBe(false);
  });

  it('its SHA-256 equals the platform one, for every prefix length across block boundaries', () => {
    const out = new Int32Array(8);
    const hexOf = (words: Int32Array) =>
      Array.from(words, (w) => (w >>> 0).toString(16).padStart(8, '0')).join('');
    for (let length = 0; length <= 140; length++) {
      const prefix = 'ä?expires=1&site=acme&'.repeat(8).slice(0, length);
      const digest = sha256Prefixed(prefix);
      for (const n of [0, 7, 42, 999, 123_456, 1_000_000, 99_999_999]) {
        digest(n, out);
        expect(hexOf(out), `${length}/${n}`).toBe(
          createHash('sha256')
            .update(prefix + n)
            .digest('hex'),
        );
      }
    }
  });

  it('copes with the server default difficulty: a number near a million', async () => {
    const c = await challenge(999_999, 1_000_000);
    const payload = await solveToPayload(c);
    expect(await verifySolution(payload!, hmacKey)).toBe(true);
  }, 60_000);

  it('gives null when nothing in range solves it, or when aborted', async () => {
    const c = await challenge(900, 1000);
    expect(await solveChallenge({ ...c, maxnumber: 500 })).toBeNull();
    const controller = new AbortController();
    controller.abort();
    expect(await solveChallenge(c, controller.signal)).toBeNull();
  });
});
