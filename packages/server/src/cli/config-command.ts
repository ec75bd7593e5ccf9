/** `lifeboat config check [<file>]`: checks a config file (LIFEBOAT_CONFIG) without starting. */
import path from 'node:path';
import { readConfigFile } from '../config-file.js';
import { ConfigError } from '../config.js';
import type { CliIo } from './admin-commands.js';
import { parseCommandArgs, UsageError } from './args.js';

export const CONFIG_HELP = `Usage:
  lifeboat config check [<file>]

Reads a config file (default: LIFEBOAT_CONFIG) and checks all of it the way \`lifeboat start\`
does, without opening the data directory: exit code 0 and a summary when it is good, 2 and
every problem with its JSON path when not. Environment variables named by hs256SecretEnv must
be set, and publicKeyFiles readable, as they will be at start.`;

export async function runConfigCommand(
  argv: readonly string[],
  io: CliIo = { out: console.log, err: console.error, env: process.env, cwd: process.cwd() },
): Promise<number> {
  const [action, ...rest] = argv;
  if (!action || action === '--help' || action === 'help' || rest.includes('--help')) {
    io.out(CONFIG_HELP);
    return action ? 0 : 2;
  }
  try {
    if (action !== 'check') throw new UsageError(`Unknown command "config ${action}".`);
    const a = parseCommandArgs(rest, { optionalPositionals: ['file'] });
    const given = a.positionals[0] ?? io.env['LIFEBOAT_CONFIG'];
    if (!given) throw new UsageError('Give the file, or set LIFEBOAT_CONFIG.');
    const file = path.resolve(io.cwd, given);
    const loaded = readConfigFile(file, io.env);
    if (a.flags.has('--json'))
      io.out(JSON.stringify({ file, sites: loaded.sites.map((s) => s.slug) }));
    else
      io.out(
        `${file} is good: ${loaded.sites.length} site${loaded.sites.length === 1 ? '' : 's'}${loaded.sites.length ? ` (${loaded.sites.map((s) => s.slug).join(', ')})` : ''}.`,
      );
    return 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`lifeboat: ${err.message}`);
      return 2;
    }
    if (err instanceof UsageError) {
      io.err(`lifeboat: ${err.message}\n\n${CONFIG_HELP}`);
      return 2;
    }
    throw err;
  }
}
