/**
 * The SQLite driver (better-sqlite3): WAL, prepared statements cached per text, and write
 * transactions as `BEGIN IMMEDIATE … COMMIT` around an async callback, committed in groups (one
 * fsync for every transaction asked for in the same turn of the event loop; see `tx`).
 *
 * better-sqlite3 is synchronous, but a transaction's callback awaits between statements, so other
 * requests' code runs in between on the same connection. A FIFO gate keeps them out: while a
 * transaction is open, every other statement and transaction waits for it to end, so no one
 * reads uncommitted rows or writes into someone else's transaction. Outside a transaction a
 * statement runs at once (no queueing cost on the read path).
 *
 * Durability (docs/deploy.md): `synchronous` is FULL by default (an acknowledged write survives
 * a power loss: its group's COMMIT was fsynced before the answer); `NORMAL`
 * (LIFEBOAT_SQLITE_SYNC=normal) survives a process crash but may lose the last transactions on
 * power loss.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlDriver, SqlTx } from './driver.js';
import { privateDir, privateFile } from '../../private-files.js';

/** Set inside a transaction's callback: a stray call on the driver there joins the transaction instead of waiting for it (which would never end). */
const inTx = new AsyncLocalStorage<boolean>();

/** Most transactions in one group commit. */
const MAX_GROUP = 256;

interface QueuedTx {
  fn: (tx: SqlTx) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

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
  /** Transactions waiting for the next group commit. */
  private readonly queue: QueuedTx[] = [];
  private flushScheduled = false;

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
    privateDir(dir);
    // A new file is created owner-only; SQLite gives its -wal and -shm files the same mode.
    // Files an older version left readable by others are tightened.
    if (!fs.existsSync(options.file)) fs.closeSync(fs.openSync(options.file, 'a', 0o600));
    for (const suffix of ['', '-wal', '-shm']) privateFile(options.file + suffix);
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
  // A statement that returns no rows (an UPDATE without RETURNING) runs and gives none, as on pg.
  oneNow<T>(sql: string, params: unknown[]): T | undefined {
    const s = this.stmt(sql);
    if (s.reader) return s.get(...params) as T | undefined;
    s.run(...params);
    return undefined;
  }
  allNow<T>(sql: string, params: unknown[]): T[] {
    const s = this.stmt(sql);
    if (s.reader) return s.all(...params) as T[];
    s.run(...params);
    return [];
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

  /**
   * Group commit: transactions asked for in the same turn of the event loop run one after the
   * other inside one `BEGIN IMMEDIATE … COMMIT`, each in its own savepoint (a failing one rolls
   * back alone), so one fsync covers the group. Each caller's promise settles only after the
   * COMMIT: an acknowledged write is durable as `synchronous` promises.
   */
  tx<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    if (inTx.getStore()) return fn(this.handle); // joins the open transaction
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ fn, resolve, reject } as QueuedTx);
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => void this.flush());
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    while (this.gate) await this.gate;
    const batch = this.queue.splice(0, MAX_GROUP);
    if (batch.length === 0) return;
    let open!: () => void;
    this.gate = new Promise<void>((resolve) => (open = resolve));
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; err: unknown }> = [];
    try {
      this.stmt('BEGIN IMMEDIATE').run();
      for (const item of batch) {
        this.stmt('SAVEPOINT lb_tx').run();
        try {
          const value = await inTx.run(true, () => item.fn(this.handle));
          this.stmt('RELEASE lb_tx').run();
          outcomes.push({ ok: true, value });
        } catch (err) {
          // An error that ended the whole transaction (disk full, I/O): the group fails.
          if (!this.db.inTransaction) throw err;
          this.stmt('ROLLBACK TO lb_tx').run();
          this.stmt('RELEASE lb_tx').run();
          outcomes.push({ ok: false, err });
        }
      }
      this.stmt('COMMIT').run();
    } catch (err) {
      if (this.db.inTransaction) this.stmt('ROLLBACK').run();
      outcomes.length = 0;
      for (let i = 0; i < batch.length; i++) outcomes.push({ ok: false, err });
    } finally {
      this.gate = null;
      open();
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.err);
    });
    if (this.queue.length > 0) this.scheduleFlush();
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
