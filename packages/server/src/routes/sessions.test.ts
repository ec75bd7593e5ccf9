/**
 * Identity through the real server: guest proof of work (always / under load / off), host-site
 * sign-in with HS256 and public keys, the admin SSO key route, staff only from verified claims.
 */
import { solveChallenge } from 'altcha-lib/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid, type GuestChallenge, type Post, type Session } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { hostClaims, keyPair, mintHostToken } from '../testing/host-tokens.js';

const ADMIN_KEY = 'admin-key-0123456789abcdefghij';
const ACME_SECRET = 'acme-host-secret-0123456789abcdef0123';
const OTHER_SECRET = 'other-host-secret-0123456789abcdef012';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

let s: TestServer;

/** Writes a site's policy straight into the database (the policy API belongs to moderation). */
async function setPolicy(server: TestServer, slug: string, policy: object): Promise<void> {
  await server.sql('UPDATE sites SET policy = ? WHERE slug = ?', JSON.stringify(policy), slug);
}

async function solved(server: TestServer, slug = 'acme'): Promise<string> {
  const res = await server.api(`/v1/sites/${slug}/sessions/challenge`);
  expect(res.status).toBe(200);
  expect(res.headers.get('cache-control')).toBe('no-store');
  const c = (await res.json()) as GuestChallenge;
  const { number } = (await solveChallenge(c.challenge, c.salt, c.algorithm, c.maxnumber).promise)!;
  return Buffer.from(JSON.stringify({ ...c, number })).toString('base64');
}

const guest = (server: TestServer, json: object, headers: Record<string, string> = {}) =>
  server.api('/v1/sites/acme/sessions', { method: 'POST', json, headers });

const exchange = (token: string, slug = 'acme') =>
  s.api(`/v1/sites/${slug}/sessions/sso`, { method: 'POST', json: { token } });

const putSso = (slug: string, json: object, headers: Record<string, string> = admin) =>
  s.api(`/v1/admin/sites/${slug}/sso`, { method: 'PUT', json, headers });

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
});
afterAll(async () => {
  await s.close();
});

describe('guest proof of work', () => {
  it("with guestChallenge 'always': 428 without a solution, 201 with one, a replay refused", async () => {
    await setPolicy(s, 'acme', { guestChallenge: 'always' });
    const before = s.count('members');
    const missing = await guest(s, { displayName: 'Gus' });
    expect(missing.status).toBe(428);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    expect(await missing.json()).toMatchObject({
      code: 'challenge_required',
      detail: expect.stringMatching(/sessions\/challenge/),
    });
    expect(s.count('members')).toBe(before);

    const altcha = await solved(s);
    const ok = await guest(s, { displayName: 'Gus', altcha });
    expect(ok.status).toBe(201);
    expect(((await ok.json()) as Session).member.displayName).toBe('Gus');

    const replay = await guest(s, { displayName: 'Gus again', altcha });
    expect(replay.status).toBe(422);
    expect(await replay.json()).toMatchObject({
      code: 'challenge_failed',
      errors: [{ field: 'altcha', message: expect.stringMatching(/already used/) }],
    });
    expect(s.count('members')).toBe(before + 1);
  });

  it('refuses a wrong number, a solution for another site and a malformed payload', async () => {
    await setPolicy(s, 'acme', { guestChallenge: 'always' });
    const altcha = await solved(s);
    const payload = JSON.parse(Buffer.from(altcha, 'base64').toString()) as { number: number };
    const wrong = Buffer.from(JSON.stringify({ ...payload, number: payload.number + 1 })).toString(
      'base64',
    );
    const res = await guest(s, { displayName: 'Gus', altcha: wrong });
    expect(res.status).toBe(422);
    expect((await res.json()).code).toBe('challenge_failed');

    const foreign = await guest(s, { displayName: 'Gus', altcha: await solved(s, 'other') });
    expect(foreign.status).toBe(422);
    expect((await foreign.json()).detail).toMatch(/another site/);

    const garbage = await guest(s, { displayName: 'Gus', altcha: 'not-base64-json' });
    expect(garbage.status).toBe(400);
    expect((await garbage.json()).code).toBe('challenge_failed');
  });

  it("with guestChallenge 'off' no proof is asked", async () => {
    await setPolicy(s, 'acme', { guestChallenge: 'off' });
    expect((await guest(s, { displayName: 'Olive' })).status).toBe(201);
    await setPolicy(s, 'acme', {});
  });

  it('keeps an HMAC fingerprint of IP + User-Agent on guests (not the IP itself)', async () => {
    const a1 = (await (
      await guest(s, { displayName: 'Fp' }, { 'user-agent': 'UA-1' })
    ).json()) as Session;
    const a2 = (await (
      await guest(s, { displayName: 'Fp' }, { 'user-agent': 'UA-1' })
    ).json()) as Session;
    const b = (await (
      await guest(s, { displayName: 'Fp' }, { 'user-agent': 'UA-2' })
    ).json()) as Session;
    const fp = async (id: string) =>
      (await s.sql<{ fingerprint: string }>('SELECT fingerprint FROM members WHERE id = ?', id))[0]!
        .fingerprint;
    expect(await fp(a1.member.id)).toMatch(/^[\w-]{43}$/);
    expect(await fp(a1.member.id)).toBe(await fp(a2.member.id));
    expect(await fp(b.member.id)).not.toBe(await fp(a1.member.id));
    expect(await fp(a1.member.id)).not.toContain('127.0.0.1');
  });
});

