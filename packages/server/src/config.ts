/**
 * Server configuration: environment variables and CLI flags, validated at start.
 * `CONFIG_OPTIONS` is data so the README table can be generated from it.
 */
import net from 'node:net';
import path from 'node:path';
import { cdnDirectory, demoDirectory } from './assets.js';
import { parseSigningKeys } from './auth/tokens.js';
import { parseAllowList } from './status/upstream-address.js';

/** Characters each key of LIFEBOAT_SECRET needs at least (a random base64 one: 144 bits). */
export const MIN_SECRET_LENGTH = 24;

/** Proof-of-work difficulty: the default and the accepted range (auth/challenge.ts). */
export const DEFAULT_CHALLENGE_MAX_NUMBER = 1_000_000;
export const CHALLENGE_MAX_NUMBER_RANGE = { min: 1_000, max: 100_000_000 } as const;

export interface RateLimitConfig {
  /** Guest sessions created per IP per window. */
  sessionsPerIp: number;
  /** Writes (POST/PUT/PATCH/DELETE) to a site per IP per window (members and anonymous). */
  writesPerIp: number;
  /** Writes to a site per member session per window. */
  writesPerMember: number;
  /** Writes per staff actor (staff/moderator session or the admin key) per window; no per-IP limit. */
  writesPerStaff: number;
  /** Posts per member per window. */
  postsPerMember: number;
  /** Window length in milliseconds. */
  windowMs: number;
}

export interface ServerConfig {
  port: number;
  host: string;
  dataDir: string;
  /** `postgres://…`: PostgreSQL (several instances may share it); null: SQLite in `dataDir`. */
  databaseUrl: string | null;
  /** SQLite `synchronous`: `full` (an acknowledged write survives power loss) or `normal`. */
  sqliteSync: 'full' | 'normal';
  /** Key for the admin API and CLI (`Authorization: Bearer <key>`); null disables admin access over HTTP. */
  adminKey: string | null;
  /** Raw signing secrets (`kid:secret` or `secret`, comma separated); null = `<dataDir>/secret`. */
  secret: string | null;
  /** The server's own origin (e.g. `https://status.example.com`); same-origin requests always pass CORS. */
  publicOrigin: string | null;
  /** Proxies whose X-Forwarded-* headers are believed (addresses, CIDRs, `loopback`…); false: none. */
  trustProxy: false | string[];
  heartbeatMs: number;
  /** Open public streams per client address (IPv6 by /64); past it 429. */
  streamsPerClient: number;
  /** Open streams this instance holds; past it new public streams are told to poll. */
  streamBudget: number;
  /** Bytes queued for one stream before the server drops it (the client resumes). */
  streamBufferBytes: number;
  /** Over the stream budget: how often clients poll snapshots (ms). */
  streamPollMs: number;
  /** Events replayed to a resuming stream at most; further behind, it gets `reset`. */
  streamReplayMax: number;
  eventRetention: number;
  demo: boolean;
  demoOrigins: string[];
  logLevel: string;
  cdnDir: string;
  demoDir: string;
  tokenTtlSeconds: number;
  /** Default poll interval of upstream status pages (ms); a site may set its own. */
  pollIntervalMs: number;
  /** How long after an incident is resolved its thread stays open (ms). */
  lockGraceMs: number;
  /** How long after posting an author may edit or delete the post (ms). */
  editWindowMs: number;
  /** Guest sessions per minute (all instances, all sites) from which `under_load` asks for proof of work. */
  challengeLoad: number;
  /**
   * Proof-of-work difficulty: the largest number a guest's solver may have to try (about half of
   * it on average); null: the config file's `server.challengeMaxNumber`, else the default.
   */
  challengeMaxNumber: number | null;
  /**
   * Non-public addresses the status poller may fetch from (IPs, CIDRs, host names), besides the
   * config file's `server.statusAllow`; by default only public addresses are polled.
   */
  statusAllow: string[];
  /**
   * Non-public addresses outgoing webhooks may be delivered to (IPs, CIDRs, host names); by
   * default only public addresses (docs/webhooks.md).
   */
  webhookAllow: string[];
  /** The first retry of a failed webhook delivery waits this long; each next one doubles. */
  webhookRetryBaseMs: number;
  /** Attempts of a webhook message before it is marked failed. */
  webhookMaxAttempts: number;
  /** Connections the kernel queues for the server before it accepts them (listen backlog). */
  listenBacklog: number;
  rateLimits: RateLimitConfig;
  /** The config file declaring sites (LIFEBOAT_CONFIG / --config), applied at start; null: none. */
  configFile: string | null;
  /** `/metrics` (docs/metrics.md): off, on the main port behind a bearer token, or its own listener. */
  metrics: MetricsExposure;
  /** Bearer token `/metrics` asks for (needed for `token`; optional on its own listener). */
  metricsToken: string | null;
  /** Staff sign-in through an OpenID Connect provider (docs/staff-sign-in.md); null: off. */
  oidc: OidcConfig | null;
  /** SMTP server of email subscriptions (`smtp://` or `smtps://` URL); null: email off (docs/email.md). */
  smtpUrl: string | null;
  /** The From address of subscription emails (`Name <address>` or an address). */
  mailFrom: string | null;
  /** How often the mail outbox is swept (ms) besides the sweep each event triggers. */
  mailSweepMs: number;
}

