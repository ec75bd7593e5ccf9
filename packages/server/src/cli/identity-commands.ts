/**
 * `lifeboat site policy`, `lifeboat site sso` and `lifeboat staff …`: a site's moderation policy,
 * its host-token (SSO) keys, and staff members with a signed session token — written to the data
 * directory's SQLite file through the Store, like the admin API.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MemberRole, SitePolicy } from '@lifeboat/protocol';
import { applySsoChange, viewOf, type SsoChange } from '../auth/sso-keys.js';
import { SecretBox } from '../auth/secret-box.js';
import { readSiteSso, writeSiteSso } from '../auth/site-sso.js';
import { loadSigningKeys, signToken } from '../auth/tokens.js';
import { ConfigError, loadConfig } from '../config.js';
import { openStore } from '../store/sql-store.js';
import { memberSummary, type SiteRecord, type Store } from '../store/store.js';
import {
  cliStoreOptions,
  dataDirOf,
  parseCommandArgs,
  parseDuration,
  UsageError,
  type ParsedArgs,
} from './args.js';
import { DEFAULT_POLICY } from '../moderation/site-policy.js';
import { checkPolicy, parsePolicySetting, POLICY_HELP } from './site-settings.js';
import type { CliIo } from './admin-commands.js';

const COMMON = `Common options:
  --data-dir <dir>        Data directory (LIFEBOAT_DATA_DIR, default .lifeboat).
  --database <url>        A postgres:// URL (LIFEBOAT_DATABASE_URL): the PostgreSQL store.
  --json                  Print JSON instead of text.
  --help                  Show this help.`;

export const POLICY_HELP_TEXT = `Usage:
  lifeboat site policy <slug> [--show]
  lifeboat site policy <slug> [--file policy.json] [--set key=value]...
  lifeboat site policy <slug> --reset

Shows or changes the site's moderation policy. --file reads a JSON object of policy fields;
--set (repeatable) changes one field, after --file. Fields not given keep their value; --reset
goes back to the defaults. The policy printed is the one the server enforces (defaults filled in).
Word lists are comma separated on the command line (--set bannedWords=scam,free money);
--set bannedWords= empties the list.

Fields:
${POLICY_HELP}

${COMMON}`;

export const SSO_HELP = `Usage:
  lifeboat site sso <slug>                                  Show which keys are set.
  lifeboat site sso <slug> --hs256-secret <secret>          Set the HS256 shared secret.
  lifeboat site sso <slug> --hs256-secret-file <file>       The same, read from a file.
  lifeboat site sso <slug> --public-key-file <pem>...       Set the ES256/EdDSA public keys (PEM or JWK; repeatable; replaces the list).
  lifeboat site sso <slug> --clear                          Remove every key (host sign-in off).

The host site signs its visitors' identity tokens with these keys (docs/identity.md); the server
verifies them at POST /v1/sites/<slug>/sessions/sso. --clear may be combined with new keys to
replace everything at once. Secrets are never printed.

${COMMON}`;

export const STAFF_HELP = `Usage:
  lifeboat staff add <site> <displayName> [--role staff|moderator] [--ttl 30d]
  lifeboat staff list <site>
  lifeboat staff remove <site> <member-id>

add creates a staff member of the site (role staff by default) and prints a signed session token
for it on standard output (details on standard error), e.g. TOKEN=$(lifeboat staff add acme "Ana").
The token works in <lifeboat-moderation> and as Authorization: Bearer <token> on the staff API
of that site only. --ttl: how long it is valid (90m, 12h, 30d; at most 365d).
Signing keys come from LIFEBOAT_SECRET or <data-dir>/secret, like the server's.
remove takes the staff role away (the id is in staff list): that member's tokens stop opening
staff routes at once; their posts stay.

${COMMON}`;

const ROLES: readonly MemberRole[] = ['staff', 'moderator'];
const MAX_TTL = 365 * 86_400;

function defaultIo(): CliIo {
  return { out: console.log, err: console.error, env: process.env, cwd: process.cwd() };
}

function printHelp(io: CliIo, text: string, argv: readonly string[]): boolean {
  if (argv.includes('--help') || argv[0] === 'help') {
    io.out(text);
    return true;
  }
  return false;
}

async function siteOf(store: Store, slug: string, io: CliIo): Promise<SiteRecord | null> {
  const site = await store.getSiteBySlug(slug);
  if (!site) io.err(`lifeboat: no site "${slug}". See: lifeboat site list`);
  return site;
}

function readFile(label: string, file: string, cwd: string): string {
  try {
    return fs.readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (err) {
    throw new UsageError(`${label}: cannot read ${file} (${(err as NodeJS.ErrnoException).code}).`);
  }
}

function printPolicy(io: CliIo, a: ParsedArgs, slug: string, policy: SitePolicy, verb: string) {
  if (a.flags.has('--json')) io.out(JSON.stringify(policy, null, 2));
  else
    io.out(
      `${verb} policy of site "${slug}":\n` +
        Object.entries(policy)
          .map(([k, v]) => `  ${k.padEnd(16)} ${Array.isArray(v) ? v.join(', ') || '(none)' : v}`)
          .join('\n'),
    );
}

async function withStore<T>(
  a: ParsedArgs,
  io: CliIo,
  run: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await openStore(cliStoreOptions(a.values, io.env, io.cwd));
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function reportErrors(io: CliIo, errors: ReadonlyArray<{ field: string; message: string }>) {
  for (const e of errors) io.err(`lifeboat: ${e.field}: ${e.message}`);
  return 2;
}

/** `lifeboat site policy <slug> …` */
export async function runSitePolicy(argv: readonly string[], io: CliIo = defaultIo()) {
  if (printHelp(io, POLICY_HELP_TEXT, argv)) return 0;
  return guard(io, POLICY_HELP_TEXT, async () => {
    const a = parseCommandArgs(argv, {
      positionals: ['slug'],
      values: ['--file'],
      lists: ['--set'],
      flags: ['--show', '--reset'],
    });
    const changing = a.values.has('--file') || a.lists.has('--set') || a.flags.has('--reset');
    if (a.flags.has('--show') && changing)
      throw new UsageError('--show only shows; leave it out to change the policy.');
    if (a.flags.has('--reset') && (a.values.has('--file') || a.lists.has('--set')))
      throw new UsageError('--reset goes back to the defaults; give it alone.');

    // Check everything before opening the store.
    const change: Partial<SitePolicy> = {};
    const errors: Array<{ field: string; message: string }> = [];
    if (a.values.has('--file')) {
      const file = a.values.get('--file')!;
      let json: unknown;
      try {
        json = JSON.parse(readFile('--file', file, io.cwd));
      } catch (err) {
        if (err instanceof UsageError) throw err;
        return reportErrors(io, [{ field: file, message: 'Not valid JSON.' }]);
      }
      const checked = checkPolicy(json, file);
      if ('errors' in checked) errors.push(...checked.errors);
      else Object.assign(change, checked.value);
    }
    for (const setting of a.lists.get('--set') ?? []) {
      const checked = parsePolicySetting(setting);
      if ('errors' in checked) errors.push(...checked.errors);
      else Object.assign(change, checked.value);
    }
    if (errors.length) return reportErrors(io, errors);

    const slug = a.positionals[0]!;
    return withStore(a, io, async (store) => {
      const site = await siteOf(store, slug, io);
      if (!site) return 1;
      const current = await store.getSitePolicy(site.id);
      if (!changing) {
        printPolicy(io, a, site.slug, current, 'The');
        return 0;
      }
      const next: SitePolicy = a.flags.has('--reset')
        ? { ...DEFAULT_POLICY, bannedWords: [], suspectWords: [] }
        : { ...current, ...change };
      const { policy: saved } = await store.setSitePolicy(site.id, next, {
        action: 'policy',
        actor: { kind: 'admin', id: null, displayName: 'lifeboat CLI' },
        reason: a.flags.has('--reset') ? 'Reset to the defaults' : null,
        detail: a.flags.has('--reset') ? { reset: true } : { changed: Object.keys(change) },
      });
      printPolicy(io, a, site.slug, saved, 'Updated');
      return 0;
    });
  });
}