describe('guest proof of work under load', () => {
  it("'under_load' (the default) asks once the server made LIFEBOAT_CHALLENGE_LOAD guest sessions in a minute", async () => {
    const busy = await startTestServer({ challengeLoad: 3 });
    try {
      for (let i = 0; i < 3; i++)
        expect((await guest(busy, { displayName: `G${i}` })).status).toBe(201);
      const res = await guest(busy, { displayName: 'G4' });
      expect(res.status).toBe(428);
      expect((await res.json()).detail).toMatch(/busy/);
      expect((await guest(busy, { displayName: 'G4', altcha: await solved(busy) })).status).toBe(
        201,
      );
      // A site that switched the challenge off is not asked, load or not.
      await setPolicy(busy, 'acme', { guestChallenge: 'off' });
      expect((await guest(busy, { displayName: 'G5' })).status).toBe(201);
    } finally {
      await busy.close();
    }
  });
});

describe('signing key rotation', () => {
  it('a session signed by an older key still works after rotation; new ones use the first key', async () => {
    const OLD = 'old:old-signing-secret-0123456789';
    const NEW = 'new:new-signing-secret-0123456789';
    const first = await startTestServer({ secret: OLD });
    const before = await first.session('Rita');

    let server = await first.restart({ secret: `${NEW},${OLD}` });
    try {
      expect(before.token.split('.')[1]).toBe('old');
      const me = await server.api('/v1/sites/acme/members/me', { token: before.token });
      expect(me.status).toBe(200);
      expect((await me.json()).id).toBe(before.member.id);
      expect((await server.session('Nina')).token.split('.')[1]).toBe('new');

      server = await server.restart({ secret: NEW });
      const dropped = await server.api('/v1/sites/acme/members/me', { token: before.token });
      expect(dropped.status).toBe(401);
    } finally {
      await server.close();
    }
  });
});

