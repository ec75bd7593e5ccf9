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
 * Durability (docs/deploy.md): `full` by default (`synchronous=FULL`): an acknowledged write
 * survives a power loss, because its group's COMMIT was fsynced before the answer; one fsync
 * covers the group. `normal` (LIFEBOAT_SQLITE_SYNC=normal) never fsyncs on commit: it survives
 * a process crash but may lose the last transactions on power loss. Checkpoints run on a worker
 * thread (ADR 0033). The `syncFile` option moves the group fsync off the event loop (SQLite
 * commits without syncing; the group is answered after `syncFile`); measured worse under a spike
 * than SQLite's own fsync, so the server does not use it (ADR 0033).
 */
import fs from 'node:fs';
import { promisify } from 'node:util';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SqlDriver, SqlTx } from './driver.js';
import { privateDir, privateFile } from '../../private-files.js';

/** Set inside a transaction's callback: a stray call on the driver there joins the transaction instead of waiting for it (which would never end). */
const inTx = new AsyncLocalStorage<boolean>();

const fsyncAsync = promisify(fs.fsync);

/**
 * The checkpointer: a worker thread with its own connection that copies the WAL into the
 * database file (`wal_checkpoint(PASSIVE)`: never blocks the writer), so the checkpoint's page
 * copies and fsyncs stay off the event loop. CommonJS source run with `eval` so it loads the same
 * better-sqlite3 in development (tsx) and from a package.
 */
