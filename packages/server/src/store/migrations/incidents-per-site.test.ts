/**
 * Migration 6 on a real SQLite file: a database left at version 5 with data in every table is
 * opened by the engine, every row survives (with the `site_id` it gains), every foreign key
 * checks clean, and the same incident id can then live in two sites.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_ENGINE } from '../../testing/harness.js';
import { SqliteDriver } from '../sql/sqlite-driver.js';
import { migrate } from './runner.js';

/** Opens the file through the SQLite driver and runs the migrations, as the server does. */
async function openMigrated(file: string): Promise<SqliteDriver> {
  const driver = new SqliteDriver({ file });
  try {
    await migrate(driver);
  } catch (err) {
    await driver.close();
    throw err;
  }
  return driver;
}
import { MIGRATIONS } from './index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempFile(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-migration-'));
  dirs.push(dir);
  return path.join(dir, 'lifeboat.db');
}

/** A database file at `version`, migrated the way the engine did at that version. */
function databaseAt(file: string, version: number): Database.Database {
  const db = new Database(file);
  db.pragma('foreign_keys = ON');
  db.exec(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
  );
  for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
    db.exec(m.sql);
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, 'then');
  }
  return db;
}

const T = '2026-11-30T10:00:00.000Z';
const UPSTREAM = 'statuspage:page1:inc1';

/** Two sites with rows in every table at version 5 (site A follows a page, site B has its own). */
function seed(db: Database.Database): void {
  const run = (sql: string, ...params: unknown[]) => db.prepare(sql).run(...params);
  for (const [id, slug] of [
    ['site-a', 'acme'],
    ['site-b', 'beta'],
  ])
    run(
      `INSERT INTO sites (id, slug, name, origins, event_seq, created_at, status_url, policy, sso)
       VALUES (?, ?, ?, '["https://a.test"]', 7, ?, 'https://p.test/summary.json', '{"x":1}', '{}')`,
      id,
      slug,
      slug,
      T,
    );
  run(
    `INSERT INTO status_sources (site_id, url, kind, etag, failures, maintenances) VALUES ('site-a', 'https://p.test/summary.json', 'statuspage', '"e1"', 2, '[]')`,
  );
  run(`INSERT INTO components VALUES ('site-a', 'api', 'API', 'degraded_performance', 'Core', 0)`);
  const incident = (id: string, site: string, resolved: string | null, thread: string) =>
    run(
      `INSERT INTO incidents (id, site_id, title, phase, impact, components, started_at, resolved_at, updated_at, thread_state)
       VALUES (?, ?, ?, 'investigating', 'major', '["api"]', ?, ?, ?, ?)`,
      id,
      site,
      `Title of ${id}`,
      T,
      resolved,
      T,
      thread,
    );
  incident(UPSTREAM, 'site-a', null, 'open');
  incident('01MANUALA', 'site-a', T, 'locked');
  incident('01MANUALB', 'site-b', null, 'open');
  run(
    `INSERT INTO incident_updates VALUES (?, ?, 'investigating', 'Looking.', ?)`,
    `${UPSTREAM}:u1`,
    UPSTREAM,
    T,
  );
  run(`INSERT INTO incident_updates VALUES ('01UPDA', '01MANUALA', 'resolved', 'Fixed.', ?)`, T);
  run(`INSERT INTO incident_updates VALUES ('01UPDB', '01MANUALB', 'identified', 'Found.', ?)`, T);
  for (const [id, site, kind, role] of [
    ['m1', 'site-a', 'guest', 'member'],
    ['m2', 'site-a', 'sso', 'staff'],
    ['m3', 'site-b', 'guest', 'member'],
  ])
    run(
      `INSERT INTO members (id, site_id, kind, display_name, role, created_at, external_id, badges, fingerprint)
       VALUES (?, ?, ?, ?, ?, ?, ?, '["b"]', 'fp')`,
      id,
      site,
      kind,
      `Member ${id}`,
      role,
      T,
      kind === 'sso' ? `ext-${id}` : null,
    );
  const post = (id: string, site: string, incidentId: string, parent: string | null, m: string) =>
    run(
      `INSERT INTO posts (id, site_id, incident_id, parent_id, member_id, kind, body, workaround, state, verified, pinned,
         worked_count, didnt_work_count, created_at, edited_at, score, deleted_at, merged_into, moderation_reasons, flag_count)
       VALUES (?, ?, ?, ?, ?, 'workaround', ?, '{"steps":"s"}', 'published', 1, 1, 3, 1, ?, ?, 2.5, NULL, ?, '["link"]', 1)`,
      id,
      site,
      incidentId,
      parent,
      m,
      `Body ${id}`,
      T,
      T,
      parent ? 'p1' : null,
    );
  post('p1', 'site-a', UPSTREAM, null, 'm1');
  post('p2', 'site-a', UPSTREAM, 'p1', 'm2');
  post('p3', 'site-b', '01MANUALB', null, 'm3');
  run(`INSERT INTO reactions VALUES ('p1', 'm2', 'worked', ?)`, T);
  run(`INSERT INTO reactions VALUES ('p3', 'm3', 'didnt_work', ?)`, T);
  run(`INSERT INTO affected VALUES (?, 'm1', ?)`, UPSTREAM, T);
  run(`INSERT INTO affected VALUES (?, 'm2', ?)`, UPSTREAM, T);
  run(`INSERT INTO affected VALUES ('01MANUALB', 'm3', ?)`, T);
  run(`INSERT INTO flags VALUES ('p2', 'm1', 'spam', 'note', ?)`, T);
  run(`INSERT INTO idempotency_keys VALUES ('site-a', 'm1', 'k1', 'h', 'p1', ?)`, T);
  run(
    `INSERT INTO events (site_id, seq, type, incident_id, payload, created_at, audience) VALUES ('site-a', 1, 'incident.opened', ?, '{}', ?, 'public')`,
    UPSTREAM,
    T,
  );
  run(
    `INSERT INTO moderation_actions VALUES ('a1', 'site-a', 'lock', 'staff', 'm2', 'Staff', 'incident', ?, NULL, NULL, ?)`,
    UPSTREAM,
    T,
  );
  run(
    `INSERT INTO bans (id, site_id, member_id, fingerprint, created_by, created_at) VALUES ('b1', 'site-b', 'm3', 'fp', 'admin', ?)`,
    T,
  );
}

