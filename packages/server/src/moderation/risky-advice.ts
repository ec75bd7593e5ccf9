/**
 * Built-in risky-advice patterns: advice that hurts the reader if followed during an outage, or
 * that phishers post in a busy thread. A match never rejects a post; it sends it to review with
 * a reason a moderator can read (`code`, `message`, and the matched text).
 *
 * - `risky_tls`: turning off TLS/certificate verification (curl -k, NODE_TLS_REJECT_UNAUTHORIZED=0,
 *   verify=False, rejectUnauthorized: false, git sslVerify false, "disable SSL verification", …);
 * - `risky_shell`: running a downloaded script unseen (curl … | sh, bash <(curl …), iex (iwr …));
 * - `risky_credentials`: asking readers to share passwords, API keys, tokens or 2FA codes, or a
 *   secret pasted into the post;
 * - `risky_contact`: off-site "support" contacts (DM/WhatsApp/Telegram/call/email our support
 *   team at …, phone numbers, support emails on another domain).
 *
 * Commands are held even inside a warning ("never run curl -k"): a moderator approves those in a
 * second. Sentences ("disable certificate checks") are not held when negated ("don't disable …").
 */
import type { ModerationReason, ModerationReasonCode } from '@lifeboat/protocol';

type RiskyCode = Extract<ModerationReasonCode, `risky_${string}`>;

interface Pattern {
  code: RiskyCode;
  re: RegExp;
  /** Sentence patterns: skipped when the words just before say not to. */
  negatable?: boolean;
  /** Extra test on the match (and the whole text). */
  accept?: (match: RegExpExecArray, text: string, context: RiskyContext) => boolean;
}

export interface RiskyContext {
  /** Host names of the site (from its origins): emails on these domains are the site's own. */
  siteDomains?: readonly string[];
}

export const RISKY_MESSAGES: Record<RiskyCode, string> = {
  risky_tls:
    'Turns off TLS certificate verification, which exposes readers to interception. Check that this is safe and temporary before approving.',
  risky_shell:
    'Pipes a downloaded script straight into a shell: readers would run code they have not seen.',
  risky_credentials:
    'Asks readers to share passwords, API keys, tokens or 2FA codes, or contains what looks like a secret.',
  risky_contact:
    'Points readers to an off-site "support" contact (phone, chat app or email): a common phishing pattern.',
};

const SECRET_NOUN = String.raw`(?:(?:current|full|admin|account|login|master|root|bank(?:ing)?)\s+)?(?:pass(?:word|wd|code|phrase)s?|api[\s_-]?(?:keys?|tokens?|secrets?)|access[\s_-]?(?:keys?|tokens?)|auth(?:entication)?[\s_-]?(?:tokens?|codes?)|bearer\s+tokens?|tokens?|secret(?:\s+keys?)?s?|2fa(?:\s+codes?)?|mfa(?:\s+codes?)?|otp(?:\s+codes?)?|one[\s-]time\s+(?:codes?|pass(?:word|code)s?)|verification\s+codes?|security\s+codes?|recovery\s+(?:codes?|phrases?|keys?)|backup\s+codes?|seed\s+phrases?|private\s+keys?|credentials|login\s+details|session\s+cookies?|cookies|pin(?:\s+codes?)?)\b`;

const RECIPIENT = String.raw`(?:us|me|our\s+(?:team|staff|agents?|support(?:\s+team)?|admins?|engineers?)|the\s+(?:support\s+team|admins?|moderators?)|support|an?\s+(?:admin|agent|moderator))`;

const SHELL = String.raw`(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|k|da|fi|c|tc)?sh\b|sudo\b|(?:python[0-9.]*|perl|ruby|node)\b(?!\S)`;

const PHONE_CONTEXT =
  /\b(?:call|text|sms|whats\s?app|telegram|signal|viber|phone|tel|hotline|helpline|dial|ring|number|contact|reach)\b/i;

const SUPPORT_WORD =
  /\b(?:support|help\s?desk|helpline|customer\s+(?:care|service)|service\s+desk|refunds?|recover(?:y)?|technicians?|agents?|admins?|team)\b/i;

const FREEMAIL =
  /^(?:gmail|googlemail|outlook|hotmail|live|yahoo|ymail|aol|icloud|me|proton|protonmail|pm|gmx|mail|yandex|zoho|tutanota|qq|163)\.[a-z.]+$/i;

