import { describe, expect, it } from 'vitest';
import { ulid, ulidTime } from './ulid.js';
import { ULID_PATTERN } from './limits.js';

describe('ulid', () => {
  it('is 26 Crockford base32 characters', () => {
    expect(ulid()).toMatch(new RegExp(ULID_PATTERN));
  });

  it('encodes its time and sorts by it', () => {
    const earlier = ulid(1_700_000_000_000);
    const later = ulid(1_700_000_000_001);
    expect(ulidTime(earlier)).toBe(1_700_000_000_000);
    expect(earlier < later).toBe(true);
  });

  it('differs between calls in the same millisecond', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => ulid(42)));
    expect(ids.size).toBe(1000);
  });
});