describe('admin SSO keys', () => {
  it('needs the admin key', async () => {
    expect((await putSso('acme', { hs256Secret: ACME_SECRET }, {})).status).toBe(401);
    const member = await s.session('Mallory');
    const res = await putSso(
      'acme',
      { hs256Secret: ACME_SECRET },
      {
        authorization: `Bearer ${member.token}`,
      },
    );
    expect(res.status).toBe(403);
    expect((await s.api('/v1/admin/sites/acme/sso')).status).toBe(401);
  });

  it('validates the body field by field, and 404s an unknown site', async () => {
    const res = await putSso('acme', { hs256Secret: 'short', publicKeys: ['nope'] });
    expect(res.status).toBe(400);
    expect((await res.json()).errors).toEqual([
      { field: 'hs256Secret', message: expect.stringMatching(/32/) },
      { field: 'publicKeys.0', message: expect.any(String) },
    ]);
    expect((await putSso('nowhere', { hs256Secret: ACME_SECRET })).status).toBe(404);
    expect((await putSso('acme', { other: 1 })).status).toBe(400);
  });

  it('sets keys and reports only their kinds, never the secret', async () => {
    const res = await putSso('acme', { hs256Secret: ACME_SECRET });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(ACME_SECRET);
    expect(JSON.parse(text)).toEqual({ site: 'acme', hs256: true, publicKeys: [] });
    const got = await s.api('/v1/admin/sites/acme/sso', { headers: admin });
    expect(await got.json()).toEqual({ site: 'acme', hs256: true, publicKeys: [] });
    expect((await putSso('other', { hs256Secret: OTHER_SECRET })).status).toBe(200);
  });
});

