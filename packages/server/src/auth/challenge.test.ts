import { solveChallenge } from 'altcha-lib/v1';
import { describe, expect, it } from 'vitest';
import type { GuestChallenge } from '@lifeboat/protocol';
import { MemorySharedState } from '../cluster/shared-state.js';
import { GuestChallenges, GuestLoad } from './challenge.js';
import { parseSigningKeys } from './tokens.js';

const keys = parseSigningKeys('k1:challenge-secret-0123456789');

async function solve(c: GuestChallenge, number?: number): Promise<string> {
  const found =
    number ?? (await solveChallenge(c.challenge, c.salt, c.algorithm, c.maxnumber).promise)!.number;
  return Buffer.from(JSON.stringify({ ...c, number: found })).toString('base64');
}

describe('guest proof of work', () => {
  it('accepts a solved challenge once; a replay is refused', async () => {
    const challenges = new GuestChallenges(keys, { maxNumber: 2000 });
    const payload = await solve(await challenges.create('site-a'));
    expect(await challenges.redeem('site-a', payload)).toEqual({ ok: true });
    expect(await challenges.redeem('site-a', payload)).toMatchObject({
      ok: false,
      status: 422,
      message: expect.stringMatching(/already used/),
    });
  });

  it('refuses a wrong number, another site, a malformed payload', async () => {
    const challenges = new GuestChallenges(keys, { maxNumber: 2000 });
    const c = await challenges.create('site-a');
    const good = JSON.parse(Buffer.from(await solve(c), 'base64').toString()) as { number: number };
    const wrong = await solve(c, (good.number + 1) % 2001);
    expect(await challenges.redeem('site-a', wrong)).toMatchObject({
      ok: false,
      status: 422,
      message: expect.stringMatching(/wrong/),
    });
    expect(await challenges.redeem('site-b', await solve(c))).toMatchObject({
      ok: false,
      message: expect.stringMatching(/another site/),
    });
    expect(await challenges.redeem('site-a', 'bm90IGpzb24=')).toMatchObject({
      ok: false,
      status: 400,
    });
  });

  it('refuses an expired challenge', async () => {
    let now = Date.now();
    const challenges = new GuestChallenges(keys, {
      maxNumber: 1000,
      ttlMs: 60_000,
      now: () => now,
    });
    const c = await challenges.create('site-a');
    const payload = await solve(c);
    now += 61_000;
    expect(await challenges.redeem('site-a', payload)).toMatchObject({
      ok: false,
      message: expect.stringMatching(/expired/),
    });
  });

  it('a challenge signed before a key rotation still verifies', async () => {
    const before = new GuestChallenges(keys, { maxNumber: 1000 });
    const payload = await solve(await before.create('site-a'));
    const rotated = parseSigningKeys(
      'k2:challenge-secret-new-012345,k1:challenge-secret-0123456789',
    );
    expect(await new GuestChallenges(rotated).redeem('site-a', payload)).toEqual({ ok: true });
    const dropped = parseSigningKeys('k2:challenge-secret-new-012345');
    expect(await new GuestChallenges(dropped).redeem('site-a', payload)).toMatchObject({
      ok: false,
    });
  });
});

describe('guest session load', () => {
  it('counts the sessions of the last minute against the threshold', async () => {
    let now = 1_040_000; // 20 s into a one-minute window (they start at multiples of 60 s)
    const load = new GuestLoad(3, () => now);
    await load.record();
    await load.record();
    expect(await load.underLoad()).toBe(false);
    await load.record();
    expect(await load.count()).toBe(3);
    expect(await load.underLoad()).toBe(true);
    now += 30_000; // 50 s into the window
    await load.record();
    expect(await load.count()).toBe(4);
    now += 40_000; // 30 s into the next window: half of the last one still counts
    expect(await load.count()).toBe(2);
    expect(await load.underLoad()).toBe(false);
    now += 60_000; // a minute later: none
    expect(await load.count()).toBe(0);
  });

  it('counts across instances that share the state', async () => {
    const now = 1_020_000;
    const shared = new MemorySharedState(() => now);
    const a = new GuestLoad(3, () => now, shared);
    const b = new GuestLoad(3, () => now, shared);
    await a.record();
    await b.record();
    await a.record();
    expect(await b.underLoad()).toBe(true);
  });
});
