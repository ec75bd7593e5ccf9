import { describe, expect, it } from 'vitest';
import { memberSummary } from './store.js';

const base = { id: 'm1', displayName: 'Acme Support' };

describe('memberSummary', () => {
  it('staff only for a verified identity (sso or staff kind) with a staff or moderator role', () => {
    expect(memberSummary({ ...base, kind: 'sso', role: 'staff' }).staff).toBe(true);
    expect(memberSummary({ ...base, kind: 'sso', role: 'moderator' }).staff).toBe(true);
    expect(memberSummary({ ...base, kind: 'staff', role: 'moderator' }).staff).toBe(true);
    expect(memberSummary({ ...base, kind: 'sso', role: 'member' }).staff).toBe(false);
    // A guest never, whatever its row says and whatever its name.
    expect(memberSummary({ ...base, kind: 'guest', role: 'staff' }).staff).toBe(false);
  });

  it('avatar and badges only from verified claims, and only when set', () => {
    const sso = memberSummary({
      ...base,
      kind: 'sso',
      role: 'member',
      avatarUrl: 'https://cdn.acme.test/a.png',
      badges: ['enterprise'],
    });
    expect(sso).toMatchObject({ avatarUrl: 'https://cdn.acme.test/a.png', badges: ['enterprise'] });
    const bare = memberSummary({
      ...base,
      kind: 'sso',
      role: 'member',
      avatarUrl: null,
      badges: [],
    });
    expect(bare).toEqual({ id: 'm1', displayName: 'Acme Support', role: 'member', staff: false });
    const guest = memberSummary({ ...base, kind: 'guest', role: 'member', badges: ['vip'] });
    expect(guest.badges).toBeUndefined();
  });
});
