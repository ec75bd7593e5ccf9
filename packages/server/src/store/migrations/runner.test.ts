/**
 * The migration runner on the suite's engine (LIFEBOAT_TEST_ENGINE): a fresh database migrates to
 * the latest version, a second run changes nothing, and stores opened together on one fresh
 * database migrate it once. On PostgreSQL also: its baseline plus the later migrations give the
 * schema SQLite's replay of every migration gives (tables, columns, NOT NULL, indexes).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freshTestData, TEST_ENGINE, tempDir } from '../../testing/harness.js';
import type { Sql } from '../sql/driver.js';
import { openStore } from '../sql-store.js';
import { MIGRATIONS } from './index.js';
import { migrate } from './runner.js';

const LATEST = MIGRATIONS.map((m) => ({ version: m.version, name: m.name }));

/** Every table with its columns (name and NOT NULL) and its index names, sorted. */
async function describeSchema(sql: Sql): Promise<Record<string, unknown>> {
  const schema: Record<string, { columns: string[]; indexes: string[] }> = {};
  if (sql.dialect === 'sqlite') {
    const tables = await sql.all<{ name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    );
    for (const { name } of tables) {
      const columns = await sql.all<{ name: string; notnull: number; pk: number }>(
        `SELECT name, "notnull", pk FROM pragma_table_info('${name}')`,
      );
      const indexes = await sql.all<{ name: string }>(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        name,
      );
      schema[name] = {
        // SQLite lets a primary key column be NULL unless it says NOT NULL; PostgreSQL never does.
        columns: columns.map((c) => `${c.name}${c.notnull || c.pk ? ' not null' : ''}`).sort(),
        indexes: indexes.map((i) => i.name).sort(),
      };
    }
  } else {
    const columns = await sql.all<{ table_name: string; column_name: string; is_nullable: string }>(
      `SELECT table_name, column_name, is_nullable FROM information_schema.columns
       WHERE table_schema = current_schema()`,
    );
    for (const c of columns) {
      schema[c.table_name] ??= { columns: [], indexes: [] };
      schema[c.table_name]!.columns.push(
        `${c.column_name}${c.is_nullable === 'NO' ? ' not null' : ''}`,
      );
    }
    // Indexes the schema names (constraints' own indexes are SQLite's autoindexes: left out).
    const indexes = await sql.all<{ tablename: string; indexname: string }>(
      `SELECT i.tablename, i.indexname FROM pg_indexes i
       WHERE i.schemaname = current_schema()
         AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)`,
    );
    for (const i of indexes) schema[i.tablename]!.indexes.push(i.indexname);
    for (const t of Object.values(schema)) {
      t.columns.sort();
      t.indexes.sort();
    }
  }
  return Object.fromEntries(Object.entries(schema).sort(([a], [b]) => (a < b ? -1 : 1)));
}

describe(`schema migrations (${TEST_ENGINE})`, () => {
  it('migrate a fresh database to the latest version, which then works', async () => {
    const data = freshTestData();
    const store = await data.open();
    try {
      expect(
        await store.driver.all('SELECT version, name FROM schema_migrations ORDER BY version'),
      ).toEqual(LATEST);
      const site = await store.createSite({ slug: 'fresh', name: 'Fresh', origins: [] });
      expect((await store.getSiteBySlug('fresh'))?.id).toBe(site.id);
    } finally {
      await store.close();
    }
  });

  it('change nothing when run again (the same rows, the same schema)', async () => {
    const data = freshTestData();
    const store = await data.open();
    const before = {
      applied: await store.driver.all('SELECT * FROM schema_migrations ORDER BY version'),
      schema: await describeSchema(store.driver),
    };
    try {
      await migrate(store.driver);
      await migrate(store.driver);
      const again = await data.open();
      await again.close();
      expect(await store.driver.all('SELECT * FROM schema_migrations ORDER BY version')).toEqual(
        before.applied,
      );
      expect(await describeSchema(store.driver)).toEqual(before.schema);
    } finally {
      await store.close();
    }
  });

  it('run once when four stores open one fresh database together', async () => {
    const data = freshTestData();
    const opened = await Promise.allSettled(Array.from({ length: 4 }, () => data.open()));
    const stores = opened.flatMap((o) => (o.status === 'fulfilled' ? [o.value] : []));
    try {
      expect(opened.filter((o) => o.status === 'rejected')).toEqual([]);
      expect(
        await stores[0]!.driver.all(
          'SELECT version, COUNT(*) AS n FROM schema_migrations GROUP BY version ORDER BY version',
        ),
      ).toEqual(MIGRATIONS.map((m) => ({ version: m.version, n: 1 })));
      // Every one of them works on the result.
      await Promise.all(
        stores.map((s, i) => s.createSite({ slug: `site-${i}`, name: `Site ${i}`, origins: [] })),
      );
      expect((await stores[3]!.listSites()).map((s) => s.slug).sort()).toEqual([
        'site-0',
        'site-1',
        'site-2',
        'site-3',
      ]);
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });
});

describe.runIf(TEST_ENGINE === 'postgres')('the PostgreSQL baseline', () => {
  it("gives the schema of SQLite's replay of every migration", async () => {
    const data = freshTestData();
    const pg = await data.open();
    const sqlite = await openStore({ file: path.join(tempDir(), 'lifeboat.db') });
    try {
      expect(await describeSchema(pg.driver)).toEqual(await describeSchema(sqlite.driver));
    } finally {
      await pg.close();
      await sqlite.close();
    }
  });
});
