/**
 * Proof-of-work difficulty (issue 16, item 10): sized for real abuse by default (a million
 * numbers, not 50,000) and configurable. (The SDK's solver at that size: packages/sdk/src/challenge.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestChallenge } from '@lifeboat/protocol';
import { solveChallenge } from 'altcha-lib/v1';
import { ConfigError, DEFAULT_CHALLENGE_MAX_NUMBER, loadConfig } from '../config.js';
import { startTestServer, type TestServer } from '../testing/harness.js';

const challengeOf = async (s: TestServer) =>
  (await (await s.api('/v1/sites/acme/sessions/challenge')).json()) as GuestChallenge;

describe('proof-of-work difficulty', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ challengeMaxNumber: null });
  });
  afterAll(async () => {
    await s.close();
  });

  it('defaults to a million numbers', async () => {
    expect(DEFAULT_CHALLENGE_MAX_NUMBER).toBe(1_000_000);
    expect((await challengeOf(s)).maxnumber).toBe(1_000_000);
  });

  it('is configurable; a solution is accepted', async () => {
    const small = await s.restart({ challengeMaxNumber: 3000 });
    s = small;
    await s.sql(
      'UPDATE sites SET policy = ? WHERE slug = ?',
      '{"guestChallenge":"always"}',
      'acme',
    );
    const c = await challengeOf(s);
    expect(c.maxnumber).toBe(3000);
    const { number } = (await solveChallenge(c.challenge, c.salt, c.algorithm, c.maxnumber)
      .promise)!;
    const altcha = Buffer.from(JSON.stringify({ ...c, number })).toString('base64');
    const res = await s.api('/v1/sites/acme/sessions', {
      method: 'POST',
      json: { displayName: 'Solver', altcha },
    });
    expect(res.status).toBe(201);
  });

  it('reads LIFEBOAT_CHALLENGE_MAX_NUMBER and refuses nonsense', () => {
    expect(loadConfig({ env: {} }).challengeMaxNumber).toBeNull();
    expect(
      loadConfig({ env: { LIFEBOAT_CHALLENGE_MAX_NUMBER: '5000000' } }).challengeMaxNumber,
    ).toBe(5_000_000);
    for (const bad of ['lots', '10', '1000000000'])
      expect(() => loadConfig({ env: { LIFEBOAT_CHALLENGE_MAX_NUMBER: bad } })).toThrow(
        ConfigError,
      );
  });
});
