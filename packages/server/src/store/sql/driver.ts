/**
 * The SQL driver port (ADR 0017): the one seam between the engine-neutral store and an engine.
 * Statements are written once, in portable SQL with `?` placeholders; a driver runs them on
 * SQLite (better-sqlite3) or PostgreSQL (pg). Everything that must differ between the two
 * dialects is listed in `Dialect` below and nowhere else:
 *
 * - placeholders: `?` (SQLite) or `$1…$n` (PostgreSQL; `toPgPlaceholders`);
 * - integers: `pg` returns BIGINT (COUNT, SUM) and NUMERIC as strings; the pg driver parses them
 *   to numbers (types 20 and 1700) so rows look the same on both engines;
 * - write transactions: SQLite `BEGIN IMMEDIATE` (one writer, so check-then-insert is safe);
 *   PostgreSQL READ COMMITTED, made safe by `lock(key)` (a transaction-scoped advisory lock) and
 *   by the site row lock every event append takes; deadlocks and serialization failures retry;
 * - the JSON scrub of stored events on erasure (`scrubEventSql`);
 * - schema: SQLite replays its migrations (including table rebuilds); PostgreSQL starts from a
 *   baseline of the same schema (migrations/postgres.ts), `COLLATE "C"` text so ORDER BY on ids
 *   and ISO times sorts by bytes as SQLite does;
 * - the migration lock: a session advisory lock on PostgreSQL so N instances starting together
 *   migrate once; none on SQLite, where each migration re-checks its version inside its own
 *   `BEGIN IMMEDIATE` transaction (one writer at a time), so stores opened together on a new
 *   file (a server and a CLI command) apply each migration once.
 */

export type Dialect = 'sqlite' | 'postgres';

/** Runs statements. Outside a transaction each statement commits on its own. */
export interface Sql {
  readonly dialect: Dialect;
  /** The first row, or undefined (also for a statement that returns no rows). */
  one<T>(sql: string, ...params: unknown[]): Promise<T | undefined>;
  /** The rows; none for a statement that returns none (an UPDATE without RETURNING). */
  all<T>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Rows changed. */
  run(sql: string, ...params: unknown[]): Promise<number>;
}

/** The handle a transaction's callback gets: use only it inside the callback. */
export interface SqlTx extends Sql {
  /** Runs several statements (migrations); no parameters. */
  exec(sql: string): Promise<void>;
  /**
   * Serializes this transaction with every other one holding one of the keys until commit
   * (PostgreSQL advisory locks, taken in the order given in one statement; a no-op on SQLite,
   * whose writer is already alone).
   */
  lock(...keys: string[]): Promise<void>;
}

export interface SqlDriver extends Sql {
  /**
   * A write transaction. The callback's promise decides: resolved commits, rejected rolls back.
   * On PostgreSQL a deadlock or serialization failure reruns the callback (so it must not have
   * effects outside the database).
   */
  tx<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T>;
  /** Runs several statements (migrations); no parameters. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` holding the engine's migration lock (see above). */
  withMigrationLock<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * `?` placeholders to `$1…$n`, leaving `?` inside quoted strings, quoted identifiers and
 * comments alone. Cached by the pg driver per statement text.
 */
export function toPgPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '?') {
      out += `$${++n}`;
      i++;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/**
 * The erasure scrub of one JSON path of stored event payloads: the member's words and name
 * blanked where `path.author.id` is the member. SQLite json_set/json_remove; PostgreSQL jsonb_set
 * and `#-` on the TEXT payload cast to jsonb (the column stays TEXT, sent verbatim as SSE data).
 * Parameters: the erased display name, the site id, the member id.
 */
export function scrubEventSql(
  dialect: Dialect,
  path: 'post' | 'item.post' | 'incident.topWorkaround',
): string {
  const parts = path.split('.');
  if (dialect === 'sqlite') {
    const p = `$.${path}`;
    return `UPDATE events SET payload = json_remove(json_set(payload,
         '${p}.body', '', '${p}.workaround', json('null'),
         '${p}.author.displayName', ?, '${p}.author.role', 'member',
         '${p}.author.staff', json('false')), '${p}.author.avatarUrl', '${p}.author.badges')
       WHERE site_id = ? AND json_extract(payload, '${p}.author.id') = ?`;
  }
  const arr = (extra: string[]) => `'{${[...parts, ...extra].join(',')}}'`;
  return `UPDATE events SET payload = jsonb_set(jsonb_set(jsonb_set(jsonb_set(jsonb_set(
         (payload::jsonb #- ${arr(['author', 'avatarUrl'])}) #- ${arr(['author', 'badges'])},
         ${arr(['body'])}, '""'::jsonb),
         ${arr(['workaround'])}, 'null'::jsonb),
         ${arr(['author', 'displayName'])}, to_jsonb(?::text)),
         ${arr(['author', 'role'])}, '"member"'::jsonb),
         ${arr(['author', 'staff'])}, 'false'::jsonb)::text
       WHERE site_id = ? AND payload::jsonb #>> ${arr(['author', 'id'])} = ?`;
}

/** The staff queue item's own author name: same parameters as `scrubEventSql`. */
export function scrubQueueAuthorSql(dialect: Dialect): string {
  return dialect === 'sqlite'
    ? `UPDATE events SET payload = json_set(payload, '$.item.author.displayName', ?)
       WHERE site_id = ? AND json_extract(payload, '$.item.author.id') = ?`
    : `UPDATE events SET payload = jsonb_set(payload::jsonb, '{item,author,displayName}', to_jsonb(?::text))::text
       WHERE site_id = ? AND payload::jsonb #>> '{item,author,id}' = ?`;
}
