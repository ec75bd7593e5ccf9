/**
 * `lifeboat site push` (the secret URL a status page sends its webhooks to) and
 * `lifeboat webhook …` (outgoing endpoints, the delivery log, redelivery), on the store the server
 * uses, through the same rules as the admin API (webhooks/manage.ts). Secrets are sealed with the
 * server's keys (LIFEBOAT_SECRET, or <data-dir>/secret), so the CLI needs the same ones. A
 * redelivery is picked up by the running server within its sweep (a few seconds).
 */
import { SecretBox } from '../auth/secret-box.js';
import { loadSigningKeys } from '../auth/tokens.js';
import { ConfigError, loadConfig } from '../config.js';
import { openStore, type SqlStore } from '../store/sql-store.js';
import { SqlWebhooks, type PushProvider } from '../store/sql-webhooks.js';
import type { SiteRecord } from '../store/store.js';
import {
  createEndpoint,
  endpointView,
  pushPath,
  setPushSource,
  updateEndpoint,
} from '../webhooks/manage.js';
import { WEBHOOK_EVENTS } from '../webhooks/events.js';
import type { CliIo } from './admin-commands.js';
import {
  cliStoreOptions,
  dataDirOf,
  parseCommandArgs,
  UsageError,
  type ParsedArgs,
} from './args.js';

const COMMON = `Common options:
  --data-dir <dir>        Data directory (LIFEBOAT_DATA_DIR, default .lifeboat).
  --database <url>        A postgres:// URL (LIFEBOAT_DATABASE_URL): the PostgreSQL store.
  --json                  Print JSON instead of text.`;

export const PUSH_HELP = `Usage:
  lifeboat site push <site> --provider statuspage|instatus|incidentio [--signing-secret <s>] [--origin <url>]
  lifeboat site push <site> --remove

Makes the secret URL a status page sends its webhook notifications to (a new one each time: the
old URL stops working). Paste it into Statuspage (Subscribers → Webhook), Instatus (Subscribers →
Webhook, with its webhook secret as --signing-secret) or incident.io. --origin is the server's
public origin (LIFEBOAT_PUBLIC_ORIGIN by default).

${COMMON}`;

export const WEBHOOK_HELP = `Usage:
  lifeboat webhook add <site> --url <url> --event <event>... [--format standard|slack] [--secret whsec_…]
  lifeboat webhook list <site>
  lifeboat webhook update <site> <id> [--url <url>] [--event <event>]... [--format …] [--enable|--disable] [--rotate-secret]
  lifeboat webhook remove <site> <id>
  lifeboat webhook deliveries <site> [--endpoint <id>] [--limit <n>]
  lifeboat webhook show <site> <delivery-id>
  lifeboat webhook redeliver <site> <delivery-id>

Events: ${WEBHOOK_EVENTS.join(', ')}.
Deliveries are signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)
with the endpoint's whsec_ secret, printed once by add and --rotate-secret. See docs/webhooks.md.

${COMMON}`;

function defaultIo(): CliIo {
  return { out: console.log, err: console.error, env: process.env, cwd: process.cwd() };
}

function secretBox(a: ParsedArgs, io: CliIo): SecretBox {
  const secret = loadConfig({ env: io.env, argv: [], cwd: io.cwd }).secret;
  return new SecretBox(loadSigningKeys(secret, dataDirOf(a.values, io.env, io.cwd)));
}

async function withSite(
  a: ParsedArgs,
  io: CliIo,
  run: (data: SqlWebhooks, site: SiteRecord) => Promise<number>,
): Promise<number> {
  const store = await openStore(cliStoreOptions(a.values, io.env, io.cwd));
  try {
    const slug = a.positionals[0]!;
    const site = await store.getSiteBySlug(slug);
    if (!site) {
      io.err(`lifeboat: no site "${slug}". See: lifeboat site list`);
      return 1;
    }
    return await run(new SqlWebhooks((store as SqlStore).driver), site);
  } finally {
    await store.close();
  }
}

function reportErrors(io: CliIo, errors: ReadonlyArray<{ field: string; message: string }>) {
  for (const e of errors) io.err(`lifeboat: ${e.field}: ${e.message}`);
  return 2;
}

