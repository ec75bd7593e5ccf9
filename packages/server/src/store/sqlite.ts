/**
 * The embedded SQLite engine (better-sqlite3). WAL with `synchronous=FULL`: an acknowledged write
 * survives a power loss. better-sqlite3 is synchronous, so each transaction runs to completion
 * without interleaving; the async methods keep the interface PostgreSQL-shaped.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ulid, type Incident, type LifeboatEvent, type ReactionKind } from '@lifeboat/protocol';
import { MIGRATIONS } from './migrations/index.js';
import {
  POST_SELECT,
  incidentBase,
  toComponent,
  toMember,
  toPost,
  toSite,
  type ComponentRow,
  type IncidentRow,
  type MemberRow,
  type PostRow,
  type SiteRow,
} from './sqlite-rows.js';
import type {
  AffectedOutcome,
  CreatePostOutcome,
  MemberRecord,
  NewIncident,
  NewPost,
  ReactionOutcome,
  SiteRecord,
  Store,
  StoredEvent,
  ThreadSlice,
} from './store.js';

export interface SqliteStoreOptions {
  /** Path of the database file; its directory is created when missing. */
  file: string;
  /** Events kept per site (older ones are deleted as new ones arrive). */
  eventRetention?: number;
}

const now = () => new Date().toISOString();

