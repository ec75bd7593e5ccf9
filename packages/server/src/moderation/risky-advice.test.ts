/**
 * The risky-advice patterns read a text in linear time (issue 16, item 7): no repetition can run
 * on through the text from each position. Proved without a clock: the patterns' sources are
 * checked for unbounded repetitions of the classes that did it, inputs that took the old patterns
 * tens of minutes come back (these tests never finished before), and a post of `a.` × 2,500 goes
 * through the real server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { RISKY_PATTERNS, RISKY_SCAN_MAX, riskyAdvice } from './risky-advice.js';

/**
 * Repetitions without an upper bound (`*`, `+`, `{n,}`) of a negated class (`[^\n|]*`) or of a
 * class with `\w` and punctuation (`[\w.+-]+`): from every position they read on to the end of
 * the run, which is what made `a.` × 2,500 and `curl ` × 3,000 quadratic.
 */
const UNBOUNDED = /\[(?:\^|\\w[^\]]+)(?:\\.|[^\]\\])*\](?:[*+]|\{\d+,\})/;

describe('risky-advice patterns', () => {
  it('repeat no broad class without a bound', () => {
    const offenders = RISKY_PATTERNS.map((p, i) => `#${i} ${p.re.source}`).filter((s) =>
      UNBOUNDED.test(s),
    );
    expect(offenders).toEqual([]);
  });

  it('the check itself catches what was there before', () => {
    for (const source of [
      String.raw`\bcurl\b[^\n|;&]*?\s`,
      String.raw`\b([\w.+-]+)@`,
      String.raw`\(([^\n)]{2,})\)`,
    ])
      expect(UNBOUNDED.test(source), source).toBe(true);
    expect(UNBOUNDED.test(String.raw`[^\n|]{0,300}\|\s+[a-z]{2,}`)).toBe(false);
  });

  it('adversarial inputs half a million characters long come back (they took minutes)', () => {
    expect(riskyAdvice('a.'.repeat(500_000))).toEqual([]);
    expect(riskyAdvice('a-'.repeat(500_000) + '@x.com')).toEqual([]);
    expect(riskyAdvice('curl '.repeat(200_000))).toEqual([]);
    expect(riskyAdvice('iwr '.repeat(250_000))).toEqual([]);
    expect(riskyAdvice('powershell '.repeat(100_000))).toEqual([]);
    expect(riskyAdvice('.DownloadString('.repeat(60_000))).toEqual([]);
    expect(riskyAdvice('"'.repeat(100_000) + "'".repeat(100_000))).toEqual([]);
  });

  it('still finds what it found, and reads at most RISKY_SCAN_MAX characters', () => {
    expect(riskyAdvice('Try curl -k https://api.acme.test/v1')[0]?.code).toBe('risky_tls');
    expect(riskyAdvice('curl -fsSL https://get.example.sh | sudo bash')[0]?.code).toBe(
      'risky_shell',
    );
    expect(riskyAdvice('iwr https://x.test/a.ps1 | iex')[0]?.code).toBe('risky_shell');
    expect(riskyAdvice('email support.desk@gmail.com for a refund')[0]?.code).toBe('risky_contact');
    // A keyword repeated before the real command does not hide it.
    expect(riskyAdvice('curl curl curl -s https://x.test/i.sh | sh')[0]?.code).toBe('risky_shell');
    const far = 'x'.repeat(RISKY_SCAN_MAX) + ' curl -k https://x.test';
    expect(riskyAdvice(far)).toEqual([]);
  });
});

describe('through the server', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
  });

  it('a post of `a.` × 2,500 (the issue) is taken', async () => {
    const { token } = await s.session('Dots');
    const id = ulid();
    const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
      method: 'POST',
      token,
      headers: { 'idempotency-key': id },
      json: { id, kind: 'answer', body: 'a.'.repeat(2500) },
    });
    expect(res.status).toBe(201);
  });
});
