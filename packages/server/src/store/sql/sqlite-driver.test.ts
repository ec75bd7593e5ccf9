import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/harness.js';
import { SqliteDriver } from './sqlite-driver.js';
import { openSqliteStore } from '../sql-store.js';

const drivers: SqliteDriver[] = [];
afterEach(async () => {
  for (const d of drivers.splice(0)) await d.close();
});

async function open(): Promise<{ driver: SqliteDriver; file: string }> {
  const file = path.join(tempDir(), 'g.db');
  const driver = new SqliteDriver({ file });
  drivers.push(driver);
  await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
  return { driver, file };
}

describe('SQLite driver: group commit', () => {
  it('commits transactions asked for together in one group; a failing one rolls back alone', async () => {
    const { driver, file } = await open();
    const results = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) =>
        driver.tx(async (tx) => {
          await tx.run('INSERT INTO t (id, v) VALUES (?, ?)', i, `row ${i}`);
          // every transaction sees the ones before it in the group
          const n = (await tx.one<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n;
          if (i === 7) throw new Error('refused');
          return n;
        }),
      ),
    );
    expect(results[7]).toMatchObject({ status: 'rejected', reason: { message: 'refused' } });
    const counts = results.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    expect(counts).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    // another connection sees exactly the 19 committed rows
    const reader = new Database(file, { readonly: true });
    try {
      const ids = reader.prepare('SELECT id FROM t ORDER BY id').pluck().all();
      expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    } finally {
      reader.close();
    }
  });

  it('answers a caller only after its COMMIT: nothing is visible to others before', async () => {
    const { driver, file } = await open();
    const reader = new Database(file, { readonly: true });
    try {
      let seenInside = -1;
      const done = driver.tx(async (tx) => {
        await tx.run("INSERT INTO t (id, v) VALUES (1, 'a')");
        seenInside = reader.prepare('SELECT COUNT(*) FROM t').pluck().get() as number;
      });
      await done;
      expect(seenInside).toBe(0);
      expect(reader.prepare('SELECT COUNT(*) FROM t').pluck().get()).toBe(1);
    } finally {
      reader.close();
    }
  });

  it('keeps statements outside a transaction out of an open one', async () => {
    const { driver } = await open();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const tx = driver.tx(async (t) => {
      await t.run("INSERT INTO t (id, v) VALUES (1, 'uncommitted')");
      await held;
      throw new Error('rolled back');
    });
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    // a read outside waits for the transaction to end: it never sees the rolled-back row
    const read = driver.all('SELECT * FROM t');
    release();
    await expect(tx).rejects.toThrow('rolled back');
    expect(await read).toEqual([]);
  });
});

describe('SQLite driver: durable before acknowledged (full)', () => {
  /** A driver whose WAL fsyncs wait until the test lets each one finish (or fail). */
  async function held() {
    const syncs: Array<{ fd: number; finish: (err?: Error) => void }> = [];
    const file = path.join(tempDir(), 'sync.db');
    const driver = new SqliteDriver({
      file,
      syncFile: (fd) =>
        new Promise<void>((resolve, reject) =>
          syncs.push({ fd, finish: (err) => (err ? reject(err) : resolve()) }),
        ),
    });
    drivers.push(driver);
    await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    return { driver, file, syncs };
  }
  const turns = async (n = 3) => {
    for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
  };

  it('answers a group only after its WAL fsync; the next group waits for it, then commits as one', async () => {
    const { driver, syncs } = await held();
    let firstDone = false;
    const first = driver
      .tx((tx) => tx.run("INSERT INTO t (id, v) VALUES (1, 'a')"))
      .then(() => (firstDone = true));
    await turns();
    expect(syncs).toHaveLength(1);
    expect(firstDone).toBe(false); // committed, not yet durable: not acknowledged
    // reads go on meanwhile (the event loop is not blocked by the fsync)
    expect(await driver.all('SELECT id FROM t')).toEqual([{ id: 1 }]);
    // transactions asked for during the fsync wait for it, then commit together
    const later = [2, 3, 4].map((id) =>
      driver.tx((tx) => tx.run('INSERT INTO t (id, v) VALUES (?, ?)', id, 'b')),
    );
    await turns();
    expect(syncs).toHaveLength(1);
    syncs[0]!.finish();
    await first;
    expect(firstDone).toBe(true);
    await turns();
    expect(syncs).toHaveLength(2); // one group, one fsync for the three
    syncs[1]!.finish();
    expect(await Promise.all(later)).toEqual([1, 1, 1]);
  });

  it('a failed fsync fails its callers (a retry finds the row), and the next group still commits', async () => {
    const { driver, syncs } = await held();
    const failed = driver.tx((tx) => tx.run("INSERT INTO t (id, v) VALUES (1, 'a')"));
    await turns();
    syncs[0]!.finish(new Error('EIO: fsync failed'));
    await expect(failed).rejects.toThrow('EIO');
    const next = driver.tx((tx) => tx.run("INSERT INTO t (id, v) VALUES (2, 'b')"));
    await turns();
    syncs[1]!.finish();
    expect(await next).toBe(1);
  });

  it('syncs a write outside a transaction at once, and a rolled-back group not at all', async () => {
    const { driver, syncs } = await held();
    // autocommit writes use the blocking fsync (fs.fsyncSync), not the group's: none queued
    await driver.run("INSERT INTO t (id, v) VALUES (9, 'direct')");
    await expect(driver.tx(async () => Promise.reject(new Error('no')))).rejects.toThrow('no');
    await turns();
    expect(syncs).toHaveLength(0);
  });

  it("'normal' never waits for an fsync", async () => {
    const file = path.join(tempDir(), 'normal.db');
    let calls = 0;
    const driver = new SqliteDriver({
      file,
      synchronous: 'normal',
      syncFile: async () => {
        calls++;
      },
    });
    drivers.push(driver);
    await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    await driver.tx((tx) => tx.run('INSERT INTO t (id) VALUES (1)'));
    expect(calls).toBe(0);
  });
});