describe('host-site sign-in', () => {
  beforeAll(async () => {
    await putSso('acme', { hs256Secret: ACME_SECRET });
    await putSso('other', { hs256Secret: OTHER_SECRET });
  });

  const hs = (claims: Record<string, unknown>, secret = ACME_SECRET) =>
    mintHostToken(claims, { alg: 'HS256', secret });

  it('maps the claims to one member per external id; role and badges refresh at every exchange', async () => {
    const first = await exchange(
      hs(
        hostClaims({
          id: 'cust-1',
          name: 'Casey',
          badges: ['enterprise'],
          avatar: 'https://cdn.acme.test/c.png',
        }),
      ),
    );
    expect(first.status).toBe(201);
    const a = (await first.json()) as Session;
    expect(a.member).toEqual({
      id: a.member.id,
      displayName: 'Casey',
      role: 'member',
      staff: false,
      avatarUrl: 'https://cdn.acme.test/c.png',
      badges: ['enterprise'],
    });
    const second = (await (
      await exchange(hs(hostClaims({ id: 'cust-1', name: 'Casey K.', role: 'staff', badges: [] })))
    ).json()) as Session;
    expect(second.member).toMatchObject({
      id: a.member.id,
      displayName: 'Casey K.',
      role: 'staff',
      staff: true,
    });
    expect(second.member.badges).toBeUndefined();
    const third = (await (
      await exchange(hs(hostClaims({ id: 'cust-1', name: 'Casey' })))
    ).json()) as Session;
    expect(third.member).toMatchObject({ id: a.member.id, role: 'member', staff: false });
  });

  it('the session lasts no longer than the host token', async () => {
    const exp = Math.floor(Date.now() / 1000) + 120;
    const session = (await (
      await exchange(hs(hostClaims({ id: 'short', exp })))
    ).json()) as Session;
    expect(Date.parse(session.expiresAt)).toBe(exp * 1000);
    // Expired a few seconds ago (within the clock skew): accepted, with a session that works.
    const late = await exchange(
      hs(hostClaims({ id: 'late', exp: Math.floor(Date.now() / 1000) - 5 })),
    );
    expect(late.status).toBe(201);
    const lateSession = (await late.json()) as Session;
    expect(Date.parse(lateSession.expiresAt)).toBeGreaterThan(Date.now());
    const me = await s.api('/v1/sites/acme/members/me', { token: lateSession.token });
    expect(me.status).toBe(200);
  });

  it('a staff claim shows the staff badge on posts; a guest cannot be named "Staff", and a staff-like name gets none', async () => {
    const staff = (await (
      await exchange(
        hs(hostClaims({ id: 'st-1', name: 'Sam', role: 'moderator', badges: ['team'] })),
      )
    ).json()) as Session;
    expect((await guest(s, { displayName: 'Staff' })).status).toBe(422);
    const fake = await s.session('Staffan');
    const post = async (session: Session) => {
      const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
        method: 'POST',
        token: session.token,
        headers: { 'idempotency-key': ulid() },
        json: {
          kind: 'answer',
          body: `Restarting the webhook worker helped (${session.member.displayName}).`,
        },
      });
      expect(res.status).toBe(201);
      return ((await res.json()) as Post).author;
    };
    expect(await post(staff)).toMatchObject({
      displayName: 'Sam',
      role: 'moderator',
      staff: true,
      badges: ['team'],
    });
    expect(await post(fake)).toEqual({
      id: fake.member.id,
      displayName: 'Staffan',
      role: 'member',
      staff: false,
    });
  });

  it('a token of site A exchanged at site B (another secret) is refused', async () => {
    const res = await exchange(hs(hostClaims({ id: 'cross' })), 'other');
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      code: 'unauthorized',
      detail: expect.stringMatching(/does not match/),
    });
    // And B's own token works at B, not at A.
    const b = hs(hostClaims({ id: 'cross', aud: 'other' }), OTHER_SECRET);
    expect((await exchange(b, 'other')).status).toBe(201);
    expect((await exchange(b, 'acme')).status).toBe(401);
  });

  it('refuses expired, none-alg, tampered and incomplete tokens with a reason, storing nothing', async () => {
    const before = s.count('members');
    const now = Math.floor(Date.now() / 1000);
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const good = hs(hostClaims({ id: 'tamper' }));
    const [h, , sig] = good.split('.');
    const cases: Array<[string, RegExp]> = [
      [hs(hostClaims({ exp: now - 3600 })), /expired/],
      [`${b64({ alg: 'none' })}.${b64(hostClaims({ role: 'staff' }))}.eA`, /alg "none"/],
      [`${h}.${b64(hostClaims({ id: 'tamper', role: 'staff' }))}.${sig}`, /does not match/],
      [hs(hostClaims({ id: undefined, name: 'No Id' })), /"id"/],
      [hs(hostClaims({ aud: 'other' })), /audience/],
    ];
    for (const [token, reason] of cases) {
      const res = await exchange(token);
      expect(res.status).toBe(401);
      const problem = await res.json();
      expect(problem.detail).toMatch(reason);
      expect(problem.errors).toEqual([{ field: 'token', message: problem.detail }]);
    }
    expect((await exchange('')).status).toBe(400);
    expect(s.count('members')).toBe(before);
  });

  it('ES256 and EdDSA public keys set through the admin API verify tokens', async () => {
    const es = keyPair('ES256');
    const ed = keyPair('EdDSA');
    const res = await putSso('acme', { publicKeys: [es.publicPem, ed.publicJwk] });
    expect((await res.json()).publicKeys).toEqual([
      { alg: 'ES256', kid: null, thumbprint: expect.any(String) },
      { alg: 'EdDSA', kid: null, thumbprint: expect.any(String) },
    ]);
    for (const [alg, pair] of [
      ['ES256', es],
      ['EdDSA', ed],
    ] as const) {
      const token = mintHostToken(hostClaims({ id: `pk-${alg}` }), {
        alg,
        privateKey: pair.privateKey,
      });
      expect((await exchange(token)).status).toBe(201);
    }
    // The HS256 secret stayed (the change named only publicKeys), and the PEM is not an HMAC key.
    expect((await exchange(hs(hostClaims({ id: 'still-hs' })))).status).toBe(201);
    const confused = mintHostToken(hostClaims({ role: 'staff' }), {
      alg: 'HS256',
      secret: es.publicPem,
    });
    expect((await exchange(confused)).status).toBe(401);
  });

  it('a site without keys refuses host sign-in with 403', async () => {
    await putSso('other', { hs256Secret: null });
    const res = await exchange(hs(hostClaims(), OTHER_SECRET), 'other');
    expect(res.status).toBe(403);
    expect((await res.json()).detail).toMatch(/not set up/);
  });

  it("an SSO member's name comes from the host: renaming is refused", async () => {
    const session = (await (await exchange(hs(hostClaims({ id: 'ren' })))).json()) as Session;
    const res = await s.api('/v1/sites/acme/sessions/me', {
      method: 'PATCH',
      token: session.token,
      json: { displayName: 'Someone else' },
    });
    expect(res.status).toBe(409);
  });
});
