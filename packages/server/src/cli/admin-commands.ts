/**
 * `lifeboat site …` and `lifeboat incident …`: manage sites and manual incidents directly in the
 * data directory's SQLite file, through the same Store and services as the HTTP API.
 *
 * A running server sees these changes in its snapshots at once; its live streams carry the
 * events written here with the next event of the site (the CLI cannot notify another process).
 */
import {
  IMPACTS,
  INCIDENT_PHASES,
  type Impact,
  type Incident,
  type IncidentPhase,
} from '@lifeboat/protocol';
import {
  changeManualIncident,
  createManualIncident,
  resolveManualIncident,
  type IncidentOutcome,
} from '../services/incidents.js';
import { adminSite, createSite, updateSite, type SiteOutcome } from '../services/sites.js';
import { openStore } from '../store/sql-store.js';
import { cliStoreOptions } from './args.js';
import type { Store } from '../store/store.js';

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

const COMMON = `Common options:
  --data-dir <dir>        Data directory (LIFEBOAT_DATA_DIR, default .lifeboat); the server's SQLite file lives there.
  --database <url>        A postgres:// URL (LIFEBOAT_DATABASE_URL): work on the PostgreSQL store instead.
  --json                  Print JSON instead of text.
  --help                  Show this help.`;

export const SITE_HELP = `Usage:
  lifeboat site create --slug <slug> --name <name> [--origin <origin>]... [--status-url <url>] [--poll-interval-ms <ms>]
  lifeboat site update --slug <slug> [--new-slug <slug>] [--name <name>] [--origin <origin>]... [--status-url <url>|none] [--poll-interval-ms <ms>|default]
  lifeboat site list
  lifeboat site policy <slug> [--show | --set key=value... | --file policy.json | --reset]   (see lifeboat site policy --help)
  lifeboat site sso <slug> [--hs256-secret <s> | --public-key-file <pem>... | --clear]      (see lifeboat site sso --help)

Sites are the status pages Lifeboat serves. --origin (repeatable) allows a page origin to embed
the site (* allows any). --status-url makes the server poll an upstream status page
(Statuspage or incident.io /api/v2/summary.json, Instatus /summary.json) for incidents;
without it, incidents are manual (lifeboat incident …).

${COMMON}`;

export const INCIDENT_HELP = `Usage:
  lifeboat incident create --site <slug> --title <title> --impact <${IMPACTS.join('|')}> --body <text> [--phase <phase>] [--component <id>]...
  lifeboat incident update --site <slug> --id <incident> [--title <title>] [--phase <${INCIDENT_PHASES.join('|')}>] [--impact <impact>] [--component <id>]... [--body <text>]
  lifeboat incident resolve --site <slug> --id <incident> [--body <text>]
  lifeboat incident list --site <slug> [--all]

Manual incidents for sites without an upstream status page. create opens the incident's thread;
--body is an official update (plain text); resolve closes the incident, and its thread locks
after LIFEBOAT_LOCK_GRACE_MS. Incidents of a site that follows a status page change there only.

${COMMON}`;

class UsageError extends Error {}

const REPEATABLE = new Set(['--origin', '--component']);
const BOOLEAN = new Set(['--json', '--help', '--all']);

function parseArgs(argv: readonly string[], allowed: readonly string[]) {
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const flags = new Set<string>();
  const known = new Set([...allowed, '--data-dir', '--database', '--json', '--help']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    if (!known.has(name)) throw new UsageError(`Unknown option ${arg}.`);
    if (BOOLEAN.has(name)) {
      flags.add(name);
      continue;
    }
    const value = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`Option ${name} needs a value.`);
    if (REPEATABLE.has(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
    else values.set(name, value);
  }
  const need = (name: string) => {
    const v = values.get(name);
    if (v === undefined) throw new UsageError(`Missing ${name}.`);
    return v;
  };
  return { values, lists, flags, need };
}

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]) {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value))
    throw new UsageError(`${name} must be one of ${allowed.join(', ')}.`);
  return value as T;
}

function interval(raw: string | undefined): number | null | undefined {
  if (raw === undefined) return undefined;
  if (raw === 'default') return null;
  if (!/^\d+$/.test(raw))
    throw new UsageError('--poll-interval-ms must be a whole number or "default".');
  return Number(raw);
}

function describeIncident(i: Incident): string {
  const resolved = i.resolvedAt ? ` resolved ${i.resolvedAt}` : '';
  return `${i.id}  [${i.phase}, ${i.impact}] ${i.title} (thread ${i.threadState}${resolved})`;
}