/** `lifeboat site sso <slug> …` */
export async function runSiteSso(argv: readonly string[], io: CliIo = defaultIo()) {
  if (printHelp(io, SSO_HELP, argv)) return 0;
  return guard(io, SSO_HELP, async () => {
    const a = parseCommandArgs(argv, {
      positionals: ['slug'],
      values: ['--hs256-secret', '--hs256-secret-file'],
      lists: ['--public-key-file'],
      flags: ['--clear'],
    });
    if (a.values.has('--hs256-secret') && a.values.has('--hs256-secret-file'))
      throw new UsageError('Give --hs256-secret or --hs256-secret-file, not both.');
    const change: SsoChange = {};
    if (a.values.has('--hs256-secret')) change.hs256Secret = a.values.get('--hs256-secret')!;
    if (a.values.has('--hs256-secret-file'))
      change.hs256Secret = readFile(
        '--hs256-secret-file',
        a.values.get('--hs256-secret-file')!,
        io.cwd,
      ).trim();
    if (a.lists.has('--public-key-file'))
      change.publicKeys = a.lists
        .get('--public-key-file')!
        .map((f) => readFile('--public-key-file', f, io.cwd));
    const clear = a.flags.has('--clear');
    const changing = clear || Object.keys(change).length > 0;
    // Errors name the option, not the stored field.
    const optionOf = (field: string) =>
      field.startsWith('publicKeys')
        ? `--public-key-file ${a.lists.get('--public-key-file')![Number(field.split('.')[1] ?? 0)] ?? ''}`.trim()
        : a.values.has('--hs256-secret-file')
          ? '--hs256-secret-file'
          : '--hs256-secret';
    const checked = applySsoChange({}, change);
    if ('errors' in checked)
      return reportErrors(
        io,
        checked.errors.map((e) => ({ field: optionOf(e.field), message: e.message })),
      );

    const slug = a.positionals[0]!;
    // The HS256 secret is stored sealed with the server's keys (ADR 0020): the same keys as the
    // server's (LIFEBOAT_SECRET, or <data-dir>/secret).
    let secret: string | null;
    try {
      secret = loadConfig({ env: io.env, argv: [], cwd: io.cwd }).secret;
    } catch (err) {
      if (err instanceof ConfigError) {
        io.err(`lifeboat: ${err.message}`);
        return 2;
      }
      throw err;
    }
    const box = new SecretBox(loadSigningKeys(secret, dataDirOf(a.values, io.env, io.cwd)));
    return withStore(a, io, async (store) => {
      const site = await siteOf(store, slug, io);
      if (!site) return 1;
      let sso = await readSiteSso(store, box, site.id);
      if (changing) {
        const next = applySsoChange(clear ? {} : sso, change);
        if ('errors' in next) return reportErrors(io, next.errors);
        sso = next.sso;
        await writeSiteSso(store, box, site.id, sso);
      }
      const view = viewOf(sso);
      if (a.flags.has('--json')) io.out(JSON.stringify(view, null, 2));
      else {
        const keys = view.publicKeys.map(
          (k) => `${k.alg} ${k.thumbprint}${k.kid ? ` (kid ${k.kid})` : ''}`,
        );
        const kinds = [view.hs256 ? 'HS256 secret' : null, ...keys].filter(Boolean);
        io.out(
          `${changing ? 'Updated' : 'The'} host sign-in keys of site "${site.slug}": ${kinds.length ? kinds.join('; ') : 'none (host sign-in is off)'}.`,
        );
      }
      return 0;
    });
  });
}