const SUPPORT_LOCAL =
  /^(?:support|help|helpdesk|service|services|care|customercare|billing|admin|administrator|security|refunds?|recovery|team|contact|info|desk|verify|verification|account|accounts)[\w.+-]*$/i;

/** True when `domain` is one of the site's hosts or a parent/child of one (≥ 2 labels). */
function siteDomain(domain: string, hosts: readonly string[]): boolean {
  const d = domain.toLowerCase();
  for (const host of hosts) {
    const labels = host.toLowerCase().split('.');
    for (let i = 0; i <= labels.length - 2; i++) {
      const base = labels.slice(i).join('.');
      if (d === base || d.endsWith('.' + base)) return true;
    }
  }
  return false;
}

export const RISKY_PATTERNS: readonly Pattern[] = [
  // ── TLS verification off ──
  {
    code: 'risky_tls',
    re: /\bcurl\b(?:(?!\bcurl\b)[^\n|;&]){0,300}?\s(?:--insecure\b|-(?!-)[a-zA-Z]{0,20}k[a-zA-Z]{0,20}\b)/,
  },
  { code: 'risky_tls', re: /\bwget\b(?:(?!\bwget\b)[^\n|;&]){0,300}?--no-check-certificate\b/ },
  { code: 'risky_tls', re: /--insecure-skip-tls-verify\b|--tls-verify=false\b|--no-verify-ssl\b/ },
  { code: 'risky_tls', re: /\bNODE_TLS_REJECT_UNAUTHORIZED\s*=\s*["']?0\b/ },
  { code: 'risky_tls', re: /\bverify\s*=\s*False\b|\bverify\s*:\s*false\b/ },
  { code: 'risky_tls', re: /\brejectUnauthorized\s*[:=]\s*false\b/ },
  { code: 'risky_tls', re: /\bInsecureSkipVerify\s*[:=]\s*true\b/ },
  { code: 'risky_tls', re: /\bsslVerify\s*(?:=\s*|\s+)(?:false|0|no)\b/i },
  { code: 'risky_tls', re: /\bGIT_SSL_NO_VERIFY\s*=\s*["']?(?:1|true)\b/i },
  { code: 'risky_tls', re: /\bstrict[-_]ssl\s*(?:=\s*|\s+)false\b/i },
  { code: 'risky_tls', re: /\bPYTHONHTTPSVERIFY\s*=\s*["']?0\b/ },
  { code: 'risky_tls', re: /\bCURLOPT_SSL_VERIFY(?:PEER|HOST)\s*,\s*(?:false|0)\b/i },
  { code: 'risky_tls', re: /\bVERIFY_NONE\b|\bCERT_NONE\b|\b_create_unverified_context\b/ },
  { code: 'risky_tls', re: /ServerCertificateValidationCallback[^\n]{0,40}(?:\$true|=>\s*true)/ },
  { code: 'risky_tls', re: /-SkipCertificateCheck\b/i },
  {
    code: 'risky_tls',
    negatable: true,
    re: /\b(?:disabl(?:e|ing)|turn(?:ing)?\s+off|switch(?:ing)?\s+off|skip(?:ping)?|bypass(?:ing)?|ignor(?:e|ing)|deactivat(?:e|ing)|remov(?:e|ing))\s+(?:the\s+|your\s+|all\s+|any\s+)?(?:ssl|tls|https|cert(?:ificate)?s?)(?:\s*(?:\/|&|\band\b|\bor\b)\s*(?:ssl|tls|cert(?:ificate)?s?))?\s*(?:verification|validation|verify(?:ing)?|checks?|checking|errors?|warnings?|pinning)\b/i,
  },
  {
    code: 'risky_tls',
    negatable: true,
    re: /\b(?:ssl|tls|cert(?:ificate)?)\s+(?:verification|validation|checks?|checking)\s+(?:off|disabled)\b/i,
  },

  // ── piping a download into a shell ──
  {
    code: 'risky_shell',
    re: new RegExp(
      String.raw`\b(?:curl|wget|fetch)\b(?:(?!\b(?:curl|wget|fetch)\b)[^\n|]){0,300}\|\s*(?:${SHELL})`,
    ),
  },
  {
    code: 'risky_shell',
    re: /\b(?:ba|z)?sh\s+(?:-c\s+)?["']?(?:<\(|\$\()\s*(?:curl|wget)\b|\bsource\s+<\(\s*(?:curl|wget)\b/,
  },
  {
    code: 'risky_shell',
    re: /\b(?:iex|Invoke-Expression)\b\s*\(?\s*(?:\(\s*)?(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod|New-Object\s+(?:System\.)?Net\.WebClient)\b/i,
  },
  {
    code: 'risky_shell',
    re: /\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b(?:(?!\b(?:iwr|irm|Invoke-WebRequest|Invoke-RestMethod)\b)[^\n|]){0,300}\|\s*(?:iex|Invoke-Expression)\b/i,
  },
  {
    code: 'risky_shell',
    re: /\.DownloadString\s*\([^\n)]{0,300}\)[^\n]{0,20}\|\s*(?:iex|Invoke-Expression)\b|\biex\b[^\n]{0,40}\.DownloadString\(/i,
  },
  {
    code: 'risky_shell',
    re: /\bpowershell(?:\.exe)?\b(?:(?!\bpowershell\b)[^\n]){0,300}\s-(?:enc|encodedcommand|e)\s+[A-Za-z0-9+/=]{20,}/i,
  },

  // ── credentials ──
  {
    code: 'risky_credentials',
    negatable: true,
    re: new RegExp(
      String.raw`\b(?:send|share|dm|pm|email|e-mail|message|text|forward|whatsapp|telegram)\s+(?:(?:it\s+)?to\s+)?(?:${RECIPIENT}\s+(?:with\s+)?)?(?:your|ur|yr)\s+${SECRET_NOUN}`,
      'i',
    ),
  },
  {
    code: 'risky_credentials',
    negatable: true,
    re: new RegExp(
      String.raw`\b(?:send|share|dm|pm|email|e-mail|message|text|give|tell|provide|show)\s+${RECIPIENT}\s+(?:with\s+)?(?:your|ur|the|yr|a|an)\s+${SECRET_NOUN}`,
      'i',
    ),
  },
  {
    code: 'risky_credentials',
    negatable: true,
    re: new RegExp(
      String.raw`\b(?:post|paste|drop|put|leave|reply\s+with|comment|type|write)\s+(?:your|ur|yr|the)\s+${SECRET_NOUN}[^\n.]{0,30}?\b(?:here|below|in\s+(?:this|the)\s+(?:thread|chat|comments?|replies)|in\s+(?:a|the|your)\s+(?:reply|comment|answer)|as\s+a\s+(?:reply|comment))\b`,
      'i',
    ),
  },
  {
    code: 'risky_credentials',
    negatable: true,
    re: new RegExp(String.raw`\breply\s+with\s+(?:your|ur|yr|the)\s+${SECRET_NOUN}`, 'i'),
  },
  {
    code: 'risky_credentials',
    re: new RegExp(String.raw`\bwhat(?:'s|\s+is|\s+are)\s+your\s+${SECRET_NOUN}`, 'i'),
  },
  {
    code: 'risky_credentials',
    re: /\b(?:AKIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}|sk_live_[0-9A-Za-z]{16,}|xox[baprs]-[0-9A-Za-z-]{10,}|glpat-[0-9A-Za-z_-]{20})\b|-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/,
  },
  {
    code: 'risky_credentials',
    re: /\bmy\s+(?:password|passcode|api\s+key|token)\s+(?:is|=|:)\s*\S{4,}/i,
  },

  // ── off-site support contacts ──
  {
    code: 'risky_contact',
    re: /\b(?:dm|pm|message|whats\s?app|telegram|signal|viber|wechat|call|text|ring|email|e-mail|mail|contact|reach(?:\s+out\s+to)?|ping|chat\s+with|talk\s+to)\s+(?:our|the|my|a|an)?\s*(?:official\s+|live\s+|24\/7\s+|dedicated\s+|technical\s+|tech\s+)*(?:support|help\s?desk|helpline|customer\s+(?:care|service|support)|service\s+desk|recovery|refund|billing)(?:\s+(?:team|agents?|staff|desk|line|center|centre|department|specialists?|technicians?))?\s*(?:directly\s+)?(?:at|on|via|through|@|:|\+|number|[-–—])\s*(?:\+?\d|@\w+|[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}|(?:https:\/\/)?(?:t\.me|wa\.me|telegram\.me|chat\.whatsapp\.com|discord\.gg)\b)/i,
  },
  {
    code: 'risky_contact',
    re: /\b(?:t\.me|telegram\.me|wa\.me|chat\.whatsapp\.com)\/[\w+-]{1,64}/i,
  },
  {
    code: 'risky_contact',
    re: /\b(?:whats\s?app|telegram|signal|viber|wechat)\b[^\n.]{0,25}?(?:\+\d[\d\s().-]{6,30}\d|@[A-Za-z]\w{3,32})/i,
  },
  {
    // International or toll-free phone numbers, or any long number right after a phone word.
    code: 'risky_contact',
    re: /(?:\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}\b|\b1[\s.-]?\(?8(?:00|33|44|55|66|77|88)\)?[\s.-]?\d{3}[\s.-]?\d{4}\b|\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b)/,
    accept: (m, text) => {
      const digits = m[0].replace(/\D/g, '').length;
      if (digits < 9 || digits > 15) return false;
      if (m[0].startsWith('+') || /^1[\s.-]?\(?8/.test(m[0])) return true;
      return PHONE_CONTEXT.test(text.slice(Math.max(0, m.index - 40), m.index));
    },
  },
  {
    // Support emails on another domain than the site's.
    code: 'risky_contact',
    // A local part starts where its run of [\w.+-] starts (the lookbehind), so each run is
    // read once, not again from each of its characters.
    re: /(?<![\w.+-])([\w.+-]{1,64})@((?:[\w-]{1,63}\.){1,8}[a-z]{2,24})\b/i,
    accept: (m, text, context) => {
      const [, whole = '', domain = ''] = m;
      const local = whole.replace(/^[.+-]+/, '');
      if (siteDomain(domain, context.siteDomains ?? [])) return false;
      const near = text.slice(Math.max(0, m.index - 50), m.index);
      return (
        SUPPORT_LOCAL.test(local) ||
        /support|help|refund|recover|secur|verify/i.test(domain) ||
        (FREEMAIL.test(domain) && SUPPORT_WORD.test(near)) ||
        SUPPORT_WORD.test(near)
      );
    },
  },
];

const NEGATION =
  /\b(?:don['’]?t|do\s+not|never|not|no\s+need\s+to|without|avoid|stop|shouldn['’]?t|should\s+not|must\s+not|mustn['’]?t|please\s+don['’]?t)\s+(?:[\w'’-]+\s+){0,2}$/i;

/**
 * Longest text read (characters): more than any post can hold (request bodies are capped at
 * 32 KB, and limits are checked before content), so nothing a client can send is cut, while a
 * caller that forgot the limits still gets a bounded scan.
 */
export const RISKY_SCAN_MAX = 32 * 1024;

/**
 * The risky-advice reasons of a text: at most one per code (its first match), in pattern order.
 * Linear time: every repetition that could run on through the text (a command's arguments, an
 * email's parts) is bounded (at most 300 characters past its keyword, and it stops at the next
 * occurrence of its keyword; an email's local part starts where its run of characters starts),
 * so no input makes a pattern read the same stretch of text again from each position (issue 16: `a.` × 2,500 took 40 ms,
 * 15,000 characters 313 ms).
 */
export function riskyAdvice(whole: string, context: RiskyContext = {}): ModerationReason[] {
  const text = whole.length > RISKY_SCAN_MAX ? whole.slice(0, RISKY_SCAN_MAX) : whole;
  const found = new Map<RiskyCode, ModerationReason>();
  for (const pattern of RISKY_PATTERNS) {
    if (found.has(pattern.code)) continue;
    const re = new RegExp(pattern.re.source, pattern.re.flags.replace('g', '') + 'g');
    for (let m = re.exec(text); m; m = re.exec(text)) {
      if (m[0].length === 0) {
        re.lastIndex++;
        continue;
      }
      if (pattern.negatable && NEGATION.test(text.slice(Math.max(0, m.index - 60), m.index)))
        continue;
      if (pattern.accept && !pattern.accept(m, text, context)) continue;
      found.set(pattern.code, {
        code: pattern.code,
        message: RISKY_MESSAGES[pattern.code],
        match: m[0].trim().slice(0, 200),
      });
      break;
    }
  }
  const order: RiskyCode[] = ['risky_tls', 'risky_shell', 'risky_credentials', 'risky_contact'];
  return order.filter((c) => found.has(c)).map((c) => found.get(c)!);
}