export async function runAdminCommand(
  group: 'site' | 'incident',
  argv: readonly string[],
  io: CliIo = { out: console.log, err: console.error, env: process.env, cwd: process.cwd() },
): Promise<number> {
  const [action, ...rest] = argv;
  const help = group === 'site' ? SITE_HELP : INCIDENT_HELP;
  if (!action || action === '--help' || action === 'help' || rest.includes('--help')) {
    io.out(help);
    return action ? 0 : 2;
  }
  let store: Store | null = null;
  try {
    const open = async (values: Map<string, string>) =>
      (store = await openStore(cliStoreOptions(values, io.env, io.cwd)));
    const print = (json: boolean, value: unknown, text: string) =>
      io.out(json ? JSON.stringify(value, null, 2) : text);

    if (group === 'site') {
      const settle = (outcome: SiteOutcome) => {
        if (outcome.kind === 'invalid') {
          for (const e of outcome.errors) io.err(`lifeboat: ${e.field}: ${e.message}`);
          return null;
        }
        if (outcome.kind === 'slug_taken') {
          io.err('lifeboat: another site already uses this slug.');
          return null;
        }
        return outcome.site;
      };
      switch (action) {
        case 'create': {
          const a = parseArgs(rest, [
            '--slug',
            '--name',
            '--origin',
            '--status-url',
            '--poll-interval-ms',
          ]);
          const input = {
            slug: a.need('--slug'),
            name: a.need('--name'),
            origins: a.lists.get('--origin') ?? [],
            ...(a.values.has('--status-url') ? { statusUrl: a.values.get('--status-url')! } : {}),
            ...(a.values.has('--poll-interval-ms')
              ? { pollIntervalMs: interval(a.values.get('--poll-interval-ms')) }
              : {}),
          };
          const site = settle(await createSite(await open(a.values), input));
          if (!site) return 2;
          print(
            a.flags.has('--json'),
            adminSite(site),
            `Created site "${site.slug}" (${site.name}).`,
          );
          return 0;
        }
        case 'update': {
          const a = parseArgs(rest, [
            '--slug',
            '--new-slug',
            '--name',
            '--origin',
            '--status-url',
            '--poll-interval-ms',
          ]);
          const s = await open(a.values);
          const current = await s.getSiteBySlug(a.need('--slug'));
          if (!current) {
            io.err(`lifeboat: no site "${a.need('--slug')}".`);
            return 1;
          }
          const url = a.values.get('--status-url');
          const site = settle(
            await updateSite(s, current, {
              ...(a.values.has('--new-slug') ? { slug: a.values.get('--new-slug')! } : {}),
              ...(a.values.has('--name') ? { name: a.values.get('--name')! } : {}),
              ...(a.lists.has('--origin') ? { origins: a.lists.get('--origin')! } : {}),
              ...(url !== undefined
                ? { statusUrl: url === 'none' || url === '' ? null : url }
                : {}),
              ...(a.values.has('--poll-interval-ms')
                ? { pollIntervalMs: interval(a.values.get('--poll-interval-ms')) }
                : {}),
            }),
          );
          if (!site) return 2;
          print(a.flags.has('--json'), adminSite(site), `Updated site "${site.slug}".`);
          return 0;
        }
        case 'list': {
          const a = parseArgs(rest, []);
          const sites = (await (await open(a.values)).listSites()).map(adminSite);
          print(
            a.flags.has('--json'),
            sites,
            sites.length
              ? sites
                  .map(
                    (x) =>
                      `${x.slug}\t${x.name}\t${x.statusUrl ?? 'manual incidents'}\torigins: ${x.origins.join(', ') || '(none)'}`,
                  )
                  .join('\n')
              : 'No sites yet. Create one: lifeboat site create --slug <slug> --name <name>',
          );
          return 0;
        }
        default:
          throw new UsageError(`Unknown command "site ${action}".`);
      }
    }

    // incidents
    const a = parseArgs(rest, [
      '--site',
      '--id',
      '--title',
      '--impact',
      '--phase',
      '--component',
      '--body',
      '--all',
    ]);
    const s = await open(a.values);
    const site = await s.getSiteBySlug(a.need('--site'));
    if (!site) {
      io.err(`lifeboat: no site "${a.need('--site')}".`);
      return 1;
    }
    const impact = oneOf<Impact>('--impact', a.values.get('--impact'), IMPACTS);
    const phase = oneOf<IncidentPhase>('--phase', a.values.get('--phase'), INCIDENT_PHASES);
    const components = a.lists.get('--component');
    const title = a.values.get('--title');
    const body = a.values.get('--body');
    let outcome: IncidentOutcome;
    switch (action) {
      case 'create':
        if (!impact) throw new UsageError('Missing --impact.');
        outcome = await createManualIncident(s, site, {
          title: a.need('--title'),
          impact,
          body: a.need('--body'),
          ...(phase ? { phase } : {}),
          ...(components ? { components } : {}),
        });
        break;
      case 'update': {
        const change = {
          ...(title !== undefined ? { title } : {}),
          ...(phase ? { phase } : {}),
          ...(impact ? { impact } : {}),
          ...(components ? { components } : {}),
          ...(body !== undefined ? { body } : {}),
        };
        if (Object.keys(change).length === 0)
          throw new UsageError(
            'Nothing to change: give --title, --phase, --impact, --component or --body.',
          );
        outcome = await changeManualIncident(s, site, a.need('--id'), change);
        break;
      }
      case 'resolve':
        outcome = await resolveManualIncident(s, site, a.need('--id'), body);
        break;
      case 'list': {
        const list = await s.listIncidents(site.id, a.flags.has('--all') ? 'all' : 'open');
        print(
          a.flags.has('--json'),
          list,
          list.length ? list.map(describeIncident).join('\n') : 'No open incidents.',
        );
        return 0;
      }
      default:
        throw new UsageError(`Unknown command "incident ${action}".`);
    }
    switch (outcome.kind) {
      case 'ok':
        print(a.flags.has('--json'), outcome.incident, describeIncident(outcome.incident));
        return 0;
      case 'invalid':
        for (const e of outcome.errors) io.err(`lifeboat: ${e.field}: ${e.message}`);
        return 2;
      case 'not_found':
        io.err(`lifeboat: no incident "${a.values.get('--id')}" on site "${site.slug}".`);
        return 1;
      case 'follows_upstream':
        io.err("lifeboat: this incident follows the site's upstream status page; change it there.");
        return 1;
      case 'already_resolved':
        io.err('lifeboat: this incident is already resolved.');
        return 1;
    }
    return 1;
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`lifeboat: ${err.message}\n\n${help}`);
      return 2;
    }
    throw err;
  } finally {
    await (store as Store | null)?.close();
  }
}
