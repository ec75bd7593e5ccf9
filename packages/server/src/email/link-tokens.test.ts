import { describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import { parseSigningKeys } from '../auth/tokens.js';
import { linkToken, readLinkToken } from './link-tokens.js';
import { headerText } from './messages.js';

const keys = parseSigningKeys('k1:first-secret-0123456789abcdef');
const id = ulid();

describe('email link tokens', () => {
  it('name their subscription for their purpose only, until they expire', () => {
    const now = Date.now();
    const confirm = linkToken(keys, 'confirm', id, now + 60_000);
    expect(readLinkToken(keys, 'confirm', confirm, now)).toBe(id);
    expect(readLinkToken(keys, 'unsubscribe', confirm, now)).toBeNull();
    expect(readLinkToken(keys, 'confirm', confirm, now + 60_001)).toBeNull();
    const unsubscribe = linkToken(keys, 'unsubscribe', id, null);
    expect(readLinkToken(keys, 'unsubscribe', unsubscribe, now + 10 * 365 * 86_400_000)).toBe(id);
    expect(readLinkToken(keys, 'confirm', linkToken(keys, 'confirm', id, null), now)).toBeNull();
  });

  it('refuse a changed id, expiry or signature, and other keys; survive a rotation', () => {
    const token = linkToken(keys, 'confirm', id, Date.now() + 60_000);
    const parts = token.split('.');
    const other = ulid();
    expect(
      readLinkToken(keys, 'confirm', [...parts.slice(0, 3), other, ...parts.slice(4)].join('.')),
    ).toBeNull();
    expect(
      readLinkToken(keys, 'confirm', [...parts.slice(0, 4), 'zzzzzzzz', parts[5]].join('.')),
    ).toBeNull();
    expect(readLinkToken(keys, 'confirm', `${token.slice(0, -2)}AA`)).toBeNull();
    expect(
      readLinkToken(parseSigningKeys('k1:another-secret-0123456789abc'), 'confirm', token),
    ).toBeNull();
    const rotated = parseSigningKeys(
      'k2:new-secret-0123456789abcdefgh,k1:first-secret-0123456789abcdef',
    );
    expect(readLinkToken(rotated, 'confirm', token)).toBe(id);
    for (const junk of ['', 'e1', 'e1.k1.c.x.1.y', '<script>', 'e1.k1.c.' + id + '.-1.x'])
      expect(readLinkToken(keys, 'confirm', junk)).toBeNull();
  });
});

describe('mail headers', () => {
  it('lose line breaks and control characters, and stay short', () => {
    expect(headerText('Outage\r\nBcc: victim@example.org')).toBe('Outage Bcc: victim@example.org');
    expect(headerText('a\u2028b\tc')).toBe('a b c');
    expect(headerText('x'.repeat(300)).length).toBe(140);
  });
});