/** `LIFEBOAT_METRICS`: `off`, `token` (main port, bearer token) or a listener of its own. */
export type MetricsExposure = 'off' | 'token' | { host: string; port: number };

/** A claim → role rule of staff sign-in: `claim` equals `value`, or is a list containing it. */
export interface OidcRoleRule {
  claim: string;
  value: string;
  role: 'staff' | 'moderator';
}

export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
  /** The provider's name on the sign-in button ("Sign in with …"). */
  name: string;
  scopes: string;
  /** Rules per site slug; `*` applies to every site. */
  roles: Record<string, OidcRoleRule[]>;
}

export interface ConfigOption {
  key: keyof ServerConfig;
  env: string;
  flag: string | null;
  default: string;
  description: string;
}

export const CONFIG_OPTIONS: readonly ConfigOption[] = [
  {
    key: 'port',
    env: 'PORT',
    flag: '--port',
    default: '8787',
    description: 'TCP port to listen on (0 picks a free one).',
  },
  {
    key: 'host',
    env: 'HOST',
    flag: '--host',
    default: '127.0.0.1',
    description: 'Interface to bind; use 0.0.0.0 in a container.',
  },
  {
    key: 'dataDir',
    env: 'LIFEBOAT_DATA_DIR',
    flag: '--data-dir',
    default: '.lifeboat',
    description:
      'Directory for the SQLite file (lifeboat.db) and the generated secret; created on first run.',
  },
  {
    key: 'configFile',
    env: 'LIFEBOAT_CONFIG',
    flag: '--config',
    default: '(none)',
    description:
      'A JSON file declaring sites (slug, name, origins, status source, policy, SSO keys), applied at every start; the server refuses to start when it is invalid.',
  },
  {
    key: 'databaseUrl',
    env: 'LIFEBOAT_DATABASE_URL',
    flag: '--database',
    default: '(none: SQLite in the data directory)',
    description:
      'A postgres:// URL: store everything in PostgreSQL, so several instances can share it (docs/deploy.md); migrations run once at start.',
  },
  {
    key: 'sqliteSync',
    env: 'LIFEBOAT_SQLITE_SYNC',
    flag: null,
    default: 'full',
    description:
      'SQLite durability: `full` (an acknowledged write survives a power loss) or `normal` (survives a process crash; the last transactions may be lost on power loss).',
  },
  {
    key: 'secret',
    env: 'LIFEBOAT_SECRET',
    flag: null,
    default: '(generated into <data-dir>/secret)',
    description:
      'Token signing keys: `secret` or `kid:secret`, comma separated, each at least 24 characters; the first signs, all verify (rotation). Also seals the stored sign-in secrets of sites (ADR 0020).',
  },
  {
    key: 'adminKey',
    env: 'LIFEBOAT_ADMIN_KEY',
    flag: null,
    default: '(none: admin API off)',
    description:
      'Bearer key of the admin API (sites, policies, SSO keys) that also acts as staff on every site; at least 24 characters. Keep it secret.',
  },
  {
    key: 'publicOrigin',
    env: 'LIFEBOAT_PUBLIC_ORIGIN',
    flag: '--public-origin',
    default: '(none)',
    description:
      "The server's own origin, e.g. https://lifeboat.example.com; same-origin requests always pass CORS.",
  },
  {
    key: 'trustProxy',
    env: 'LIFEBOAT_TRUST_PROXY',
    flag: '--trust-proxy',
    default: 'off',
    description:
      'Proxies whose X-Forwarded-For/-Proto/-Host are believed: comma-separated IPs or CIDRs (or loopback, linklocal, uniquelocal); `off` believes none. The client IP keys the rate limits.',
  },
  {
    key: 'heartbeatMs',
    env: 'LIFEBOAT_HEARTBEAT_MS',
    flag: null,
    default: '15000',
    description: 'Milliseconds between SSE heartbeat comments.',
  },
  {
    key: 'streamsPerClient',
    env: 'LIFEBOAT_STREAMS_PER_CLIENT',
    flag: null,
    default: '8',
    description:
      'Live streams one client address may hold open (IPv6 counted by /64; behind a proxy, the address LIFEBOAT_TRUST_PROXY resolves); one more gets 429 and the SDK polls instead. Staff streams are not counted here (each staff member holds at most 16).',
  },
  {
    key: 'streamBudget',
    env: 'LIFEBOAT_STREAM_BUDGET',
    flag: null,
    default: '16000',
    description:
      'Live streams this instance holds (keep it below the open-file limit, with room for requests and the database); past it new streams are told to poll snapshots and stream again later.',
  },
  {
    key: 'streamBufferBytes',
    env: 'LIFEBOAT_STREAM_BUFFER_BYTES',
    flag: null,
    default: '262144',
    description:
      'Bytes queued for one stream (a reader that stopped reading) before the server drops it; the client resumes from its Last-Event-ID.',
  },
  {
    key: 'streamPollMs',
    env: 'LIFEBOAT_STREAM_POLL_MS',
    flag: null,
    default: '10000',
    description:
      'Over the stream budget: milliseconds between snapshot polls the server asks of clients; they stream again after six intervals.',
  },
  {
    key: 'streamReplayMax',
    env: 'LIFEBOAT_STREAM_REPLAY_MAX',
    flag: null,
    default: '10000',
    description:
      'Events replayed at most to a stream resuming with Last-Event-ID; a client further behind is told to reset (it fetches the snapshots again). Lower it to trade long replays for snapshot reloads, but keep it above the events a CDN-cached snapshot can be behind.',
  },
  {
    key: 'eventRetention',
    env: 'LIFEBOAT_EVENT_RETENTION',
    flag: null,
    default: '10000',
    description: 'Events kept per site for Last-Event-ID replay; older clients get `reset`.',
  },
  {
    key: 'demo',
    env: 'LIFEBOAT_DEMO',
    flag: '--demo',
    default: 'false',
    description: 'Seed the `demo` site and serve examples/status-page at /.',
  },
  {
    key: 'demoOrigins',
    env: 'LIFEBOAT_DEMO_ORIGINS',
    flag: null,
    default: '(none)',
    description: 'Extra allowed origins for the demo site, comma separated.',
  },
  {
    key: 'logLevel',
    env: 'LIFEBOAT_LOG_LEVEL',
    flag: '--log-level',
    default: 'info',
    description: 'fatal, error, warn, info, debug, trace or silent.',
  },
  {
    key: 'rateLimits',
    env: 'LIFEBOAT_RATE_LIMITS',
    flag: null,
    default: 'sessions=20,writes=120,member-writes=60,staff-writes=600,posts=10',
    description:
      'Per minute: guest sessions per IP, writes per IP, writes per member, writes per staff actor, posts per member (any subset); or `off` (benchmarks only).',
  },
  {
    key: 'editWindowMs',
    env: 'LIFEBOAT_EDIT_WINDOW_MS',
    flag: null,
    default: '900000',
    description: 'Milliseconds after posting during which the author may edit or delete a post.',
  },
  {
    key: 'challengeLoad',
    env: 'LIFEBOAT_CHALLENGE_LOAD',
    flag: null,
    default: '120',
    description:
      'Guest sessions per minute (all instances, all sites) from which sites with `guestChallenge: under_load` ask new guests for a proof of work.',
  },
  {
    key: 'challengeMaxNumber',
    env: 'LIFEBOAT_CHALLENGE_MAX_NUMBER',
    flag: null,
    default: '1000000',
    description:
      'Proof-of-work difficulty for guest sessions: the solver tries up to this many SHA-256 digests (half on average; about 1–3 s on a phone, a few ms for a bot on one core). Also `server.challengeMaxNumber` in the config file.',
  },
  {
    key: 'statusAllow',
    env: 'LIFEBOAT_STATUS_ALLOW',
    flag: null,
    default: '(none: public addresses only)',
    description:
      'Non-public addresses the status poller may fetch from, for a self-hosted status page on an internal network: comma-separated IPs, CIDRs or host names. Loopback, private, link-local, CGNAT and metadata addresses are refused otherwise, after DNS and on every redirect. Also `server.statusAllow` in the config file.',
  },
  {
    key: 'webhookAllow',
    env: 'LIFEBOAT_WEBHOOK_ALLOW',
    flag: null,
    default: '(none: public addresses only)',
    description:
      'Non-public addresses outgoing webhooks may be delivered to (a receiver on an internal network): comma-separated IPs, CIDRs or host names. Loopback, private, link-local and metadata addresses are refused otherwise, after DNS; redirects are never followed.',
  },
  {
    key: 'webhookRetryBaseMs',
    env: 'LIFEBOAT_WEBHOOK_RETRY_BASE_MS',
    flag: null,
    default: '30000',
    description:
      'Delay before the first retry of a failed webhook delivery; each next retry waits twice as long (with jitter, at most 6 hours).',
  },
  {
    key: 'webhookMaxAttempts',
    env: 'LIFEBOAT_WEBHOOK_MAX_ATTEMPTS',
    flag: null,
    default: '12',
    description:
      'Attempts of a webhook message before it is marked failed (redeliver it from the admin API or CLI).',
  },
  {
    key: 'listenBacklog',
    env: 'LIFEBOAT_LISTEN_BACKLOG',
    flag: null,
    default: '4096',
    description:
      'Connections the kernel may queue before the server accepts them: a status page in an outage gets thousands of new visitors a second (capped by the kernel, net.core.somaxconn).',
  },
  {
    key: 'pollIntervalMs',
    env: 'LIFEBOAT_POLL_INTERVAL_MS',
    flag: null,
    default: '30000',
    description:
      "Default milliseconds between polls of a site's upstream status page (a site may set its own).",
  },
  {
    key: 'lockGraceMs',
    env: 'LIFEBOAT_LOCK_GRACE_MS',
    flag: null,
    default: '1800000',
    description: 'Milliseconds after an incident is resolved before its thread is locked.',
  },
  {
    key: 'cdnDir',
    env: 'LIFEBOAT_CDN_DIR',
    flag: null,
    default: '@lifeboat/elements/cdn (its dist/cdn)',
    description:
      'Directory served at /cdn/ (the script-tag bundle); by default the one of the installed @lifeboat/elements.',
  },
  {
    key: 'demoDir',
    env: 'LIFEBOAT_DEMO_DIR',
    flag: null,
    default: '@lifeboat/server/demo-pages/status-page',
    description:
      'Directory served at / in demo mode; by default the demo status page shipped with the server (examples/status-page in a checkout).',
  },
  {
    key: 'metrics',
    env: 'LIFEBOAT_METRICS',
    flag: null,
    default: 'off',
    description:
      'Prometheus `/metrics` (docs/metrics.md): `off`; `token` (on the main port, needs `Authorization: Bearer` LIFEBOAT_METRICS_TOKEN); or `host:port` of a listener of its own (e.g. 127.0.0.1:9464; the token is asked for there too when set).',
  },
  {
    key: 'metricsToken',
    env: 'LIFEBOAT_METRICS_TOKEN',
    flag: null,
    default: '(none)',
    description: 'Bearer token for `/metrics`, at least 24 characters.',
  },
  {
    key: 'oidc',
    env: 'LIFEBOAT_OIDC_ISSUER',
    flag: null,
    default: '(none: staff sign-in off)',
    description:
      'Staff sign-in with OpenID Connect (docs/staff-sign-in.md): the issuer URL. Also LIFEBOAT_OIDC_CLIENT_ID, LIFEBOAT_OIDC_CLIENT_SECRET, LIFEBOAT_OIDC_NAME (button label), LIFEBOAT_OIDC_SCOPES (default `openid profile email`), LIFEBOAT_OIDC_ROLES (JSON: site slug or `*` → claim rules); needs LIFEBOAT_PUBLIC_ORIGIN.',
  },
  {
    key: 'smtpUrl',
    env: 'LIFEBOAT_SMTP_URL',
    flag: null,
    default: '(none: email subscriptions off)',
    description:
      'SMTP server for email subscriptions (docs/email.md): `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`. Needs LIFEBOAT_MAIL_FROM and an https LIFEBOAT_PUBLIC_ORIGIN for the links in mails.',
  },
  {
    key: 'mailFrom',
    env: 'LIFEBOAT_MAIL_FROM',
    flag: null,
    default: '(none)',
    description:
      'The From of subscription emails, e.g. `Acme status <status@acme.example>`; an address on a domain whose SPF/DKIM the SMTP server signs for.',
  },
];

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface LoadConfigInput {
  argv?: readonly string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
}

