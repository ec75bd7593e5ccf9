import { describe, expect, it } from 'vitest';
import { redactUrl } from './log-redact.js';

describe('redactUrl', () => {
  it('cuts the push secret and the link tokens out of logged URLs', () => {
    expect(redactUrl('/v1/sites/acme/status/push/abcDEF123')).toBe(
      '/v1/sites/acme/status/push/[redacted]',
    );
    expect(redactUrl('/v1/sites/acme/email-subscriptions/confirm?token=e1.k.c.X.Y.Z&a=1')).toBe(
      '/v1/sites/acme/email-subscriptions/confirm?token=[redacted]&a=1',
    );
    expect(redactUrl('/v1/staff/sso/callback?code=abc&state=def&iss=x')).toBe(
      '/v1/staff/sso/callback?code=[redacted]&state=[redacted]&iss=x',
    );
    expect(redactUrl('/v1/sites/acme/status?x=1')).toBe('/v1/sites/acme/status?x=1');
  });
});
