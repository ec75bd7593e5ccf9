/** LIFEBOAT_SMTP_URL / LIFEBOAT_MAIL_FROM validation (config.ts, docs/email.md). */
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';

const env = (extra: Record<string, string>) => ({
  LIFEBOAT_PUBLIC_ORIGIN: 'https://lifeboat.acme.example',
  LIFEBOAT_MAIL_FROM: 'Acme status <status@acme.example>',
  ...extra,
});
const load = (e: Record<string, string>) => loadConfig({ env: e, argv: [], cwd: '/tmp' });

describe('email configuration', () => {
  it('is off by default', () => {
    const config = load({});
    expect([config.smtpUrl, config.mailFrom]).toEqual([null, null]);
  });

  it('takes an smtp:// or smtps:// URL with a From and a public origin', () => {
    const config = load(env({ LIFEBOAT_SMTP_URL: 'smtps://user:pass@smtp.acme.example:465' }));
    expect(config.smtpUrl).toBe('smtps://user:pass@smtp.acme.example:465');
    expect(config.mailFrom).toBe('Acme status <status@acme.example>');
  });

  it('refuses other schemes, a missing From or public origin, and a From with a line break', () => {
    for (const [label, e] of [
      ['http scheme', env({ LIFEBOAT_SMTP_URL: 'http://smtp.acme.example' })],
      ['not a URL', env({ LIFEBOAT_SMTP_URL: 'smtp.acme.example:25' })],
      [
        'no From',
        {
          LIFEBOAT_SMTP_URL: 'smtp://smtp.acme.example',
          LIFEBOAT_PUBLIC_ORIGIN: 'https://a.example',
        },
      ],
      [
        'no public origin',
        { LIFEBOAT_SMTP_URL: 'smtp://smtp.acme.example', LIFEBOAT_MAIL_FROM: 'a@acme.example' },
      ],
      [
        'header injection',
        env({
          LIFEBOAT_SMTP_URL: 'smtp://smtp.acme.example',
          LIFEBOAT_MAIL_FROM: 'a@acme.example\r\nBcc: x@y.example',
        }),
      ],
      [
        'two addresses',
        env({
          LIFEBOAT_SMTP_URL: 'smtp://smtp.acme.example',
          LIFEBOAT_MAIL_FROM: 'a@acme.example, b@acme.example',
        }),
      ],
    ] as const)
      expect(() => load(e as Record<string, string>), label).toThrow(ConfigError);
  });
});