/** Parses `--flag value`, `--flag=value` and boolean `--flag`. Unknown flags are errors. */
function parseFlags(argv: readonly string[]): Map<string, string> {
  const known = new Map(CONFIG_OPTIONS.filter((o) => o.flag).map((o) => [o.flag!, o]));
  const booleans = new Set(['--demo']);
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    if (!known.has(name)) throw new ConfigError(`Unknown option ${name}. Run \`lifeboat --help\`.`);
    if (booleans.has(name)) {
      out.set(name, inline ?? 'true');
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value.startsWith('--'))
      throw new ConfigError(`Option ${name} needs a value.`);
    out.set(name, value);
  }
  return out;
}

function int(label: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw.trim()))
    throw new ConfigError(`${label} must be a whole number, got "${raw}".`);
  const n = Number(raw);
  if (n < min || n > max)
    throw new ConfigError(`${label} must be between ${min} and ${max}, got ${n}.`);
  return n;
}

function bool(label: string, raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off', ''].includes(v)) return false;
  throw new ConfigError(`${label} must be true or false, got "${raw}".`);
}

function origin(label: string, raw: string): string {
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return url.origin;
  } catch {
    throw new ConfigError(
      `${label} must be an origin like https://status.example.com, got "${raw}".`,
    );
  }
}

