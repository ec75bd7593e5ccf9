/**
 * Solves the server's ALTCHA proof-of-work challenge (`GET …/sessions/challenge`) with Web
 * Crypto: find the number n in [0, maxnumber] for which SHA-256(salt + n), in hex, equals
 * `challenge`. The answer goes back as base64 JSON in the guest session request (`altcha`).
 * No dependency: the server verifies with altcha-lib.
 */
import type { GuestChallenge } from '@lifeboat/protocol';

/** Digests started together; enough to keep Web Crypto busy without a huge queue. */
const BATCH = 256;

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The number that solves a challenge, or null when none in range does (or `signal` aborted). */
export async function solveChallenge(
  challenge: Pick<GuestChallenge, 'algorithm' | 'challenge' | 'maxnumber' | 'salt'>,
  signal?: AbortSignal,
): Promise<number | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('Web Crypto (crypto.subtle) is needed to start a guest session.');
  const target = challenge.challenge.toLowerCase();
  for (let start = 0; start <= challenge.maxnumber; start += BATCH) {
    if (signal?.aborted) return null;
    const end = Math.min(start + BATCH - 1, challenge.maxnumber);
    const digests = [];
    for (let n = start; n <= end; n++)
      digests.push(subtle.digest(challenge.algorithm, encoder.encode(challenge.salt + n)));
    const hashes = await Promise.all(digests);
    const found = hashes.findIndex((h) => hex(h) === target);
    if (found !== -1) return start + found;
  }
  return null;
}

/** The `altcha` field of a guest session request: the solved challenge as base64 JSON. */
export async function solveToPayload(
  challenge: GuestChallenge,
  signal?: AbortSignal,
): Promise<string | null> {
  const number = await solveChallenge(challenge, signal);
  if (number === null) return null;
  const { algorithm, challenge: value, salt, signature } = challenge;
  return btoa(JSON.stringify({ algorithm, challenge: value, number, salt, signature }));
}