export class SqliteStore implements Store {
  readonly engine = 'sqlite' as const;
  private readonly db: Database.Database;
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
    this.migrate();
  }

  private migrate(): void {
    this.db.exec(
      'CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)',
    );
    const applied = new Set(
      (this.db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map((r) => r.version),
    );
    for (const m of MIGRATIONS) {
      if (applied.has(m.version)) continue;
      this.db.transaction(() => {
        this.db.exec(m.sql);
        this.db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now());
      })();
    }
  }

  private stmt(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private one<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.stmt(sql).get(...params) as T | undefined;
  }

  private all<T>(sql: string, ...params: unknown[]): T[] {
    return this.stmt(sql).all(...params) as T[];
  }

  private run(sql: string, ...params: unknown[]): number {
    return this.stmt(sql).run(...params).changes;
  }

  private tx<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** Allocates the next sequence and writes the event row; call inside a transaction. */
  private appendEvent(siteId: string, incidentId: string | null, at: string, build: (seq: number) => LifeboatEvent): number {
    const { event_seq: seq } = this.one<{ event_seq: number }>(
      'UPDATE sites SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq',
      siteId,
    )!;
    const event = build(seq);
    this.run(
      'INSERT INTO events (site_id, seq, type, incident_id, payload, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      siteId, seq, event.type, incidentId, JSON.stringify(event), at,
    );
    if (seq > this.retention) this.run('DELETE FROM events WHERE site_id = ? AND seq <= ?', siteId, seq - this.retention);
    return seq;
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  // ---- sites and components ----

  async getSiteBySlug(slug: string): Promise<SiteRecord | null> {
    const row = this.one<SiteRow>('SELECT * FROM sites WHERE slug = ?', slug);
    return row ? toSite(row) : null;
  }

  async createSite(input: { slug: string; name: string; origins: string[] }): Promise<SiteRecord> {
    const row = this.one<SiteRow>(
      'INSERT INTO sites (id, slug, name, origins, event_seq, created_at) VALUES (?, ?, ?, ?, 0, ?) RETURNING *',
      ulid(), input.slug, input.name, JSON.stringify(input.origins), now(),
    )!;
    return toSite(row);
  }

  async replaceComponents(siteId: string, components: Array<{ id: string; name: string; status: string; group: string | null }>): Promise<void> {
    this.tx(() => {
      this.run('DELETE FROM components WHERE site_id = ?', siteId);
      components.forEach((c, i) =>
        this.run('INSERT INTO components (site_id, id, name, status, group_name, position) VALUES (?, ?, ?, ?, ?, ?)', siteId, c.id, c.name, c.status, c.group, i),
      );
    });
  }

  async listComponents(siteId: string) {
    return this.all<ComponentRow>('SELECT * FROM components WHERE site_id = ? ORDER BY position', siteId).map(toComponent);
  }

  // ---- incidents ----

  private assembleIncident(row: IncidentRow, slug: string): Incident {
    const updates = this.all<{ id: string; phase: string; body: string; created_at: string }>(
      'SELECT * FROM incident_updates WHERE incident_id = ? ORDER BY created_at DESC, id DESC',
      row.id,
    );
    const affected = this.one<{ n: number }>('SELECT COUNT(*) AS n FROM affected WHERE incident_id = ?', row.id)!.n;
    const posts = this.one<{ n: number }>("SELECT COUNT(*) AS n FROM posts WHERE incident_id = ? AND state = 'published'", row.id)!.n;
    const top = this.one<PostRow>(
      `${POST_SELECT} WHERE p.incident_id = ? AND p.kind = 'workaround' AND p.state = 'published'
       ORDER BY p.verified DESC, (p.worked_count - p.didnt_work_count) DESC, p.id ASC LIMIT 1`,
      row.id,
    );
    return {
      ...incidentBase(row),
      site: slug,
      updates: updates.map((u) => ({ id: u.id, phase: u.phase as Incident['phase'], body: u.body, createdAt: u.created_at })),
      affectedCount: affected,
      postCount: posts,
      topWorkaround: top ? toPost(top) : null,
    };
  }

  private slugOf(siteId: string): string {
    return this.one<{ slug: string }>('SELECT slug FROM sites WHERE id = ?', siteId)!.slug;
  }

  private incidentRow(siteId: string, incidentId: string): IncidentRow | undefined {
    return this.one<IncidentRow>('SELECT * FROM incidents WHERE site_id = ? AND id = ?', siteId, incidentId);
  }

  async createIncident(siteId: string, input: NewIncident): Promise<{ incident: Incident; seq: number }> {
    return this.tx(() => {
      const updatedAt = input.updates.reduce((t, u) => (u.createdAt > t ? u.createdAt : t), input.startedAt);
      this.run(
        `INSERT INTO incidents (id, site_id, title, phase, impact, components, started_at, resolved_at, updated_at, thread_state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        input.id, siteId, input.title, input.phase, input.impact, JSON.stringify(input.components),
        input.startedAt, input.resolvedAt, updatedAt, input.threadState,
      );
      for (const u of input.updates) {
        this.run('INSERT INTO incident_updates (id, incident_id, phase, body, created_at) VALUES (?, ?, ?, ?, ?)', u.id, input.id, u.phase, u.body, u.createdAt);
      }
      const incident = this.assembleIncident(this.incidentRow(siteId, input.id)!, this.slugOf(siteId));
      const type = input.resolvedAt ? 'incident.resolved' : 'incident.opened';
      const seq = this.appendEvent(siteId, input.id, updatedAt, (s) => ({ type, seq: s, incident }));
      return { incident, seq };
    });
  }

  async listIncidents(siteId: string, state: 'open' | 'all'): Promise<Incident[]> {
    const where = state === 'open' ? 'AND resolved_at IS NULL' : '';
    const rows = this.all<IncidentRow>(`SELECT * FROM incidents WHERE site_id = ? ${where} ORDER BY started_at DESC, id DESC LIMIT 100`, siteId);
    const slug = this.slugOf(siteId);
    return rows.map((r) => this.assembleIncident(r, slug));
  }

  async getIncident(siteId: string, incidentId: string): Promise<Incident | null> {
    const row = this.incidentRow(siteId, incidentId);
    return row ? this.assembleIncident(row, this.slugOf(siteId)) : null;
  }

  async threadSlice(siteId: string, incidentId: string, afterId: string | null, limit: number): Promise<ThreadSlice | null> {
    const row = this.incidentRow(siteId, incidentId);
    if (!row) return null;
    const rows = this.all<PostRow>(
      `${POST_SELECT} WHERE p.incident_id = ? AND p.state = 'published' AND p.id > ? ORDER BY p.id ASC LIMIT ?`,
      incidentId, afterId ?? '', limit + 1,
    );
    const more = rows.length > limit;
    const posts = rows.slice(0, limit).map(toPost);
    return { threadState: incidentBase(row).threadState, posts, lastIdWhenMore: more ? posts[posts.length - 1]!.id : null };
  }

  async memberIncidentState(siteId: string, incidentId: string, memberId: string) {
    if (!this.incidentRow(siteId, incidentId)) return null;
    const affected = this.one('SELECT 1 FROM affected WHERE incident_id = ? AND member_id = ?', incidentId, memberId) !== undefined;
    const rows = this.all<{ post_id: string; kind: ReactionKind }>(
      'SELECT r.post_id, r.kind FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.incident_id = ? AND r.member_id = ?',
      incidentId, memberId,
    );
    return { affected, reactions: Object.fromEntries(rows.map((r) => [r.post_id, r.kind])) };
  }

  // ---- members ----

  async createMember(input: { siteId: string; kind: MemberRecord['kind']; displayName: string; role: MemberRecord['role']; createdAt?: string }) {
    const row = this.one<MemberRow>(
      'INSERT INTO members (id, site_id, kind, display_name, role, created_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING *',
      ulid(), input.siteId, input.kind, input.displayName, input.role, input.createdAt ?? now(),
    )!;
    return toMember(row);
  }

  async getMember(siteId: string, memberId: string) {
    const row = this.one<MemberRow>('SELECT * FROM members WHERE site_id = ? AND id = ?', siteId, memberId);
    return row ? toMember(row) : null;
  }

  async renameMember(siteId: string, memberId: string, displayName: string) {
    const row = this.one<MemberRow>('UPDATE members SET display_name = ? WHERE site_id = ? AND id = ? RETURNING *', displayName, siteId, memberId);
    return row ? toMember(row) : null;
  }

  // ---- community writes ----

  private postRow(postId: string): PostRow | undefined {
    return this.one<PostRow>(`${POST_SELECT} WHERE p.id = ?`, postId);
  }

  async createPost(input: NewPost): Promise<CreatePostOutcome> {
    return this.tx((): CreatePostOutcome => {
      if (input.idempotency) {
        const prior = this.one<{ request_hash: string; post_id: string }>(
          'SELECT request_hash, post_id FROM idempotency_keys WHERE site_id = ? AND member_id = ? AND key = ?',
          input.siteId, input.memberId, input.idempotency.key,
        );
        if (prior) {
          if (prior.request_hash !== input.idempotency.requestHash) return { kind: 'idempotency_mismatch' };
          return { kind: 'replayed', post: toPost(this.postRow(prior.post_id)!) };
        }
      }
      const incident = this.incidentRow(input.siteId, input.incidentId);
      if (!incident) return { kind: 'incident_not_found' };
      const threadState = incidentBase(incident).threadState;
      if (threadState !== 'open') return { kind: 'thread_locked', threadState };
      if (this.one('SELECT 1 FROM posts WHERE id = ?', input.id)) return { kind: 'id_conflict' };
      if (input.kind === 'reply') {
        const parent = this.one<{ incident_id: string; kind: string; state: string }>(
          'SELECT incident_id, kind, state FROM posts WHERE id = ? AND site_id = ?', input.parentId, input.siteId,
        );
        if (!parent || parent.incident_id !== input.incidentId || parent.state !== 'published') {
          return { kind: 'bad_parent', message: 'No published post with this id in this incident.' };
        }
        if (parent.kind === 'reply') return { kind: 'bad_parent', message: 'Reply to an answer or a workaround, not to a reply.' };
      }
      const at = input.createdAt ?? now();
      this.run(
        `INSERT INTO posts (id, site_id, incident_id, parent_id, member_id, kind, body, workaround, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        input.id, input.siteId, input.incidentId, input.kind === 'reply' ? input.parentId : null, input.memberId,
        input.kind, input.body, input.workaround ? JSON.stringify(input.workaround) : null, input.state, at,
      );
      if (input.idempotency) {
        this.run(
          'INSERT INTO idempotency_keys (site_id, member_id, key, request_hash, post_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          input.siteId, input.memberId, input.idempotency.key, input.idempotency.requestHash, input.id, at,
        );
      }
      const post = toPost(this.postRow(input.id)!);
      const seq = this.appendEvent(input.siteId, input.incidentId, at, (s) => ({ type: 'post.created', seq: s, post }));
      return { kind: 'created', post, seq };
    });
  }

  async setReaction(siteId: string, postId: string, memberId: string, kind: ReactionKind | null, at = now()): Promise<ReactionOutcome> {
    return this.tx((): ReactionOutcome => {
      const post = this.one<{ incident_id: string; worked_count: number; didnt_work_count: number }>(
        "SELECT incident_id, worked_count, didnt_work_count FROM posts WHERE id = ? AND site_id = ? AND state = 'published'",
        postId, siteId,
      );
      if (!post) return { kind: 'post_not_found' };
      const prior = this.one<{ kind: ReactionKind }>('SELECT kind FROM reactions WHERE post_id = ? AND member_id = ?', postId, memberId)?.kind ?? null;
      if (prior === kind) {
        return { kind: 'ok', postId, reaction: kind, counts: { worked: post.worked_count, didntWork: post.didnt_work_count }, seq: null };
      }
      if (prior === null) this.run('INSERT INTO reactions (post_id, member_id, kind, created_at) VALUES (?, ?, ?, ?)', postId, memberId, kind, at);
      else if (kind === null) this.run('DELETE FROM reactions WHERE post_id = ? AND member_id = ?', postId, memberId);
      else this.run('UPDATE reactions SET kind = ?, created_at = ? WHERE post_id = ? AND member_id = ?', kind, at, postId, memberId);
      const delta = (k: ReactionKind) => (kind === k ? 1 : 0) - (prior === k ? 1 : 0);
      const row = this.one<{ worked_count: number; didnt_work_count: number }>(
        'UPDATE posts SET worked_count = worked_count + ?, didnt_work_count = didnt_work_count + ? WHERE id = ? RETURNING worked_count, didnt_work_count',
        delta('worked'), delta('didnt_work'), postId,
      )!;
      const counts = { worked: row.worked_count, didntWork: row.didnt_work_count };
      const seq = this.appendEvent(siteId, post.incident_id, at, (s) => ({
        type: 'reaction.changed', seq: s, incidentId: post.incident_id, postId, counts,
      }));
      return { kind: 'ok', postId, reaction: kind, counts, seq };
    });
  }

  async setAffected(siteId: string, incidentId: string, memberId: string, affected: boolean, at = now()): Promise<AffectedOutcome> {
    return this.tx((): AffectedOutcome => {
      if (!this.incidentRow(siteId, incidentId)) return { kind: 'incident_not_found' };
      const prior = this.one('SELECT 1 FROM affected WHERE incident_id = ? AND member_id = ?', incidentId, memberId) !== undefined;
      const count = () => this.one<{ n: number }>('SELECT COUNT(*) AS n FROM affected WHERE incident_id = ?', incidentId)!.n;
      if (prior === affected) return { kind: 'ok', affected, count: count(), seq: null };
      if (affected) this.run('INSERT INTO affected (incident_id, member_id, created_at) VALUES (?, ?, ?)', incidentId, memberId, at);
      else this.run('DELETE FROM affected WHERE incident_id = ? AND member_id = ?', incidentId, memberId);
      const n = count();
      const seq = this.appendEvent(siteId, incidentId, at, (s) => ({ type: 'affected.changed', seq: s, incidentId, count: n }));
      return { kind: 'ok', affected, count: n, seq };
    });
  }

  // ---- events ----

  async eventsAfter(siteId: string, after: number, limit: number): Promise<StoredEvent[]> {
    return this.all<StoredEvent>('SELECT seq, type, payload FROM events WHERE site_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?', siteId, after, limit);
  }

  async eventBounds(siteId: string) {
    const site = this.one<{ event_seq: number }>('SELECT event_seq FROM sites WHERE id = ?', siteId);
    const row = this.one<{ oldest: number | null }>('SELECT MIN(seq) AS oldest FROM events WHERE site_id = ?', siteId);
    const last = this.one<{ created_at: string }>('SELECT created_at FROM events WHERE site_id = ? ORDER BY seq DESC LIMIT 1', siteId);
    return { current: site?.event_seq ?? 0, oldest: row?.oldest ?? null, lastAt: last?.created_at ?? null };
  }
}

/** Opens (creating and migrating when needed) a SQLite store. */
export function openSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}
