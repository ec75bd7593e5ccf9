/**
 * Runs the schema migrations on either engine, once, under the engine's migration lock (so N
 * instances starting together against one PostgreSQL migrate once; the others wait, then find
 * nothing left to do). SQLite has no such lock: each migration checks, inside its own write
 * transaction (one writer at a time), that no other process applied it meanwhile.
 *
 * SQLite replays every migration in order, table rebuilds included (foreign keys off around the
 * rebuild's transaction, checked before its commit). PostgreSQL, which Lifeboat supports from
 * schema version 6, starts from a baseline of that schema (postgres.ts) and then runs each later
 * migration's `postgres` text when it has one, else its portable `sql`.
 */
import type { SqlDriver, SqlTx } from '../sql/driver.js';
import { MIGRATIONS } from './index.js';
import { POSTGRES_BASELINE, POSTGRES_BASELINE_VERSION } from './postgres.js';

const now = () => new Date().toISOString();

export async function migrate(driver: SqlDriver): Promise<void> {
  await driver.withMigrationLock(async () => {
    await driver.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (await driver.all<{ version: number }>('SELECT version FROM schema_migrations')).map(
        (r) => r.version,
      ),
    );
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    const newer = [...applied].filter((v) => v > known);
    if (newer.length > 0)
      throw new Error(
        `The database has schema version ${Math.max(...newer)}, newer than this Lifeboat knows (${known}): it was migrated by a newer release. Run that release (downgrades are not supported; restore a backup to go back).`,
      );
    if (driver.dialect === 'postgres' && !applied.has(POSTGRES_BASELINE_VERSION)) {
      if (applied.size > 0)
        throw new Error(
          `This PostgreSQL database has schema versions ${[...applied].join(', ')} but no baseline; it was not made by Lifeboat.`,
        );
      await driver.tx(async (tx) => {
        await tx.exec(POSTGRES_BASELINE);
        for (const m of MIGRATIONS.filter((m) => m.version <= POSTGRES_BASELINE_VERSION))
          await record(tx, m.version, m.name);
      });
      for (const m of MIGRATIONS)
        if (m.version <= POSTGRES_BASELINE_VERSION) applied.add(m.version);
    }
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      const sql = driver.dialect === 'postgres' ? (m.postgres ?? m.sql) : m.sql;
      const rebuild = driver.dialect === 'sqlite' && m.rebuildsTables;
      // SQLite's 12-step table rebuild: the pragma does nothing inside a transaction.
      if (rebuild) await driver.exec('PRAGMA foreign_keys = OFF');
      try {
        await driver.tx(async (tx) => {
          // Another process may have applied it since `applied` was read: SQLite takes no
          // migration lock, but its write transactions run one at a time.
          if (await isApplied(tx, m.version)) return;
          await tx.exec(sql);
          if (rebuild) await checkForeignKeys(tx, m.version, m.name);
          await record(tx, m.version, m.name);
        });
      } finally {
        if (rebuild) await driver.exec('PRAGMA foreign_keys = ON');
      }
    }
  });
}

async function isApplied(tx: SqlTx, version: number): Promise<boolean> {
  return !!(await tx.one('SELECT 1 AS applied FROM schema_migrations WHERE version = ?', version));
}

async function record(tx: SqlTx, version: number, name: string): Promise<void> {
  await tx.run(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
    version,
    name,
    now(),
  );
}

/** Throws (rolling the migration back) when any row breaks a foreign key. */
async function checkForeignKeys(tx: SqlTx, version: number, name: string): Promise<void> {
  const broken = await tx.all<{ table: string; rowid: number | null; parent: string }>(
    'PRAGMA foreign_key_check',
  );
  if (broken.length === 0) return;
  const sample = broken
    .slice(0, 5)
    .map((b) => `${b.table} row ${b.rowid ?? '?'} → ${b.parent}`)
    .join(', ');
  throw new Error(
    `Migration ${version} (${name}) not applied: ${broken.length} row(s) break a foreign key (${sample}).`,
  );
}
