import { describe, expect, it } from 'vitest';
import { hostClaims, keyPair, mintHostToken } from '../testing/host-tokens.js';
import { MAX_HOST_TOKEN_SECONDS, verifyHostToken } from './host-token.js';
import { applySsoChange, parsePublicKey, viewOf } from './sso-keys.js';

const SECRET = 'acme-host-secret-0123456789abcdef0123';
const HS = { alg: 'HS256', secret: SECRET } as const;
const site = { audience: 'acme' };
const hsSite = { hs256Secret: SECRET };

const verify = (token: string, sso: Parameters<typeof verifyHostToken>[1] = hsSite) =>
  verifyHostToken(token, sso, site);
const reason = (token: string, sso?: Parameters<typeof verifyHostToken>[1]) => {
  const result = verify(token, sso);
  return result.ok ? 'ok' : result.reason;
};

describe('host sign-in tokens', () => {
  it('HS256: maps the claims to a member profile', () => {
    const result = verify(
      mintHostToken(
        hostClaims({
          avatar: 'https://cdn.acme.test/a.png',
          role: 'moderator',
          badges: ['enterprise', 'enterprise', 'beta'],
          aud: 'acme',
        }),
        HS,
      ),
    );
    expect(result).toMatchObject({
      ok: true,
      profile: {
        externalId: 'user-42',
        displayName: 'Dana Host',
        avatarUrl: 'https://cdn.acme.test/a.png',
        role: 'moderator',
        badges: ['enterprise', 'beta'],
      },
    });
  });

  it('ES256 and EdDSA verify with PEM and JWK public keys', () => {
    for (const alg of ['ES256', 'EdDSA'] as const) {
      const pair = keyPair(alg);
      const token = mintHostToken(hostClaims(), { alg, privateKey: pair.privateKey });
      expect(reason(token, { publicKeys: [pair.publicPem] })).toBe('ok');
      expect(reason(token, { publicKeys: [pair.publicJwk] })).toBe('ok');
      // Another key of the same kind does not.
      expect(reason(token, { publicKeys: [keyPair(alg).publicPem] })).toMatch(/does not match/);
    }
  });

  it('defaults: role member, no avatar, no badges; `sub` stands in for `id`', () => {
    const { id: _, ...claims } = hostClaims({ sub: 'from-sub' });
    const result = verify(mintHostToken(claims, HS));
    expect(result).toMatchObject({
      ok: true,
      profile: { externalId: 'from-sub', role: 'member', avatarUrl: null, badges: [] },
    });
  });

  it('refuses an expired token (beyond the clock skew) but honours the skew', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(reason(mintHostToken(hostClaims({ exp: now - 3600 }), HS))).toMatch(/expired/);
    expect(reason(mintHostToken(hostClaims({ exp: now - 10 }), HS))).toBe('ok');
  });

  it('requires exp', () => {
    const { exp: _, ...claims } = hostClaims();
    expect(reason(mintHostToken(claims, HS))).toMatch(/no "exp"/);
    expect(reason(mintHostToken(hostClaims({ exp: '2099-01-01' }), HS))).toMatch(/no "exp"/);
  });

  it('honours nbf and iat', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(reason(mintHostToken(hostClaims({ nbf: now + 600 }), HS))).toMatch(/not valid yet/);
    expect(reason(mintHostToken(hostClaims({ iat: now + 600 }), HS))).toMatch(/future/);
    expect(reason(mintHostToken(hostClaims({ nbf: now + 5 }), HS))).toBe('ok');
  });

  it('refuses a token signed with another secret (wrong key, or another site)', () => {
    const other = mintHostToken(hostClaims(), {
      alg: 'HS256',
      secret: 'other-site-secret-0123456789abcdefgh',
    });
    expect(reason(other)).toMatch(/does not match/);
  });

  it('refuses a token for another audience', () => {
    expect(reason(mintHostToken(hostClaims({ aud: 'other' }), HS))).toMatch(/audience/);
    expect(reason(mintHostToken(hostClaims({ aud: ['other', 'acme'] }), HS))).toBe('ok');
  });

  it('refuses a tampered payload', () => {
    const token = mintHostToken(hostClaims(), HS);
    const [h, , s] = token.split('.');
    const forged = Buffer.from(JSON.stringify(hostClaims({ role: 'staff' }))).toString('base64url');
    expect(reason(`${h}.${forged}.${s}`)).toMatch(/does not match/);
  });

  it('never accepts alg none (with or without a signature)', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const unsigned = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(hostClaims({ role: 'staff' }))}`;
    expect(reason(`${unsigned}.`)).toMatch(/not a signed JWT/);
    expect(reason(`${unsigned}.c2ln`)).toMatch(/alg "none"/);
    expect(reason(`${b64({ alg: 'NONE' })}.${b64(hostClaims())}.c2ln`)).toMatch(/alg "NONE"/);
    expect(reason(`${b64({ alg: 'HS512' })}.${b64(hostClaims())}.c2ln`)).toMatch(/only HS256/);
  });

  it('refuses algorithm confusion: HS256 signed with the public key PEM as the secret', () => {
    const pair = keyPair('ES256');
    const sso = { publicKeys: [pair.publicPem] };
    const confused = mintHostToken(hostClaims({ role: 'staff' }), {
      alg: 'HS256',
      secret: pair.publicPem,
    });
    expect(reason(confused, sso)).toMatch(/no HS256 secret/);
    // Even when the site also has an HS256 secret, the PEM is not it.
    expect(reason(confused, { ...sso, hs256Secret: SECRET })).toMatch(/does not match/);
    // An ES256 token never verifies against an Ed25519 key, nor EdDSA against P-256.
    const ed = keyPair('EdDSA');
    const edToken = mintHostToken(hostClaims(), { alg: 'EdDSA', privateKey: ed.privateKey });
    expect(reason(edToken, sso)).toMatch(/no EdDSA public key/);
  });

  it('refuses missing or malformed claims with a reason naming the claim', () => {
    const { id: _id, ...noId } = hostClaims();
    const { name: _name, ...noName } = hostClaims();
    expect(reason(mintHostToken(noId, HS))).toMatch(/"id"/);
    expect(reason(mintHostToken(noName, HS))).toMatch(/"name"/);
    expect(reason(mintHostToken(hostClaims({ name: '   ' }), HS))).toMatch(/"name"/);
    expect(reason(mintHostToken(hostClaims({ name: 'x'.repeat(61) }), HS))).toMatch(/"name"/);
    expect(reason(mintHostToken(hostClaims({ role: 'admin' }), HS))).toMatch(/"role"/);
    expect(reason(mintHostToken(hostClaims({ avatar: 'http://x.test/a.png' }), HS))).toMatch(
      /"avatar"/,
    );
    expect(reason(mintHostToken(hostClaims({ avatar: 'javascript:alert(1)' }), HS))).toMatch(
      /"avatar"/,
    );
    expect(reason(mintHostToken(hostClaims({ badges: 'vip' }), HS))).toMatch(/"badges"/);
    expect(reason(mintHostToken(hostClaims({ badges: ['x'.repeat(41)] }), HS))).toMatch(/"badges"/);
  });

  it('requires "aud" naming the site', () => {
    const { aud: _, ...claims } = hostClaims();
    expect(reason(mintHostToken(claims, HS))).toMatch(/no "aud"/);
    expect(reason(mintHostToken(hostClaims({ aud: [] }), HS))).toMatch(/"aud" must be "acme"/);
  });

  it('requires "iat", not in the future beyond the clock skew', () => {
    const now = Math.floor(Date.now() / 1000);
    const { iat: _, ...claims } = hostClaims();
    expect(reason(mintHostToken(claims, HS))).toMatch(/no "iat"/);
    expect(reason(mintHostToken(hostClaims({ iat: 'now' }), HS))).toMatch(/no "iat"/);
    expect(reason(mintHostToken(hostClaims({ iat: now + 30 }), HS))).toBe('ok');
  });

  it(`caps the lifetime: exp - iat at most ${MAX_HOST_TOKEN_SECONDS / 60} minutes`, () => {
    const now = Math.floor(Date.now() / 1000);
    const ok = hostClaims({ iat: now, exp: now + MAX_HOST_TOKEN_SECONDS });
    expect(reason(mintHostToken(ok, HS))).toBe('ok');
    const long = hostClaims({ iat: now, exp: now + MAX_HOST_TOKEN_SECONDS + 1 });
    expect(reason(mintHostToken(long, HS))).toMatch(/lives longer than 10 minutes/);
    // A month-long token backdated to look short is still refused: iat is required and checked.
    const backdated = hostClaims({ iat: now - 30 * 86_400, exp: now + 30 * 86_400 });
    expect(reason(mintHostToken(backdated, HS))).toMatch(/lives longer/);
  });

  it('requires a "jti" (a unique id per token) and returns it', () => {
    const { jti: _, ...claims } = hostClaims();
    expect(reason(mintHostToken(claims, HS))).toMatch(/no "jti"/);
    expect(reason(mintHostToken(hostClaims({ jti: '' }), HS))).toMatch(/no "jti"/);
    expect(reason(mintHostToken(hostClaims({ jti: 'x'.repeat(201) }), HS))).toMatch(/"jti"/);
    const result = verify(mintHostToken(hostClaims({ jti: 'once-1' }), HS));
    expect(result).toMatchObject({ ok: true, jti: 'once-1' });
  });

  it('refuses garbage and critical headers', () => {
    expect(reason('')).toMatch(/not a signed JWT/);
    expect(reason('a.b')).toMatch(/not a signed JWT/);
    expect(reason('a.b.c')).toMatch(/header/);
    expect(reason(mintHostToken(hostClaims(), HS, { crit: ['exp'] }))).toMatch(/crit/);
  });
});

describe('site SSO keys', () => {
  it('accepts P-256 and Ed25519 public keys, refuses private keys and other curves', () => {
    expect(parsePublicKey(keyPair('ES256').publicPem)).toMatchObject({ alg: 'ES256' });
    expect(parsePublicKey(keyPair('EdDSA').publicJwk)).toMatchObject({ alg: 'EdDSA' });
    const pair = keyPair('ES256');
    const privatePem = pair.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
    expect(parsePublicKey(privatePem)).toMatchObject({ error: /private key/ });
    const privateJwk = JSON.stringify(pair.privateKey.export({ format: 'jwk' }));
    expect(parsePublicKey(privateJwk)).toMatchObject({ error: /private key/ });
    expect(parsePublicKey('hello')).toMatchObject({ error: /PEM/ });
  });

  it('a change keeps what it does not name, null removes the secret, [] the keys', () => {
    const pem = keyPair('EdDSA').publicPem;
    const first = applySsoChange({}, { hs256Secret: SECRET, publicKeys: [pem] });
    expect('sso' in first && viewOf(first.sso)).toMatchObject({
      hs256: true,
      publicKeys: [{ alg: 'EdDSA' }],
    });
    if (!('sso' in first)) throw new Error('unreachable');
    const second = applySsoChange(first.sso, { hs256Secret: null });
    expect('sso' in second && second.sso).toEqual({ publicKeys: [pem.trim()] });
    const third = applySsoChange(first.sso, { publicKeys: [] });
    expect('sso' in third && third.sso).toEqual({ hs256Secret: SECRET });
  });

  it('reports field errors: a short secret, an unreadable key', () => {
    expect(applySsoChange({}, { hs256Secret: 'short', publicKeys: ['x', 'y'] })).toEqual({
      errors: [
        { field: 'hs256Secret', message: expect.stringMatching(/32 characters/) },
        { field: 'publicKeys.0', message: expect.any(String) },
        { field: 'publicKeys.1', message: expect.any(String) },
      ],
    });
  });
});