const CHECKPOINTER = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.module);
const db = new Database(workerData.file);
db.pragma('busy_timeout = 100');
db.pragma('synchronous = NORMAL');
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
parentPort.on('message', (m) => {
  if (m === 'close') { db.close(); parentPort.close(); return; }
  try { checkpoint.run(); } catch {}
  parentPort.postMessage('done');
});
`;

/** The main connection checkpoints by itself only when the WAL outgrows this (pages; 64 MB). */
const SAFETY_CHECKPOINT_PAGES = 16_384;

/** Least time between two checkpoints asked of the checkpointer. */
const CHECKPOINT_EVERY_MS = 200;

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
  /**
   * Makes a group durable off the event loop in `full` (SQLite then commits without syncing and
   * the group is answered after this returns). Unset (the server): SQLite's own FULL fsync.
   */
  syncFile?: (fd: number) => Promise<void>;
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
  /** `full`: each group's WAL frames are fsynced (off the event loop) before it is acknowledged. */
  private readonly syncWal: boolean;
  /** The WAL file, opened once for fsync (SQLite keeps it while a connection is open). */
  private walFd: number | null = null;
  /** Group fsyncs in flight (close waits for them). */
  private readonly syncing = new Set<Promise<void>>();
  /**
   * A group's fsync is running: the next group waits for it (transactions asked for meanwhile
   * gather into one group, as they did while a blocking fsync held the event loop).
   */
  private syncInFlight = false;
  private readonly syncFile: (fd: number) => Promise<void>;
  /** null when it failed to start or stopped: the main connection checkpoints as usual. */
  private checkpointer: Worker | null = null;
  private checkpointing = false;
  private lastCheckpoint = 0;

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
    // `full`: SQLite fsyncs each group's COMMIT itself, on the event loop (ADR 0033: the fsync
    // off the loop, `syncFile`, measured worse under a spike). With `syncFile` the driver does it:
    // SQLite commits without syncing and the group is answered after `syncFile` returns.
    this.syncWal = options.synchronous !== 'normal' && options.syncFile !== undefined;
    this.db.pragma(
      `synchronous = ${options.synchronous === 'normal' || this.syncWal ? 'NORMAL' : 'FULL'}`,
    );
    this.syncFile = options.syncFile ?? fsyncAsync;
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.startCheckpointer(options.file);
  }

  private startCheckpointer(file: string): void {
    try {
      const worker = new Worker(CHECKPOINTER, {
        eval: true,
        workerData: { file, module: createRequire(import.meta.url).resolve('better-sqlite3') },
      });
      worker.unref();
      worker.on('message', () => (this.checkpointing = false));
      const stopped = () => {
        if (this.checkpointer !== worker) return;
        this.checkpointer = null;
        if (this.db.open) this.db.pragma('wal_autocheckpoint = 1000');
      };
      worker.on('error', stopped);
      worker.on('exit', stopped);
      this.checkpointer = worker;
      this.db.pragma(`wal_autocheckpoint = ${SAFETY_CHECKPOINT_PAGES}`);
    } catch {
      this.checkpointer = null;
    }
  }

  /** After a commit: asks the checkpointer for a checkpoint, at most one at a time and every 200 ms. */
  private maybeCheckpoint(): void {
    const worker = this.checkpointer;
    if (!worker || this.checkpointing) return;
    const t = Date.now();
    if (t - this.lastCheckpoint < CHECKPOINT_EVERY_MS) return;
    this.lastCheckpoint = t;
    this.checkpointing = true;
    worker.postMessage('checkpoint');
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
    let row: T | undefined;
    if (s.reader) row = s.get(...params) as T | undefined;
    else s.run(...params);
    if (!s.readonly) this.syncAutocommit();
    return row;
  }
  allNow<T>(sql: string, params: unknown[]): T[] {
    const s = this.stmt(sql);
    let rows: T[] = [];
    if (s.reader) rows = s.all(...params) as T[];
    else s.run(...params);
    if (!s.readonly) this.syncAutocommit();
    return rows;
  }
  runNow(sql: string, params: unknown[]): number {
    const s = this.stmt(sql);
    const { changes } = s.run(...params);
    if (!s.readonly) this.syncAutocommit();
    return changes;
  }

  /**
   * The WAL file's descriptor for fsync; null when it does not exist (nothing written yet).
   * Any other failure (EMFILE under load…) throws: the writes it should have covered are not
   * acknowledged as durable.
   */
  private wal(): number | null {
    if (this.walFd === null) {
      let fd: number;
      try {
        fd = fs.openSync(`${this.db.name}-wal`, 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      try {
        // The WAL's directory entry too, once (a new file's name must survive a power loss).
        const dir = fs.openSync(path.dirname(this.db.name), 'r');
        try {
          fs.fsyncSync(dir);
        } finally {
          fs.closeSync(dir);
        }
      } catch (err) {
        fs.closeSync(fd);
        throw err;
      }
      this.walFd = fd;
    }
    return this.walFd;
  }

  /** A write statement outside a transaction committed on its own: synced at once, as FULL. */
  private syncAutocommit(): void {
    if (!this.syncWal || this.db.inTransaction) return;
    const fd = this.wal();
    if (fd !== null) fs.fsyncSync(fd);
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
   * COMMIT and, in `full`, after the fsync of the WAL that follows it (off the event loop): an
   * acknowledged write is durable as `synchronous` promises. The next group may commit while
   * this one's fsync runs.
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
    if (this.syncInFlight) return; // flushed again when the running fsync ends
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
      this.maybeCheckpoint();
    } catch (err) {
      if (this.db.inTransaction) this.stmt('ROLLBACK').run();
      outcomes.length = 0;
      for (let i = 0; i < batch.length; i++) outcomes.push({ ok: false, err });
    } finally {
      this.gate = null;
      open();
    }
    // Durable before acknowledged: the group's frames are on disk before anyone hears "done".
    const wrote = outcomes.some((o) => o.ok);
    let fd: number | null = null;
    try {
      fd = this.syncWal && wrote ? this.wal() : null;
    } catch (err) {
      // Committed, but there is no way to sync it now: never acknowledged as safe.
      for (let i = 0; i < outcomes.length; i++) outcomes[i] = { ok: false, err };
    }
    if (fd === null && this.queue.length > 0) this.scheduleFlush();
    if (fd !== null) {
      this.syncInFlight = true;
      const sync = this.syncFile(fd);
      this.syncing.add(sync);
      try {
        await sync;
      } catch (err) {
        // Committed but perhaps not durable: the callers hear it failed (a retry with the same
        // Idempotency-Key finds the post), never that it is safe.
        for (let i = 0; i < outcomes.length; i++) outcomes[i] = { ok: false, err };
      } finally {
        this.syncing.delete(sync);
        this.syncInFlight = false;
        if (this.queue.length > 0) this.scheduleFlush();
      }
    }
    batch.forEach((item, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) item.resolve(outcome.value);
      else item.reject(outcome.err);
    });
  }

  async exec(sql: string): Promise<void> {
    while (this.gate && !inTx.getStore()) await this.gate;
    this.db.exec(sql);
    this.syncAutocommit();
  }

  async withMigrationLock<T>(fn: () => Promise<T>): Promise<T> {
    return fn();
  }

  async close(): Promise<void> {
    // An open transaction, the groups queued behind it and their fsyncs end first: closing
    // under them would roll back (or leave unsynced) work its callers are still waiting on.
    while (this.gate || this.queue.length > 0 || this.flushScheduled || this.syncing.size > 0) {
      if (this.gate) await this.gate;
      else if (this.syncing.size > 0) await Promise.allSettled([...this.syncing]);
      else await new Promise((resolve) => setImmediate(resolve));
    }
    const workers = [this.checkpointer];
    this.checkpointer = null;
    for (const worker of workers) {
      if (!worker) continue;
      // Held (ref'd) until it has exited: an unref'd worker and timer would let the process
      // drain its event loop with this close still pending (an unsettled top-level await).
      worker.ref();
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      worker.postMessage('close');
      const stuck = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(stuck);
    }
    if (this.db.open) this.db.close();
    if (this.walFd !== null) fs.closeSync(this.walFd);
    this.walFd = null;
  }
}
