/**
 * Host sign-in through the real server (issue 16, item 9): a host token is exchanged once (its
 * `jti` is claimed in the shared state, so a second use is refused, on another instance too when
 * they share PostgreSQL), it lives at most 10 minutes, and a staff member demoted on the host
 * site loses staff powers on every session at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@lifeboat/protocol';
import { startTestServer, TEST_ENGINE, type TestServer } from '../testing/harness.js';
import { hostClaims, mintHostToken } from '../testing/host-tokens.js';

const ADMIN_KEY = 'admin-key-0123456789abcdefghij';
const SECRET = 'acme-host-secret-0123456789abcdef0123';

let s: TestServer;

const hs = (claims: Record<string, unknown>) =>
  mintHostToken(claims, { alg: 'HS256', secret: SECRET });
const exchange = (server: TestServer, token: string) =>
  server.api('/v1/sites/acme/sessions/sso', { method: 'POST', json: { token } });
/** A staff-only read: the moderation queue. */
const queue = (server: TestServer, token: string) =>
  server.api('/v1/sites/acme/moderation/queue', { token });

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  const res = await s.api('/v1/admin/sites/acme/sso', {
    method: 'PUT',
    token: ADMIN_KEY,
    json: { hs256Secret: SECRET },
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await s.close();
});

describe('host tokens are used once', () => {
  it('a second exchange of the same token is refused (401), storing nothing', async () => {
    const token = hs(hostClaims({ id: 'once-1' }));
    expect((await exchange(s, token)).status).toBe(201);
    const members = s.count('members');
    const replay = await exchange(s, token);
    expect(replay.status).toBe(401);
    expect(await replay.json()).toMatchObject({
      code: 'unauthorized',
      errors: [{ field: 'token', message: expect.stringMatching(/already used/) }],
    });
    expect(s.count('members')).toBe(members);
    // Another token of the same person (a new jti) signs in.
    expect((await exchange(s, hs(hostClaims({ id: 'once-1' })))).status).toBe(201);
  });

  it('20 parallel exchanges of one token make one session', async () => {
    const token = hs(hostClaims({ id: 'once-par' }));
    const codes = await Promise.all(
      Array.from({ length: 20 }, async () => (await exchange(s, token)).status),
    );
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
    expect(codes.filter((c) => c === 401)).toHaveLength(19);
  });

  it('a token without aud, iat or jti, or living past 10 minutes, is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const without = (claim: string) => {
      const claims = hostClaims({ id: `no-${claim}` });
      delete claims[claim];
      return hs(claims);
    };
    for (const [token, reason] of [
      [without('aud'), /"aud"/],
      [without('iat'), /"iat"/],
      [without('jti'), /"jti"/],
      [hs(hostClaims({ id: 'long', iat: now, exp: now + 3600 })), /longer than 10 minutes/],
    ] as const) {
      const res = await exchange(s, token);
      expect(res.status).toBe(401);
      expect((await res.json()).detail).toMatch(reason);
    }
  });

  describe.runIf(TEST_ENGINE === 'postgres')('two instances on one PostgreSQL database', () => {
    it('a token used on one instance is refused on the other', async () => {
      const b = await startTestServer({ adminKey: ADMIN_KEY, databaseUrl: s.data.databaseUrl });
      try {
        const token = hs(hostClaims({ id: 'twice-across' }));
        expect((await exchange(s, token)).status).toBe(201);
        const replay = await exchange(b, token);
        expect(replay.status).toBe(401);
        expect((await replay.json()).detail).toMatch(/already used/);
      } finally {
        await b.close();
      }
    });
  });
});

describe('role changes', () => {
  it('an SSO session lasts no longer than its host token (at most 10 minutes)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const res = await exchange(s, hs(hostClaims({ id: 'mod-life', role: 'moderator' })));
    const session = (await res.json()) as Session;
    expect(Date.parse(session.expiresAt)).toBeLessThanOrEqual((now + 600 + 60) * 1000);
  });

  it('a moderator demoted on the host site loses staff powers on every session at once', async () => {
    const first = (await (
      await exchange(s, hs(hostClaims({ id: 'mod-1', name: 'Mo', role: 'moderator' })))
    ).json()) as Session;
    expect((await queue(s, first.token)).status).toBe(200);
    // The host's next token for the same person says "member": the exchange records it.
    const demoted = await exchange(s, hs(hostClaims({ id: 'mod-1', name: 'Mo', role: 'member' })));
    expect(demoted.status).toBe(201);
    // The earlier session, still unexpired, is no longer staff on its very next request.
    const after = await queue(s, first.token);
    expect(after.status).toBe(403);
  });

  it('a staff member demoted in the store loses staff powers on the next request', async () => {
    const token = await s.staffToken('Sam Demoted');
    expect((await queue(s, token)).status).toBe(200);
    await s.sql("UPDATE members SET role = 'member' WHERE display_name = ?", 'Sam Demoted');
    expect((await queue(s, token)).status).toBe(403);
  });
});
