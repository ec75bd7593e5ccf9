/**
 * The SQLite connection of the embedded engine (better-sqlite3): WAL with `synchronous=FULL`, so
 * an acknowledged write survives a power loss; migrations; statement cache; the event append
 * every write transaction ends with.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { STAFF_EVENT_TYPES, type LifeboatEvent, type Post } from '@lifeboat/protocol';
import { MIGRATIONS } from './migrations/index.js';
import { POST_SELECT, toPost, type IncidentRow, type PostRow } from './sqlite-rows.js';

export interface SqliteStoreOptions {
  /** Path of the database file; its directory is created when missing. */
  file: string;
  /** Events kept per site (older ones are deleted as new ones arrive). */
  eventRetention?: number;
}

export const now = () => new Date().toISOString();

export class SqliteDb {
  readonly db: Database.Database;
  private readonly retention: number;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(options: SqliteStoreOptions) {
    fs.mkdirSync(path.dirname(options.file), { recursive: true });
    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.retention = options.eventRetention ?? 10_000;
    try {
      this.migrate();
    } catch (err) {
      this.db.close();
      throw err;
    }
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (
        this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>
      ).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      // A table rebuild (SQLite's 12-step ALTER procedure): foreign keys off outside the
      // transaction (the pragma does nothing inside one), checked before the commit, back on after.
      if (m.rebuildsTables) this.db.pragma('foreign_keys = OFF');
      try {
        this.db.transaction(() => {
          this.db.exec(m.sql);
          if (m.rebuildsTables) this.checkForeignKeys(m.version, m.name);
          this.db
            .prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
            .run(m.version, m.name, now());
        })();
      } finally {
        if (m.rebuildsTables) this.db.pragma('foreign_keys = ON');
      }
    }
  }

  /** Throws (rolling the migration back) when any row breaks a foreign key. */
  private checkForeignKeys(version: number, name: string): void {
    const broken = this.db.pragma('foreign_key_check') as Array<{
      table: string;
      rowid: number | null;
      parent: string;
    }>;
    if (broken.length === 0) return;
    const sample = broken
      .slice(0, 5)
      .map((b) => `${b.table} row ${b.rowid ?? '?'} → ${b.parent}`)
      .join(', ');
    throw new Error(
      `Migration ${version} (${name}) not applied: ${broken.length} row(s) break a foreign key (${sample}).`,
    );
  }

  stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  run(sql: string, ...params: unknown[]): number {
    return this.stmt(sql).run(...params).changes;
  }

  tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /**
   * Allocates the next sequence and writes the event row; call inside a transaction. Staff events
   * (`moderation.*`) are stored with audience `staff`: only the moderation stream sends them.
   */
  appendEvent(
    siteId: string,
    incidentId: string | null,
    at: string,
    build: (seq: number) => LifeboatEvent,
  ): number {
    const { event_seq: seq } = this.one<{ event_seq: number }>(
      'UPDATE sites SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq',
      siteId,
    )!;
    const event = build(seq);
    const staff = (STAFF_EVENT_TYPES as readonly string[]).includes(event.type);
    this.run(
      'INSERT INTO events (site_id, seq, type, incident_id, payload, created_at, audience) VALUES (?, ?, ?, ?, ?, ?, ?)',
      siteId,
      seq,
      event.type,
      incidentId,
      JSON.stringify(event),
      at,
      staff ? 'staff' : 'public',
    );
    if (seq > this.retention)
      this.run('DELETE FROM events WHERE site_id = ? AND seq <= ?', siteId, seq - this.retention);
    return seq;
  }

  /** Reads a post as it now stands and writes its `post.updated` event; call inside a transaction. */
  postUpdated(siteId: string, postId: string, at: string): { post: Post; seq: number } {
    const post = toPost(this.postRow(postId)!);
    const seq = this.appendEvent(siteId, post.incidentId, at, (s) => ({
      type: 'post.updated',
      seq: s,
      post,
    }));
    return { post, seq };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  incidentRow(siteId: string, incidentId: string): IncidentRow | undefined {
    return this.one<IncidentRow>(
      'SELECT * FROM incidents WHERE site_id = ? AND id = ?',
      siteId,
      incidentId,
    );
  }

  postRow(postId: string): PostRow | undefined {
    return this.one<PostRow>(`${POST_SELECT} WHERE p.id = ?`, postId);
  }
}
