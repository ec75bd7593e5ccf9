/** Command-line arguments of the `lifeboat` subcommands: positionals, `--name value`, `--name=value`. */
import path from 'node:path';
import { isPostgresUrl, type StoreOptions } from '../store/sql-store.js';

/** A mistake in the command line: printed with the command's usage, exit code 2. */
export class UsageError extends Error {}

export interface ArgSpec {
  /** Options that take one value. */
  values?: readonly string[];
  /** Options that take a value and may repeat. */
  lists?: readonly string[];
  /** Options without a value. */
  flags?: readonly string[];
  /** Names of the required positional arguments, in order. */
  positionals?: readonly string[];
  /** Names of optional positional arguments after the required ones. */
  optionalPositionals?: readonly string[];
}

export interface ParsedArgs {
  positionals: string[];
  values: Map<string, string>;
  lists: Map<string, string[]>;
  flags: Set<string>;
  /** The value of a required option, or a UsageError naming it. */
  need(name: string): string;
}

const COMMON_VALUES = ['--data-dir', '--database'];
const COMMON_FLAGS = ['--json', '--help'];

export function parseCommandArgs(argv: readonly string[], spec: ArgSpec): ParsedArgs {
  const valueNames = new Set([...(spec.values ?? []), ...COMMON_VALUES]);
  const listNames = new Set(spec.lists ?? []);
  const flagNames = new Set([...(spec.flags ?? []), ...COMMON_FLAGS]);
  const expected = spec.positionals ?? [];
  const most = expected.length + (spec.optionalPositionals?.length ?? 0);
  const positionals: string[] = [];
  const values = new Map<string, string>();
  const lists = new Map<string, string[]>();
  const flags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      if (positionals.length >= most) throw new UsageError(`Unexpected argument "${arg}".`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (flagNames.has(name)) {
      if (eq > 0) throw new UsageError(`Option ${name} takes no value.`);
      flags.add(name);
      continue;
    }
    if (!valueNames.has(name) && !listNames.has(name))
      throw new UsageError(`Unknown option ${name}.`);
    // `--name --other` is a missing value (a value starting with -- needs `--name=--value`).
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined || (eq < 0 && value.startsWith('--')))
      throw new UsageError(`Option ${name} needs a value.`);
    if (listNames.has(name)) lists.set(name, [...(lists.get(name) ?? []), value]);
    else if (values.has(name)) throw new UsageError(`Option ${name} is given twice.`);
    else values.set(name, value);
  }
  if (positionals.length < expected.length)
    throw new UsageError(`Missing <${expected[positionals.length]}>.`);
  return {
    positionals,
    values,
    lists,
    flags,
    need(name) {
      const v = values.get(name);
      if (v === undefined) throw new UsageError(`Missing ${name}.`);
      return v;
    },
  };
}

/**
 * The store a CLI command works on, as the server would open it: PostgreSQL from `--database`
 * or LIFEBOAT_DATABASE_URL, else SQLite in the data directory.
 */
export function cliStoreOptions(
  values: Map<string, string>,
  env: Record<string, string | undefined>,
  cwd: string,
): StoreOptions {
  const databaseUrl = values.get('--database') ?? (env['LIFEBOAT_DATABASE_URL'] || null);
  if (databaseUrl !== null && !isPostgresUrl(databaseUrl))
    throw new Error('--database must be a postgres:// URL (omit it for SQLite).');
  return {
    databaseUrl,
    file: path.join(dataDirOf(values, env, cwd), 'lifeboat.db'),
  };
}

/** The data directory: `--data-dir`, else LIFEBOAT_DATA_DIR, else `.lifeboat` (from cwd). */
export function dataDirOf(
  values: Map<string, string>,
  env: Record<string, string | undefined>,
  cwd: string,
): string {
  return path.resolve(cwd, values.get('--data-dir') ?? (env['LIFEBOAT_DATA_DIR'] || '.lifeboat'));
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/** `90m`, `12h`, `30d` (or plain seconds) → seconds, within [min, max]. */
export function parseDuration(label: string, raw: string, min: number, max: number): number {
  const m = /^(\d{1,9})([smhd]?)$/.exec(raw.trim());
  if (!m) throw new UsageError(`${label} must look like 90m, 12h or 30d, got "${raw}".`);
  const seconds = Number(m[1]) * UNITS[m[2] || 's']!;
  if (seconds < min || seconds > max)
    throw new UsageError(
      `${label} must be between ${min / 60} minutes and ${max / 86_400} days, got "${raw}".`,
    );
  return seconds;
}
