/**
 * The SQLite driver (better-sqlite3): WAL, prepared statements cached per text, and write
 * transactions as `BEGIN IMMEDIATE … COMMIT` around an async callback.
 *
 * better-sqlite3 is synchronous, but a transaction's callback awaits between statements, so other
 * requests' code runs in between on the same connection. A FIFO gate keeps them out: while a
 * transaction is open, every other statement and transaction waits for it to end, so no one
 * reads uncommitted rows or writes into someone else's transaction. Outside a transaction a
 * statement runs at once (no queueing cost on the read path).
 *
 * Durability (docs/server/operations.md): `synchronous` is FULL by default (an acknowledged write
 * survives a power loss); `NORMAL` (LIFEBOAT_SQLITE_SYNC=normal) survives a process crash but may
 * lose the last transactions on power loss.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlDriver, SqlTx } from './driver.js';

/** Set inside a transaction's callback: a stray call on the driver there joins the transaction instead of waiting for it (which would never end). */
const inTx = new AsyncLocalStorage<boolean>();

export interface SqliteDriverOptions {
  file: string;
  synchronous?: 'full' | 'normal';
}

export class SqliteDriver implements SqlDriver {
  readonly dialect = 'sqlite' as const;
  readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  /** Resolves when the open transaction ends; null when none is open. */
  private gate: Promise<void> | null = null;

  private readonly handle: SqlTx = {
    dialect: 'sqlite',
    one: async <R>(sql: string, ...params: unknown[]) => this.oneNow<R>(sql, params),
    all: async <R>(sql: string, ...params: unknown[]) => this.allNow<R>(sql, params),
    run: async (sql: string, ...params: unknown[]) => this.runNow(sql, params),
    exec: async (sql: string) => {
      this.db.exec(sql);
    },
    lock: async () => {},
  };

  constructor(options: SqliteDriverOptions) {
    const dir = path.dirname(options.file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  // Direct (synchronous) statements: the transaction handle and the gate-free path use them.
  oneNow<T>(sql: string, params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }
  allNow<T>(sql: string, params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }
  runNow(sql: string, params: unknown[]): number {
    return this.stmt(sql).run(...params).changes;
  }

  async one<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    while (this.gate && !inTx.getStore()) await this.gate;
    return this.oneNow<T>(sql, params);
  }

  async all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    while (this.gate && !inTx.getStore()) await this.gate;
    return this.allNow<T>(sql, params);
  }

  async run(sql: string, ...params: unknown[]): Promise<number> {
    while (this.gate && !inTx.getStore()) await this.gate;
    return this.runNow(sql, params);
  }

  async tx<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    if (inTx.getStore()) return fn(this.handle); // joins the open transaction
    while (this.gate && !inTx.getStore()) await this.gate;
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    try {
      this.db.prepare('BEGIN IMMEDIATE').run();
      try {
        const result = await inTx.run(true, () => fn(this.handle));
        this.db.prepare('COMMIT').run();
        return result;
      } catch (err) {
        if (this.db.inTransaction) this.db.prepare('ROLLBACK').run();
        throw err;
      }
    } finally {
      this.gate = null;
      open();
    }
  }

  async exec(sql: string): Promise<void> {
    while (this.gate && !inTx.getStore()) await this.gate;
    this.db.exec(sql);
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
