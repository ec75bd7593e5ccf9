/**
 * Solves the server's ALTCHA proof-of-work challenge (`GET …/sessions/challenge`): find the number n in [0, maxnumber] for which SHA-256(salt + n), in hex, equals
 * `challenge`. The answer goes back as base64 JSON in the guest session request (`altcha`).
 * SHA-256 runs in plain JavaScript from the salt's midstate (Web Crypto for any other algorithm).
 * No dependency: the server verifies with altcha-lib.
 */
import type { GuestChallenge } from '@lifeboat/protocol';

/** Digests started together on the Web Crypto path (other algorithms than SHA-256). */
const BATCH = 256;
/** SHA-256 path: the clock is read every this many numbers… */
const CHUNK = 1024;
/** …and the page gets the main thread back after this many milliseconds of hashing. */
const SLICE_MS = 20;

/**
 * Hands the main thread back for a moment. A message on a fresh channel, not `setTimeout(0)`,
 * which browsers clamp to 4 ms after a few nested calls (a second over a million numbers).
 */
function yieldToPage(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => {
    const { port1, port2 } = new MessageChannel();
    port1.onmessage = () => {
      port1.close();
      resolve();
    };
    port2.postMessage(null);
  });
}

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  const bytes = new Uint8Array(buffer);
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** The first 32 bits of the fractional parts of the square (H) and cube (K) roots of primes. */
function roots(count: number, power: number): Int32Array {
  const out = new Int32Array(count);
  for (let n = 2, i = 0; i < count; n++) {
    let prime = true;
    for (let d = 2; d * d <= n; d++) if (n % d === 0) prime = false;
    if (!prime) continue;
    const root = Math.pow(n, 1 / power);
    out[i++] = ((root - Math.floor(root)) * 2 ** 32) | 0;
  }
  return out;
}

let K: Int32Array | null = null;
let H0: Int32Array | null = null;
const W = new Int32Array(64);

/** One SHA-256 compression of the 16 big-endian words `m` into `h`. */
function compress(h: Int32Array, m: Int32Array): void {
  const k = (K ??= roots(64, 3));
  for (let i = 0; i < 16; i++) W[i] = m[i]!;
  for (let i = 16; i < 64; i++) {
    const x = W[i - 15]!;
    const y = W[i - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!,
    b = h[1]!,
    c = h[2]!,
    d = h[3]!,
    e = h[4]!,
    f = h[5]!,
    g = h[6]!,
    j = h[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (j + s1 + ((e & f) ^ (~e & g)) + k[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    j = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + j) | 0;
}

/**
 * SHA-256 of `prefix + n` for many n, in plain JavaScript: the prefix's whole 64-byte blocks are
 * hashed once (the midstate), and each n costs one or two compressions and no allocation. About
 * 20 times the speed of one Web Crypto call per digest, which is what lets the server ask for a
 * real proof of work (up to a million digests) without keeping a phone busy for long.
 */
export function sha256Prefixed(prefix: string): (n: number, out: Int32Array) => void {
  const bytes = encoder.encode(prefix);
  const whole = bytes.length - (bytes.length % 64);
  const mid = new Int32Array((H0 ??= roots(8, 2)));
  const m = new Int32Array(16);
  const block = new Uint8Array(128);
  const words = (from: number) => {
    for (let i = 0; i < 16; i++) {
      const o = from + i * 4;
      m[i] = (block[o]! << 24) | (block[o + 1]! << 16) | (block[o + 2]! << 8) | block[o + 3]!;
    }
  };
  for (let o = 0; o < whole; o += 64) {
    block.set(bytes.subarray(o, o + 64));
    words(0);
    compress(mid, m);
  }
  const rest = bytes.subarray(whole);
  return (n, out) => {
    const digits = String(n);
    block.fill(0);
    block.set(rest);
    let len = rest.length;
    for (let i = 0; i < digits.length; i++) block[len++] = digits.charCodeAt(i);
    block[len] = 0x80;
    const blocks = len + 9 > 64 ? 2 : 1;
    const bits = (bytes.length + digits.length) * 8;
    const end = blocks * 64;
    block[end - 4] = bits >>> 24;
    block[end - 3] = (bits >>> 16) & 255;
    block[end - 2] = (bits >>> 8) & 255;
    block[end - 1] = bits & 255;
    out.set(mid);
    words(0);
    compress(out, m);
    if (blocks === 2) {
      words(64);
      compress(out, m);
    }
  };
}

/** The number that solves a challenge, or null when none in range does (or `signal` aborted). */
export async function solveChallenge(
  challenge: Pick<GuestChallenge, 'algorithm' | 'challenge' | 'maxnumber' | 'salt'>,
  signal?: AbortSignal,
): Promise<number | null> {
  const target = challenge.challenge.toLowerCase();
  if (challenge.algorithm.toUpperCase() === 'SHA-256' && /^[0-9a-f]{64}$/.test(target)) {
    const want = new Int32Array(8);
    for (let i = 0; i < 8; i++) want[i] = parseInt(target.slice(i * 8, i * 8 + 8), 16) | 0;
    const digest = sha256Prefixed(challenge.salt);
    const out = new Int32Array(8);
    let sliceStart = Date.now();
    for (let start = 0; start <= challenge.maxnumber; start += CHUNK) {
      if (signal?.aborted) return null;
      const end = Math.min(start + CHUNK - 1, challenge.maxnumber);
      for (let n = start; n <= end; n++) {
        digest(n, out);
        if (out[0] === want[0] && out.every((w, i) => w === want[i])) return n;
      }
      // Let the page breathe between slices.
      if (Date.now() - sliceStart >= SLICE_MS) {
        await yieldToPage();
        sliceStart = Date.now();
      }
    }
    return null;
  }
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new Error('Web Crypto (crypto.subtle) is needed to start a guest session.');
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