export const DEFAULT_RATE_LIMITS: RateLimitConfig = {
  sessionsPerIp: 20,
  writesPerIp: 120,
  writesPerMember: 60,
  writesPerStaff: 600,
  postsPerMember: 10,
  windowMs: 60_000,
};

/** `off`, or `sessions=N,writes=N,member-writes=N,staff-writes=N,posts=N` (per minute; any subset). */
function parseRateLimits(label: string, raw: string): RateLimitConfig {
  if (raw.trim().toLowerCase() === 'off') {
    return {
      sessionsPerIp: Infinity,
      writesPerIp: Infinity,
      writesPerMember: Infinity,
      writesPerStaff: Infinity,
      postsPerMember: Infinity,
      windowMs: 60_000,
    };
  }
  const keys = {
    sessions: 'sessionsPerIp',
    writes: 'writesPerIp',
    'member-writes': 'writesPerMember',
    'staff-writes': 'writesPerStaff',
    posts: 'postsPerMember',
  } as const;
  const limits = { ...DEFAULT_RATE_LIMITS };
  for (const part of raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [name, value] = part.split('=');
    const key = keys[name as keyof typeof keys];
    if (!key || value === undefined)
      throw new ConfigError(
        `${label} must be \`off\` or name=N pairs from ${Object.keys(keys).join(', ')} (e.g. sessions=20,posts=10), got "${raw}".`,
      );
    limits[key] = int(`${label} ${name}`, value, 1, 1_000_000);
  }
  return limits;
}

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * `off` (default), or a comma-separated list of proxy addresses: IPs, CIDRs, or the names
 * `loopback`, `linklocal`, `uniquelocal`. `true` (every peer) is refused: it would let any client
 * pick the address its rate limits are counted under.
 */
