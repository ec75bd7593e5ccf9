/**
 * The PostgreSQL driver (pg): a pool, statements prepared by name per text (the server parses
 * each once per connection), write transactions on one pooled connection at READ COMMITTED.
 *
 * Concurrency (ADR 0017): every event append locks the site row (`UPDATE sites … RETURNING
 * event_seq`) until commit, so a site's sequence numbers commit in order; check-then-insert rules
 * (idempotency keys, slow mode, one reaction per member) take `lock(key)`, a transaction-scoped
 * advisory lock, before they read. Deadlocks (40P01) and serialization failures (40001) rerun the
 * transaction, a few times with jitter.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { toPgPlaceholders, type SqlDriver, type SqlTx } from './driver.js';

// BIGINT (COUNT, SUM of integers) and NUMERIC arrive as strings by default: rows must look the
// same on both engines, and our counts are far below 2^53.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

export interface PgDriverOptions {
  connectionString: string;
  /** Pool size; default 10. */
  max?: number;
}

const RETRYABLE = new Set(['40001', '40P01']);
const MIGRATION_LOCK = 0x4c_69_66_65; // "Life"

/**
 * The URL with a user name: like libpq, a URL without one (`postgres://127.0.0.1/lifeboat`) means
 * PGUSER or the operating-system user (node-pg reads only $USER, often unset in services).
 */
export function withDefaultUser(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.username || !url.host) return connectionString;
    url.username = process.env['PGUSER'] || process.env['USER'] || os.userInfo().username;
    return url.toString();
  } catch {
    return connectionString;
  }
}

/** A stable 63-bit advisory-lock key of a string. */
export function lockKey(key: string): string {
  return createHash('sha256').update(key).digest().readBigInt64BE(0).toString();
}

type Queryable = pg.Pool | pg.PoolClient;

export class PgDriver implements SqlDriver {
  readonly dialect = 'postgres' as const;
  readonly pool: pg.Pool;
  private readonly texts = new Map<string, { text: string; name: string }>();
  private readonly current = new AsyncLocalStorage<SqlTx>();

  constructor(options: PgDriverOptions) {
    this.pool = new pg.Pool({
      connectionString: withDefaultUser(options.connectionString),
      max: options.max ?? 10,
      // A dead database must not hang a request forever.
      connectionTimeoutMillis: 10_000,
    });
    // An idle client's error (the server restarted) must not crash the process; the pool drops it.
    this.pool.on('error', () => {});
  }

  private prepared(sql: string): { text: string; name: string } {
    let p = this.texts.get(sql);
    if (!p) {
      p = { text: toPgPlaceholders(sql), name: `lb${this.texts.size}` };
      this.texts.set(sql, p);
    }
    return p;
  }

  private async query<T>(
    on: Queryable,
    sql: string,
    params: unknown[],
  ): Promise<pg.QueryResult & { rows: T[] }> {
    const { text, name } = this.prepared(sql);
    return on.query({ text, name, values: params.map(toPgValue) }) as Promise<
      pg.QueryResult & { rows: T[] }
    >;
  }

  async one<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    const tx = this.current.getStore();
    if (tx) return tx.one<T>(sql, ...params);
    return (await this.query<T>(this.pool, sql, params)).rows[0];
  }

  async all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    const tx = this.current.getStore();
    if (tx) return tx.all<T>(sql, ...params);
    return (await this.query<T>(this.pool, sql, params)).rows;
  }

  async run(sql: string, ...params: unknown[]): Promise<number> {
    const tx = this.current.getStore();
    if (tx) return tx.run(sql, ...params);
    return (await this.query(this.pool, sql, params)).rowCount ?? 0;
  }

  async tx<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const open = this.current.getStore();
    if (open) return fn(open); // joins the open transaction
    for (let attempt = 1; ; attempt++) {
      const client = await this.pool.connect();
      const handle: SqlTx = {
        dialect: 'postgres',
        one: async <R>(sql: string, ...params: unknown[]) =>
          (await this.query<R>(client, sql, params)).rows[0],
        all: async <R>(sql: string, ...params: unknown[]) =>
          (await this.query<R>(client, sql, params)).rows,
        run: async (sql: string, ...params: unknown[]) =>
          (await this.query(client, sql, params)).rowCount ?? 0,
        exec: async (sql: string) => {
          await client.query(sql);
        },
        lock: async (...keys: string[]) => {
          if (keys.length === 0) return;
          // One round trip; PostgreSQL evaluates the select list left to right.
          const calls = keys.map(() => 'pg_advisory_xact_lock(?::bigint)').join(', ');
          await this.query(client, `SELECT ${calls}`, keys.map(lockKey));
        },
      };
      let broken = false;
      try {
        await client.query('BEGIN');
        const result = await this.current.run(handle, () => fn(handle));
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) {
          await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
          continue;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    }
  }

  async exec(sql: string): Promise<void> {
    const tx = this.current.getStore();
    if (tx) return tx.exec(sql);
    await this.pool.query(sql);
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
      try {
        return await fn();
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
      }
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

/** Booleans are stored as 0/1 integers on both engines. */
function toPgValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return v.toString();
  return v;
}
