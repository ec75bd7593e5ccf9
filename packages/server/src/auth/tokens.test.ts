import { describe, expect, it } from 'vitest';
import { parseSigningKeys, signToken, verifyToken } from './tokens.js';

const claims = { sub: 'm1', site: 's1', name: 'Ann', exp: Math.floor(Date.now() / 1000) + 60 };

describe('session tokens', () => {
  it('reads `kid:secret` entries; the first key signs', () => {
    const keys = parseSigningKeys('new:secret-new-0123456789, old:secret-old-0123456789');
    expect(keys.map((k) => k.kid)).toEqual(['new', 'old']);
    expect(signToken(keys, claims).split('.')[1]).toBe('new');
  });

  it('after a rotation, a token signed by the older key still verifies', () => {
    const before = parseSigningKeys('old:secret-old-0123456789');
    const token = signToken(before, claims);
    const after = parseSigningKeys('new:secret-new-0123456789,old:secret-old-0123456789');
    expect(verifyToken(after, token)).toEqual(claims);
    // New tokens use the new key, and the old key alone cannot verify them.
    const fresh = signToken(after, claims);
    expect(fresh.split('.')[1]).toBe('new');
    expect(verifyToken(before, fresh)).toBeNull();
  });

  it('once the old key is dropped, its tokens stop verifying', () => {
    const token = signToken(parseSigningKeys('old:secret-old-0123456789'), claims);
    expect(verifyToken(parseSigningKeys('new:secret-new-0123456789'), token)).toBeNull();
  });

  it('refuses a tampered payload, a forged kid, and an expired token', () => {
    const keys = parseSigningKeys('k1:secret-one-0123456789,k2:secret-two-0123456789');
    const token = signToken(keys, claims);
    const [v, kid, payload, sig] = token.split('.') as [string, string, string, string];
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'admin' })).toString('base64url');
    expect(verifyToken(keys, `${v}.${kid}.${forged}.${sig}`)).toBeNull();
    expect(verifyToken(keys, `${v}.k2.${payload}.${sig}`)).toBeNull();
    expect(verifyToken(keys, token, claims.exp + 1)).toBeNull();
    expect(verifyToken(keys, 'not.a.token')).toBeNull();
  });
});