const TABLES = [
  'sites',
  'status_sources',
  'components',
  'incidents',
  'incident_updates',
  'members',
  'posts',
  'reactions',
  'affected',
  'flags',
  'idempotency_keys',
  'events',
  'moderation_actions',
  'bans',
] as const;

/** Rows in a fixed order, whatever their column order. */
function sorted(list: Array<Record<string, unknown>>): Array<Record<string, unknown>> {
  const key = (r: Record<string, unknown>) =>
    JSON.stringify(Object.entries(r).sort(([a], [b]) => a.localeCompare(b)));
  return [...list].sort((a, b) => key(a).localeCompare(key(b)));
}

/** Every row of a table. */
function rows(db: Database.Database, table: string): Array<Record<string, unknown>> {
  return sorted(db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>);
}

// SQLite only: the table rebuild is SQLite's, and PostgreSQL never runs migration 6 (it starts
// from the baseline of schema 6, migrations/postgres.ts; postgres.test.ts covers that path).
describe.skipIf(TEST_ENGINE === 'postgres')('migration 6: incidents per site', () => {
  it('keeps every row of a version 5 database, adds site_id, and checks every foreign key', async () => {
    const file = tempFile();
    const old = databaseAt(file, 5);
    seed(old);
    const before = Object.fromEntries(TABLES.map((t) => [t, rows(old, t)]));
    old.close();

    const store = await openMigrated(file);
    try {
      const db = store.db;
      const versions = db.prepare('SELECT version FROM schema_migrations').pluck().all();
      expect(versions).toContain(6);
      const siteOf = Object.fromEntries(
        before.incidents!.map((i) => [i.id as string, i.site_id as string]),
      );
      for (const table of TABLES) {
        const expected =
          table === 'incident_updates' || table === 'affected'
            ? before[table]!.map((r) => ({ ...r, site_id: siteOf[r.incident_id as string] }))
            : before[table]!;
        // Columns later migrations added (e.g. 8's reputation and weights) are not this one's.
        const keys = Object.keys(expected[0] ?? {});
        const kept = rows(db, table).map((r) => Object.fromEntries(keys.map((k) => [k, r[k]])));
        expect(kept, table).toEqual(sorted(expected));
      }
      expect(before.incident_updates!.length).toBe(3);
      expect(before.affected!.length).toBe(3);
      expect(
        rows(db, 'affected')
          .map((r) => `${r.site_id} ${r.member_id}`)
          .sort(),
      ).toEqual(['site-a m1', 'site-a m2', 'site-b m3']);

      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      // No table of the rebuild is left behind, and the indexes are back.
      const names = db
        .prepare("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
        .pluck()
        .all() as string[];
      expect(names.filter((n) => n.endsWith('_new'))).toEqual([]);
      expect(names).toEqual(
        expect.arrayContaining([
          'incidents_site_started',
          'incidents_resolved_open',
          'incident_updates_incident',
          'posts_incident_state',
          'posts_site_state',
          'posts_member',
        ]),
      );
      // The composite keys: posts, updates and reports point at (site_id, id) of an incident.
      for (const child of ['posts', 'incident_updates', 'affected']) {
        const fks = db.pragma(`foreign_key_list(${child})`) as Array<{
          id: number;
          table: string;
          from: string;
          to: string;
        }>;
        const toIncidents = fks.filter((f) => f.table === 'incidents');
        expect(
          toIncidents.map((f) => [f.from, f.to]),
          child,
        ).toEqual([
          ['site_id', 'site_id'],
          ['incident_id', 'id'],
        ]);
      }
      // Reactions, flags and replies still point at posts.
      expect(
        (db.pragma('foreign_key_list(reactions)') as Array<{ table: string }>).map((f) => f.table),
      ).toContain('posts');

      // The same upstream incident now lives in site B as well, with its own update and report;
      // a post of site B cannot hang under site A's copy.
      db.prepare(
        `INSERT INTO incidents (id, site_id, title, phase, impact, started_at, updated_at) VALUES (?, 'site-b', 't', 'investigating', 'minor', ?, ?)`,
      ).run(UPSTREAM, T, T);
      db.prepare(
        `INSERT INTO incident_updates (site_id, id, incident_id, phase, body, created_at) VALUES ('site-b', ?, ?, 'investigating', 'b', ?)`,
      ).run(`${UPSTREAM}:u1`, UPSTREAM, T);
      db.prepare(
        `INSERT INTO affected (site_id, incident_id, member_id, created_at) VALUES ('site-b', ?, 'm3', ?)`,
      ).run(UPSTREAM, T);
      expect(() =>
        db
          .prepare(
            `INSERT INTO posts (id, site_id, incident_id, member_id, kind, body, state, created_at) VALUES ('p9', 'site-b', '01MANUALA', 'm3', 'comment', 'x', 'published', ?)`,
          )
          .run(T),
      ).toThrow(/FOREIGN KEY/);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      store.close();
    }
  });

  it('is not applied, and leaves version 5 as it was, when a row breaks a foreign key', async () => {
    const file = tempFile();
    const old = databaseAt(file, 5);
    seed(old);
    // A post whose incident is gone, written with foreign keys off.
    old.pragma('foreign_keys = OFF');
    old
      .prepare(
        `INSERT INTO posts (id, site_id, incident_id, member_id, kind, body, state, created_at) VALUES ('orphan', 'site-a', 'no-such-incident', 'm1', 'comment', 'x', 'published', ?)`,
      )
      .run(T);
    const before = Object.fromEntries(TABLES.map((t) => [t, rows(old, t)]));
    const schema = old.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all();
    old.close();

    await expect(openMigrated(file)).rejects.toThrow(
      /Migration 6 \(incidents-per-site\) not applied: 1 row\(s\) break a foreign key \(posts row \d+ → incidents\)/,
    );

    const after = new Database(file);
    try {
      expect(after.prepare('SELECT MAX(version) FROM schema_migrations').pluck().get()).toBe(5);
      expect(
        after.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all(),
      ).toEqual(schema);
      for (const table of TABLES) expect(rows(after, table), table).toEqual(before[table]);
    } finally {
      after.close();
    }
  });
});