/** `lifeboat staff add|list …` */
export async function runStaffCommand(argv: readonly string[], io: CliIo = defaultIo()) {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === 'help' || rest.includes('--help')) {
    io.out(STAFF_HELP);
    return action ? 0 : 2;
  }
  return guard(io, STAFF_HELP, async () => {
    if (action === 'add') {
      const a = parseCommandArgs(rest, {
        positionals: ['site', 'displayName'],
        values: ['--role', '--ttl'],
      });
      const [slug, rawName] = a.positionals as [string, string];
      const role = (a.values.get('--role') ?? 'staff') as MemberRole;
      if (!ROLES.includes(role)) throw new UsageError('--role must be staff or moderator.');
      const displayName = rawName.trim().replace(/\s+/g, ' ');
      if (displayName.length < 1 || displayName.length > 60)
        return reportErrors(io, [{ field: 'displayName', message: 'Use 1 to 60 characters.' }]);
      const ttl = parseDuration('--ttl', a.values.get('--ttl') ?? '30d', 60, MAX_TTL);
      const dataDir = dataDirOf(a.values, io.env, io.cwd);
      let secret: string | null;
      try {
        secret = loadConfig({ env: io.env, argv: [], cwd: io.cwd }).secret;
      } catch (err) {
        if (err instanceof ConfigError) {
          io.err(`lifeboat: ${err.message}`);
          return 2;
        }
        throw err;
      }
      return withStore(a, io, async (store) => {
        const site = await siteOf(store, slug, io);
        if (!site) return 1;
        const keys = loadSigningKeys(secret, dataDir);
        const member = await store.createMember({
          siteId: site.id,
          kind: 'staff',
          displayName,
          role,
        });
        const exp = Math.floor(Date.now() / 1000) + ttl;
        const token = signToken(keys, { sub: member.id, site: site.id, name: displayName, exp });
        const expiresAt = new Date(exp * 1000).toISOString();
        if (a.flags.has('--json'))
          io.out(JSON.stringify({ token, member: memberSummary(member), expiresAt }, null, 2));
        else {
          io.err(
            `Created ${role} "${displayName}" on site "${site.slug}" (member ${member.id}); token valid until ${expiresAt}. Keep it secret.`,
          );
          io.out(token);
        }
        return 0;
      });
    }
    if (action === 'list') {
      const a = parseCommandArgs(rest, { positionals: ['site'] });
      return withStore(a, io, async (store) => {
        const site = await siteOf(store, a.positionals[0]!, io);
        if (!site) return 1;
        const staff = (await store.listMembers(site.id, 'staff')).filter(
          (m) => m.role !== 'member',
        );
        if (a.flags.has('--json'))
          io.out(
            JSON.stringify(
              staff.map((m) => ({ ...memberSummary(m), createdAt: m.createdAt })),
              null,
              2,
            ),
          );
        else
          io.out(
            staff.length
              ? staff.map((m) => `${m.id}\t${m.role}\t${m.displayName}\t${m.createdAt}`).join('\n')
              : `No staff on site "${site.slug}" yet. Add one: lifeboat staff add ${site.slug} "<name>"`,
          );
        return 0;
      });
    }
    if (action === 'remove') {
      const a = parseCommandArgs(rest, { positionals: ['site', 'member-id'] });
      const [slug, memberId] = a.positionals as [string, string];
      return withStore(a, io, async (store) => {
        const site = await siteOf(store, slug, io);
        if (!site) return 1;
        const member = await store.getMember(site.id, memberId);
        if (!member || member.kind !== 'staff' || member.role === 'member') {
          io.err(
            `lifeboat: no staff member "${memberId}" on site "${site.slug}". See: lifeboat staff list ${site.slug}`,
          );
          return 1;
        }
        const removed = (await store.setMemberRole(site.id, member.id, 'member'))!;
        if (a.flags.has('--json')) io.out(JSON.stringify(memberSummary(removed), null, 2));
        else io.out(`"${removed.displayName}" is no longer staff on site "${site.slug}".`);
        return 0;
      });
    }
    throw new UsageError(`Unknown command "staff ${action}".`);
  });
}

async function guard(io: CliIo, help: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`lifeboat: ${err.message}\n\n${help}`);
      return 2;
    }
    throw err;
  }
}