async function guard(io: CliIo, help: string, run: () => Promise<number>): Promise<number> {
  try {
    return await run();
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`lifeboat: ${err.message}\n\n${help}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`lifeboat: ${err.message}`);
      return 2;
    }
    throw err;
  }
}

/** `lifeboat site push …` */
export async function runSitePush(argv: readonly string[], io: CliIo = defaultIo()) {
  if (argv.includes('--help') || argv[0] === 'help') {
    io.out(PUSH_HELP);
    return 0;
  }
  return guard(io, PUSH_HELP, async () => {
    const a = parseCommandArgs(argv, {
      positionals: ['site'],
      values: ['--provider', '--signing-secret', '--origin'],
      flags: ['--remove'],
    });
    if (a.flags.has('--remove'))
      return withSite(a, io, async (data, site) => {
        const removed = await data.deletePush(site.id);
        io.out(removed ? `Removed the push URL of site "${site.slug}".` : 'No push URL to remove.');
        return removed ? 0 : 1;
      });
    const provider = a.need('--provider') as PushProvider;
    const box = secretBox(a, io);
    const origin =
      a.values.get('--origin') ??
      io.env['LIFEBOAT_PUBLIC_ORIGIN'] ??
      `http://localhost:${io.env['LIFEBOAT_PORT'] ?? '8787'}`;
    return withSite(a, io, async (data, site) => {
      const result = await setPushSource(data, box, site.id, {
        provider,
        signingSecret: a.values.get('--signing-secret') ?? null,
      });
      if ('errors' in result)
        return reportErrors(
          io,
          result.errors.map((e) => ({
            ...e,
            field: `--${e.field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
          })),
        );
      const url = origin.replace(/\/+$/, '') + pushPath(site.slug, result.token);
      if (a.flags.has('--json')) io.out(JSON.stringify({ provider, url }, null, 2));
      else
        io.out(
          `Push URL of site "${site.slug}" (${provider}; shown once, keep it secret):\n  ${url}`,
        );
      return 0;
    });
  });
}

/** `lifeboat webhook …` */
export async function runWebhookCommand(argv: readonly string[], io: CliIo = defaultIo()) {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === 'help' || rest.includes('--help')) {
    io.out(WEBHOOK_HELP);
    return action ? 0 : 2;
  }
  return guard(io, WEBHOOK_HELP, async () => {
    const json = (value: unknown) => io.out(JSON.stringify(value, null, 2));
    switch (action) {
      case 'add': {
        const a = parseCommandArgs(rest, {
          positionals: ['site'],
          values: ['--url', '--format', '--secret'],
          lists: ['--event'],
        });
        const box = secretBox(a, io);
        return withSite(a, io, async (data, site) => {
          const result = await createEndpoint(data, box, site.id, {
            url: a.need('--url'),
            events: a.lists.get('--event') ?? [],
            ...(a.values.has('--format') ? { format: a.values.get('--format')! } : {}),
            ...(a.values.has('--secret') ? { secret: a.values.get('--secret')! } : {}),
          });
          if ('errors' in result)
            return reportErrors(
              io,
              result.errors.map((e) => ({
                ...e,
                field: e.field === 'events' ? '--event' : `--${e.field}`,
              })),
            );
          if (a.flags.has('--json'))
            json({ ...endpointView(result.endpoint), secret: result.secret });
          else
            io.out(
              `Added webhook ${result.endpoint.id} of site "${site.slug}" → ${result.endpoint.url} (${result.endpoint.events.join(', ')}; ${result.endpoint.format}).\nSigning secret (shown once): ${result.secret}`,
            );
          return 0;
        });
      }
      case 'list': {
        const a = parseCommandArgs(rest, { positionals: ['site'] });
        return withSite(a, io, async (data, site) => {
          const items = (await data.listEndpoints(site.id)).map(endpointView);
          if (a.flags.has('--json')) json(items);
          else if (!items.length) io.out(`Site "${site.slug}" has no webhooks.`);
          else
            for (const e of items)
              io.out(
                `${e.id}  ${e.enabled ? 'on ' : 'off'}  ${e.format.padEnd(8)} ${e.url}  [${e.events.join(', ')}]`,
              );
          return 0;
        });
      }
      case 'update': {
        const a = parseCommandArgs(rest, {
          positionals: ['site', 'id'],
          values: ['--url', '--format'],
          lists: ['--event'],
          flags: ['--enable', '--disable', '--rotate-secret'],
        });
        if (a.flags.has('--enable') && a.flags.has('--disable'))
          throw new UsageError('Give --enable or --disable, not both.');
        const box = secretBox(a, io);
        return withSite(a, io, async (data, site) => {
          const result = await updateEndpoint(data, box, site.id, a.positionals[1]!, {
            ...(a.values.has('--url') ? { url: a.values.get('--url')! } : {}),
            ...(a.lists.has('--event') ? { events: a.lists.get('--event')! } : {}),
            ...(a.values.has('--format') ? { format: a.values.get('--format')! } : {}),
            ...(a.flags.has('--enable') ? { enabled: true } : {}),
            ...(a.flags.has('--disable') ? { enabled: false } : {}),
            rotateSecret: a.flags.has('--rotate-secret'),
          });
          if ('errors' in result) return reportErrors(io, result.errors);
          if ('notFound' in result) {
            io.err(`lifeboat: no webhook "${a.positionals[1]}" on site "${site.slug}".`);
            return 1;
          }
          if (a.flags.has('--json'))
            json({
              ...endpointView(result.endpoint),
              ...(result.secret ? { secret: result.secret } : {}),
            });
          else {
            io.out(`Updated webhook ${result.endpoint.id}.`);
            if (result.secret) io.out(`New signing secret (shown once): ${result.secret}`);
          }
          return 0;
        });
      }
      case 'remove': {
        const a = parseCommandArgs(rest, { positionals: ['site', 'id'] });
        return withSite(a, io, async (data, site) => {
          if (!(await data.deleteEndpoint(site.id, a.positionals[1]!))) {
            io.err(`lifeboat: no webhook "${a.positionals[1]}" on site "${site.slug}".`);
            return 1;
          }
          io.out(`Removed webhook ${a.positionals[1]} and its delivery log.`);
          return 0;
        });
      }
      case 'deliveries': {
        const a = parseCommandArgs(rest, {
          positionals: ['site'],
          values: ['--endpoint', '--limit'],
        });
        const limit = Number(a.values.get('--limit') ?? '20');
        if (!Number.isInteger(limit) || limit < 1 || limit > 200)
          throw new UsageError('--limit must be a whole number from 1 to 200.');
        return withSite(a, io, async (data, site) => {
          const items = await data.listMessages(site.id, {
            ...(a.values.has('--endpoint') ? { endpointId: a.values.get('--endpoint')! } : {}),
            limit,
          });
          if (a.flags.has('--json')) json(items.map(({ payload: _payload, ...rest }) => rest));
          else if (!items.length) io.out('No deliveries.');
          else
            for (const m of items)
              io.out(
                `${m.id}  ${m.state.padEnd(9)} ${m.eventType.padEnd(20)} attempts ${m.attempts}${m.lastStatus !== null ? `, last HTTP ${m.lastStatus}` : ''}${m.lastError && m.state !== 'delivered' ? ` (${m.lastError})` : ''}`,
              );
          return 0;
        });
      }
      case 'show': {
        const a = parseCommandArgs(rest, { positionals: ['site', 'id'] });
        return withSite(a, io, async (data, site) => {
          const m = await data.getMessage(site.id, a.positionals[1]!);
          if (!m) {
            io.err(`lifeboat: no delivery "${a.positionals[1]}" on site "${site.slug}".`);
            return 1;
          }
          const log = await data.attemptsOf(m.id);
          if (a.flags.has('--json')) json({ ...m, log });
          else {
            io.out(`${m.id}  ${m.eventType}  ${m.state}, ${m.attempts} attempt(s)`);
            for (const t of log)
              io.out(
                `  #${t.attempt} ${t.at}  ${t.status !== null ? `HTTP ${t.status}` : 'no answer'}  ${t.durationMs} ms${t.error ? `  ${t.error}` : ''}`,
              );
            io.out(m.payload);
          }
          return 0;
        });
      }
      case 'redeliver': {
        const a = parseCommandArgs(rest, { positionals: ['site', 'id'] });
        return withSite(a, io, async (data, site) => {
          const m = await data.redeliver(site.id, a.positionals[1]!, new Date().toISOString());
          if (!m) {
            io.err(`lifeboat: no delivery "${a.positionals[1]}" on site "${site.slug}".`);
            return 1;
          }
          io.out(`Delivery ${m.id} is queued again; the server sends it within seconds.`);
          return 0;
        });
      }
      default:
        throw new UsageError(`Unknown webhook command "${action}".`);
    }
  });
}