export function parseTrustProxy(label: string, raw: string): false | string[] {
  const v = raw.trim().toLowerCase();
  if (['', 'off', 'false', 'no', '0', 'none'].includes(v)) return false;
  if (['true', 'on', 'yes', '1', 'all', '*'].includes(v))
    throw new ConfigError(
      `${label} must list the proxy addresses (e.g. 10.0.0.0/8 or loopback), not "${raw}": trusting every peer would let any client choose its IP.`,
    );
  const entries = raw
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  for (const entry of entries) {
    if (PROXY_NAMES.has(entry.toLowerCase())) continue;
    const [address, prefix, extra] = entry.split('/');
    const family = net.isIP(address ?? '');
    const prefixOk =
      prefix === undefined ||
      (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 6 ? 128 : 32));
    if (!family || !prefixOk || extra !== undefined)
      throw new ConfigError(
        `${label}: "${entry}" is not an IP address, a CIDR (10.0.0.0/8) or one of loopback, linklocal, uniquelocal.`,
      );
  }
  return entries;
}

/** Reads env and flags (flags win), applies defaults, validates. Throws ConfigError with a clear message. */
export function loadConfig(input: LoadConfigInput = {}): ServerConfig {
  const env = input.env ?? process.env;
  const cwd = input.cwd ?? process.cwd();
  const flags = parseFlags(input.argv ?? []);
  const get = (key: keyof ServerConfig): { label: string; value: string | undefined } => {
    const opt = CONFIG_OPTIONS.find((o) => o.key === key)!;
    if (opt.flag && flags.has(opt.flag)) return { label: opt.flag, value: flags.get(opt.flag) };
    const value = env[opt.env];
    return { label: opt.env, value: value === '' ? undefined : value };
  };
  const read = <T>(
    key: keyof ServerConfig,
    fallback: T,
    parse: (label: string, raw: string) => T,
  ): T => {
    const { label, value } = get(key);
    return value === undefined ? fallback : parse(label, value);
  };

  const trustProxy = read<false | string[]>('trustProxy', false, parseTrustProxy);
  const logLevel = read('logLevel', 'info', (label, raw) => {
    if (!LOG_LEVELS.includes(raw))
      throw new ConfigError(`${label} must be one of ${LOG_LEVELS.join(', ')}.`);
    return raw;
  });
  const list = (_label: string, raw: string) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);

  return {
    port: read('port', 8787, (l, r) => int(l, r, 0, 65535)),
    host: read('host', '127.0.0.1', (_l, r) => r.trim()),
    dataDir: path.resolve(
      cwd,
      read('dataDir', '.lifeboat', (_l, r) => r),
    ),
    databaseUrl: read<string | null>('databaseUrl', null, (label, raw) => {
      const url = raw.trim();
      if (!/^postgres(ql)?:\/\/\S+$/i.test(url))
        throw new ConfigError(`${label} must be a postgres:// URL (omit it for SQLite).`);
      return url;
    }),
    sqliteSync: read<'full' | 'normal'>('sqliteSync', 'full', (label, raw) => {
      const v = raw.trim().toLowerCase();
      if (v !== 'full' && v !== 'normal') throw new ConfigError(`${label} must be full or normal.`);
      return v;
    }),
    secret: read<string | null>('secret', null, (label, raw) => {
      const keys = parseSigningKeys(raw);
      if (!keys.length) throw new ConfigError(`${label} names no key.`);
      for (const key of keys)
        if (key.secret.length < MIN_SECRET_LENGTH)
          throw new ConfigError(
            `${label}: key "${key.kid}" has ${key.secret.length} characters; each key needs at least ${MIN_SECRET_LENGTH} (e.g. \`openssl rand -base64 32\`).`,
          );
      return raw.trim();
    }),
    adminKey: read<string | null>('adminKey', null, (label, raw) => {
      if (raw.trim().length < 24) throw new ConfigError(`${label} must be at least 24 characters.`);
      return raw.trim();
    }),
    publicOrigin: read<string | null>('publicOrigin', null, origin),
    trustProxy,
    heartbeatMs: read('heartbeatMs', 15000, (l, r) => int(l, r, 10, 600000)),
    streamsPerClient: read('streamsPerClient', 8, (l, r) => int(l, r, 1, 100_000)),
    streamBudget: read('streamBudget', 16_000, (l, r) => int(l, r, 0, 10_000_000)),
    streamBufferBytes: read('streamBufferBytes', 256 * 1024, (l, r) =>
      int(l, r, 16 * 1024, 1024 * 1024 * 1024),
    ),
    streamPollMs: read('streamPollMs', 10_000, (l, r) => int(l, r, 100, 3_600_000)),
    streamReplayMax: read('streamReplayMax', 10_000, (l, r) => int(l, r, 1, 10_000_000)),
    eventRetention: read('eventRetention', 10000, (l, r) => int(l, r, 1, 10_000_000)),
    demo: read('demo', false, bool),
    demoOrigins: read('demoOrigins', [] as string[], (l, r) => list(l, r).map((o) => origin(l, o))),
    logLevel,
    cdnDir: path.resolve(
      cwd,
      read('cdnDir', cdnDirectory(), (_l, r) => r),
    ),
    demoDir: path.resolve(
      cwd,
      read('demoDir', demoDirectory('status-page'), (_l, r) => r),
    ),
    tokenTtlSeconds: 30 * 24 * 3600,
    pollIntervalMs: read('pollIntervalMs', 30_000, (l, r) => int(l, r, 100, 86_400_000)),
    lockGraceMs: read('lockGraceMs', 30 * 60_000, (l, r) => int(l, r, 0, 30 * 86_400_000)),
    editWindowMs: read('editWindowMs', 15 * 60_000, (l, r) => int(l, r, 0, 365 * 86_400_000)),
    challengeLoad: read('challengeLoad', 120, (l, r) => int(l, r, 1, 1_000_000)),
    challengeMaxNumber: read<number | null>('challengeMaxNumber', null, (l, r) =>
      int(l, r, CHALLENGE_MAX_NUMBER_RANGE.min, CHALLENGE_MAX_NUMBER_RANGE.max),
    ),
    statusAllow: read('statusAllow', [] as string[], (label, raw) => {
      const entries = list(label, raw);
      try {
        parseAllowList(entries);
      } catch (err) {
        throw new ConfigError(`${label}: ${(err as Error).message}`);
      }
      return entries;
    }),
    webhookAllow: read('webhookAllow', [] as string[], (label, raw) => {
      const entries = list(label, raw);
      try {
        parseAllowList(entries);
      } catch (err) {
        throw new ConfigError(`${label}: ${(err as Error).message}`);
      }
      return entries;
    }),
    webhookRetryBaseMs: read('webhookRetryBaseMs', 30_000, (l, r) => int(l, r, 10, 86_400_000)),
    webhookMaxAttempts: read('webhookMaxAttempts', 12, (l, r) => int(l, r, 1, 100)),
    listenBacklog: read('listenBacklog', 4096, (l, r) => int(l, r, 16, 1_000_000)),
    rateLimits: read('rateLimits', { ...DEFAULT_RATE_LIMITS }, parseRateLimits),
    configFile: read<string | null>('configFile', null, (_l, r) => path.resolve(cwd, r.trim())),
    ...metricsConfig(read),
    oidc: oidcConfig(env),
    ...mailConfig(read),
  };
}