describe('SQLite driver: close', () => {
  it('waits for an open transaction and the groups queued behind it', async () => {
    const file = path.join(tempDir(), 'close.db');
    const driver = new SqliteDriver({ file });
    await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = driver.tx(async (tx) => {
      await tx.run("INSERT INTO t (id, v) VALUES (1, 'a')");
      await held;
    });
    await new Promise((r) => setImmediate(r));
    const second = driver.tx((tx) => tx.run("INSERT INTO t (id, v) VALUES (2, 'b')"));
    const closed = driver.close();
    // Correct code never settles `closed` while the transaction is held (so this cannot fail
    // it); a close that does not wait has shut the connection by then.
    const state = await Promise.race([
      closed.then(() => 'closed'),
      new Promise((r) => setTimeout(() => r('held'), 1000)),
    ]);
    expect(state).toBe('held');
    release();
    await expect(first).resolves.toBeUndefined();
    await expect(second).resolves.toBe(1);
    await closed;
    const reader = new Database(file, { readonly: true });
    try {
      expect(reader.prepare('SELECT id FROM t ORDER BY id').pluck().all()).toEqual([1, 2]);
    } finally {
      reader.close();
    }
  });
});

describe('SQLite driver: checkpoints off the event loop', () => {
  it('close() settles with nothing else keeping the process alive (a CLI awaiting it at the top level)', () => {
    const file = path.join(tempDir(), 'cli.db');
    const script = `
      import { SqliteDriver } from ${JSON.stringify(new URL('./sqlite-driver.ts', import.meta.url).pathname)};
      const d = new SqliteDriver({ file: ${JSON.stringify(file)} });
      await d.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      await d.tx((tx) => tx.run('INSERT INTO t (id) VALUES (1)'));
      await d.close();
      console.log('closed');`;
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    // exit 13 is Node's "unsettled top-level await": close() waited on an unref'd worker
    expect({ status: r.status, out: r.stdout.trim() }).toEqual({ status: 0, out: 'closed' });
  });

  it('copies the WAL into the database file from its worker thread', async () => {
    const { driver, file } = await open();
    const size = () => fs.statSync(file).size;
    const before = size();
    await driver.tx(async (tx) => {
      for (let i = 0; i < 300; i++)
        await tx.run('INSERT INTO t (id, v) VALUES (?, ?)', i, 'x'.repeat(1000));
    });
    // The main connection does not checkpoint below 64 MB of WAL: only the checkpointer copies
    // these pages, after a later commit asks it to.
    const deadline = Date.now() + 10_000;
    let id = 1000;
    while (size() <= before + 200_000 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      await driver.tx((tx) => tx.run('INSERT INTO t (id, v) VALUES (?, ?)', id++, 'y'));
    }
    expect(size()).toBeGreaterThan(before + 200_000);
    expect((await driver.one<{ n: number }>('SELECT COUNT(*) AS n FROM t'))!.n).toBeGreaterThan(
      300,
    );
  });
});

describe('migrations', () => {
  it('refuse a database migrated by a newer release', async () => {
    const file = path.join(tempDir(), 'newer.db');
    const store = await openSqliteStore({ file });
    await store.close();
    const raw = new Database(file);
    raw
      .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
      .run(999, 'from-the-future', new Date().toISOString());
    raw.close();
    await expect(openSqliteStore({ file })).rejects.toThrow(/schema version 999, newer than/);
  });
});