/** LIFEBOAT_SMTP_URL and LIFEBOAT_MAIL_FROM, checked together (docs/email.md). */
function mailConfig(
  read: <T>(key: keyof ServerConfig, fallback: T, parse: (label: string, raw: string) => T) => T,
): Pick<ServerConfig, 'smtpUrl' | 'mailFrom' | 'mailSweepMs'> {
  const smtpUrl = read<string | null>('smtpUrl', null, (label, raw) => {
    let url: URL;
    try {
      url = new URL(raw.trim());
    } catch {
      throw new ConfigError(`${label} must be an smtp:// or smtps:// URL.`);
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:')
      throw new ConfigError(`${label} must be an smtp:// or smtps:// URL, got ${url.protocol}//…`);
    return url.href;
  });
  const mailFrom = read<string | null>('mailFrom', null, (label, raw) => {
    const value = raw.trim();
    // One address, optionally with a display name; no line breaks (header injection).
    if (
      /[\r\n]/.test(value) ||
      !/^(?:[^<>@]*<[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+)$/.test(value)
    )
      throw new ConfigError(`${label} must be an address, e.g. Acme status <status@acme.example>.`);
    return value;
  });
  if (smtpUrl && !mailFrom)
    throw new ConfigError('LIFEBOAT_SMTP_URL is set: LIFEBOAT_MAIL_FROM must be set too.');
  // The links in mails (confirm, unsubscribe) point at the server's own origin.
  if (smtpUrl && !read<string | null>('publicOrigin', null, origin))
    throw new ConfigError(
      'LIFEBOAT_SMTP_URL is set: LIFEBOAT_PUBLIC_ORIGIN must be set too (the links in mails point at it).',
    );
  return { smtpUrl, mailFrom, mailSweepMs: 30_000 };
}

/** LIFEBOAT_METRICS and LIFEBOAT_METRICS_TOKEN, checked together (docs/metrics.md). */
function metricsConfig(
  read: <T>(key: keyof ServerConfig, fallback: T, parse: (label: string, raw: string) => T) => T,
): Pick<ServerConfig, 'metrics' | 'metricsToken'> {
  const metrics = read<MetricsExposure>('metrics', 'off', (label, raw) => {
    const v = raw.trim().toLowerCase();
    if (v === 'off' || v === 'token') return v;
    const m = /^(\[[0-9a-f:.]+\]|[a-z0-9.-]+):(\d{1,5})$/i.exec(raw.trim());
    if (!m)
      throw new ConfigError(
        `${label} must be off, token, or the host:port of a listener of its own (e.g. 127.0.0.1:9464), got "${raw}".`,
      );
    return { host: m[1]!.replace(/^\[|\]$/g, ''), port: int(label, m[2]!, 1, 65535) };
  });
  const metricsToken = read<string | null>('metricsToken', null, (label, raw) => {
    if (raw.trim().length < 24) throw new ConfigError(`${label} must be at least 24 characters.`);
    return raw.trim();
  });
  if (metrics === 'token' && !metricsToken)
    throw new ConfigError(
      'LIFEBOAT_METRICS=token needs LIFEBOAT_METRICS_TOKEN (e.g. `openssl rand -base64 32`).',
    );
  return { metrics, metricsToken };
}

/** LIFEBOAT_OIDC_*: staff sign-in (docs/staff-sign-in.md); null when no issuer is set. */
function oidcConfig(env: Record<string, string | undefined>): OidcConfig | null {
  const get = (name: string) => (env[name] ?? '').trim() || null;
  const issuer = get('LIFEBOAT_OIDC_ISSUER');
  if (!issuer) return null;
  try {
    const url = new URL(issuer);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('scheme');
  } catch {
    throw new ConfigError(`LIFEBOAT_OIDC_ISSUER must be the issuer's URL, got "${issuer}".`);
  }
  const clientId = get('LIFEBOAT_OIDC_CLIENT_ID');
  if (!clientId)
    throw new ConfigError('LIFEBOAT_OIDC_ISSUER is set: LIFEBOAT_OIDC_CLIENT_ID must be set too.');
  const rolesRaw = get('LIFEBOAT_OIDC_ROLES');
  if (!rolesRaw)
    throw new ConfigError(
      'LIFEBOAT_OIDC_ISSUER is set: LIFEBOAT_OIDC_ROLES must say which claims make whom staff, e.g. {"*":[{"claim":"groups","value":"support","role":"moderator"}]}.',
    );
  return {
    issuer,
    clientId,
    clientSecret: get('LIFEBOAT_OIDC_CLIENT_SECRET'),
    name: (get('LIFEBOAT_OIDC_NAME') ?? 'SSO').slice(0, 40),
    scopes: get('LIFEBOAT_OIDC_SCOPES') ?? 'openid profile email',
    roles: parseOidcRoles('LIFEBOAT_OIDC_ROLES', rolesRaw),
  };
}

/** `{"<slug>|*": [{"claim": "groups", "value": "support", "role": "moderator"}, …]}`. */
export function parseOidcRoles(label: string, raw: string): Record<string, OidcRoleRule[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError(
      `${label} must be JSON: {"<site slug or *>": [{"claim", "value", "role"}]}.`,
    );
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new ConfigError(`${label} must be a JSON object keyed by site slug (or *).`);
  const out: Record<string, OidcRoleRule[]> = {};
  for (const [site, rules] of Object.entries(parsed as Record<string, unknown>)) {
    if (!Array.isArray(rules))
      throw new ConfigError(`${label}: "${site}" must be a list of rules.`);
    out[site] = rules.map((rule: unknown, i) => {
      const r = (rule ?? {}) as Record<string, unknown>;
      if (
        typeof r.claim !== 'string' ||
        !r.claim ||
        typeof r.value !== 'string' ||
        (r.role !== 'staff' && r.role !== 'moderator')
      )
        throw new ConfigError(
          `${label}: rule ${i + 1} of "${site}" needs "claim" and "value" (strings) and "role" (staff or moderator).`,
        );
      return { claim: r.claim, value: r.value, role: r.role };
    });
  }
  return out;
}

/** `lifeboat --help` text, from CONFIG_OPTIONS. */
export function helpText(): string {
  const lines = CONFIG_OPTIONS.map((o) => {
    const name = o.flag ? `${o.flag}${o.key === 'demo' ? '' : ' <value>'}` : '';
    return `  ${name.padEnd(24)} ${o.env.padEnd(26)} ${o.description} (default: ${o.default})`;
  });
  return [
    'Usage: lifeboat start [options]',
    '',
    'Runs the Lifeboat server (HTTP API, live stream; SQLite storage, or PostgreSQL with --database).',
    'Also: `lifeboat site --help` (sites, status sources, policy, SSO keys), `lifeboat incident --help`',
    '(manual incidents), `lifeboat staff --help` (staff members and their tokens),',
    '`lifeboat site push --help` and `lifeboat webhook --help` (status page webhooks in, signed webhooks out),',
    '`lifeboat config check [<file>]` (a config file, without starting).',
    '',
    'Options (flag, environment variable):',
    ...lines,
    '  --help                                            Show this help.',
  ].join('\n');
}

/** The store of a configuration: PostgreSQL when `databaseUrl` is set, else `<dataDir>/lifeboat.db`. */
export function storeOptions(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir' | 'eventRetention' | 'sqliteSync'>,
) {
  return {
    databaseUrl: config.databaseUrl,
    file: path.join(config.dataDir, 'lifeboat.db'),
    eventRetention: config.eventRetention,
    sqliteSync: config.sqliteSync,
  };
}
