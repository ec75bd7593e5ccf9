/**
 * The store: one engine-neutral implementation of `Store` over the SQL driver port
 * (sql/driver.ts, ADR 0017), on SQLite (better-sqlite3, the zero-configuration default) or
 * PostgreSQL (pg, for several instances). `openStore` picks the engine from the configuration and
 * migrates; the server, the CLI and the test harness all open their store through it.
 */
import { ulid, type Incident, type ReactionKind } from '@lifeboat/protocol';
import { createPost, setAffected, setReaction } from './sql-community.js';
import { affectedHistory } from './sql-affected.js';
import { deletePost, editPost } from './sql-posts.js';
import { StoreDb, now } from './db.js';
import type { SqlDriver } from './sql/driver.js';
import { SqliteDriver } from './sql/sqlite-driver.js';
import { PgDriver } from './sql/pg-driver.js';
import { migrate } from './migrations/runner.js';
import { SqlStatus } from './sql-status.js';
import { SqlMembers } from './sql-members.js';
import type { SiteSsoConfig, SsoProfile } from './identity-types.js';
import type { IncidentChange, SitePatch, UpstreamSnapshot } from './status-types.js';
import { listWorkarounds, mergePost } from './sql-workarounds.js';
import { topWorkaround } from './sql-top-workaround.js';
import {
  SqlModeration,
  activeBan,
  auditPage,
  authorStanding,
  moderationQueue,
  staffNames,
} from './sql-moderation.js';
import type { AuditActor, AuditInput } from './moderation-types.js';
import { threadOrderSlice } from './sql-thread-order.js';
import { archiveResolvedThreads, threadStateOf } from './sql-lifecycle.js';
import { incidentReport, siteInsights } from './sql-report.js';
import { SqlReputation } from './sql-reputation.js';
import { SqlEarlyWarning } from './sql-early-warning.js';
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
} from './sql-rows.js';
import type {
  AffectedOutcome,
  CreatePostOutcome,
  MemberRecord,
  MergeOutcome,
  NewIncident,
  NewPost,
  OwnPostOptions,
  OwnPostOutcome,
  PostChange,
  ReactionOutcome,
  SiteRecord,
  Store,
  StoredEvent,
  ThreadOrder,
  ThreadOrderKey,
  ThreadOrderSlice,
  ThreadSlice,
} from './store.js';

export interface StoreOptions {
  /** `postgres://…` selects PostgreSQL; absent or null: SQLite in `file`. */
  databaseUrl?: string | null;
  /** The SQLite file (its directory is created, mode 0700, when missing). */
  file?: string;
  /** Events kept per site for Last-Event-ID replay. */
  eventRetention?: number;
  /** SQLite `synchronous`: `full` (default) or `normal` (docs/server/operations.md). */
  sqliteSync?: 'full' | 'normal';
  /** PostgreSQL connection pool size per instance. */
  poolSize?: number;
}

/** The options of the SQLite engine alone (kept for callers that only ever open a file). */
export interface SqliteStoreOptions {
  file: string;
  eventRetention?: number;
}

export function isPostgresUrl(url: string | null | undefined): url is string {
  return !!url && /^postgres(ql)?:\/\//i.test(url);
}

export class SqlStore implements Store {
  readonly engine: 'sqlite' | 'postgres';
  private readonly db: StoreDb;
  private readonly status: SqlStatus;
  private readonly members: SqlMembers;
  private readonly moderation: SqlModeration;
  /** Member reputation and trust levels (issue 12, sql-reputation.ts). */
  readonly reputation: SqlReputation;
  /** Problem reports and spikes (issue 12, sql-early-warning.ts). */
  readonly earlyWarning: SqlEarlyWarning;

  constructor(driver: SqlDriver, eventRetention: number) {
    this.engine = driver.dialect;
    this.db = new StoreDb(driver, eventRetention);
    this.members = new SqlMembers(this.db);
    const assemble = async (siteId: string, row: IncidentRow) =>
      this.assembleIncident(row, await this.slugOf(siteId));
    this.status = new SqlStatus(this.db, assemble);
    this.moderation = new SqlModeration(this.db, assemble);
    this.reputation = new SqlReputation(this.db);
    this.earlyWarning = new SqlEarlyWarning(this.db);
  }

  async close(): Promise<void> {
    await this.db.close();
  }

  async ping(): Promise<void> {
    await this.driver.all('SELECT 1 AS ok');
  }

  /** The SQL driver (benchmarks and tests that need raw access). */
  get driver(): SqlDriver {
    return this.db.driver;
  }

  // ---- sites and components ----

  async getSiteBySlug(slug: string): Promise<SiteRecord | null> {
    const row = await this.db.one<SiteRow>('SELECT * FROM sites WHERE slug = ?', slug);
    return row ? toSite(row) : null;
  }

  async getSiteById(id: string): Promise<SiteRecord | null> {
    const row = await this.db.one<SiteRow>('SELECT * FROM sites WHERE id = ?', id);
    return row ? toSite(row) : null;
  }

  async createSite(input: { slug: string; name: string; origins: string[] }): Promise<SiteRecord> {
    const row = (await this.db.one<SiteRow>(
      'INSERT INTO sites (id, slug, name, origins, event_seq, created_at) VALUES (?, ?, ?, ?, 0, ?) RETURNING *',
      ulid(),
      input.slug,
      input.name,
      JSON.stringify(input.origins),
      now(),
    ))!;
    return toSite(row);
  }

  async replaceComponents(
    siteId: string,
    components: Array<{ id: string; name: string; status: string; group: string | null }>,
  ): Promise<void> {
    await this.db.tx(async () => {
      await this.db.run('DELETE FROM components WHERE site_id = ?', siteId);
      for (const [i, c] of components.entries())
        await this.db.run(
          'INSERT INTO components (site_id, id, name, status, group_name, position) VALUES (?, ?, ?, ?, ?, ?)',
          siteId,
          c.id,
          c.name,
          c.status,
          c.group,
          i,
        );
    });
  }

  async listComponents(siteId: string) {
    return (
      await this.db.all<ComponentRow>(
        'SELECT * FROM components WHERE site_id = ? ORDER BY position',
        siteId,
      )
    ).map(toComponent);
  }

  // ---- incidents ----

  private async assembleIncident(row: IncidentRow, slug: string): Promise<Incident> {
    const updates = await this.db.all<{
      id: string;
      phase: string;
      body: string;
      created_at: string;
    }>(
      'SELECT * FROM incident_updates WHERE site_id = ? AND incident_id = ? ORDER BY created_at DESC, id DESC',
      row.site_id,
      row.id,
    );
    const affected = (await this.db.one<{ n: number }>(
      'SELECT COUNT(*) AS n FROM affected WHERE site_id = ? AND incident_id = ?',
      row.site_id,
      row.id,
    ))!.n;
    const posts = (await this.db.one<{ n: number }>(
      "SELECT COUNT(*) AS n FROM posts WHERE site_id = ? AND incident_id = ? AND state = 'published' AND deleted_at IS NULL",
      row.site_id,
      row.id,
    ))!.n;
    const top = await topWorkaround(this.db, row.site_id, row.id);
    return {
      ...incidentBase(row),
      site: slug,
      updates: updates.map((u) => ({
        id: u.id,
        phase: u.phase as Incident['phase'],
        body: u.body,
        createdAt: u.created_at,
      })),
      affectedCount: affected,
      postCount: posts,
      topWorkaround: top ? toPost(top) : null,
    };
  }

  private async slugOf(siteId: string): Promise<string> {
    return (await this.db.one<{ slug: string }>('SELECT slug FROM sites WHERE id = ?', siteId))!
      .slug;
  }

  async createIncident(
    siteId: string,
    input: NewIncident,
  ): Promise<{ incident: Incident; seq: number }> {
    return await this.db.tx(async () => {
      const updatedAt = input.updates.reduce(
        (t, u) => (u.createdAt > t ? u.createdAt : t),
        input.startedAt,
      );
      await this.db.run(
        `INSERT INTO incidents (id, site_id, title, phase, impact, components, started_at, resolved_at, updated_at, thread_state)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        input.id,
        siteId,
        input.title,
        input.phase,
        input.impact,
        JSON.stringify(input.components),
        input.startedAt,
        input.resolvedAt,
        updatedAt,
        input.threadState,
      );
      for (const u of input.updates) {
        await this.db.run(
          'INSERT INTO incident_updates (site_id, id, incident_id, phase, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
          siteId,
          u.id,
          input.id,
          u.phase,
          u.body,
          u.createdAt,
        );
      }
      const incident = await this.assembleIncident(
        (await this.db.incidentRow(siteId, input.id))!,
        await this.slugOf(siteId),
      );
      const type = input.resolvedAt ? 'incident.resolved' : 'incident.opened';
      const seq = await this.db.appendEvent(siteId, input.id, updatedAt, (s) => ({
        type,
        seq: s,
        incident,
      }));
      return { incident, seq };
    });
  }

  async listIncidents(siteId: string, state: 'open' | 'all'): Promise<Incident[]> {
    const where = state === 'open' ? 'AND resolved_at IS NULL' : '';
    const rows = await this.db.all<IncidentRow>(
      `SELECT * FROM incidents WHERE site_id = ? ${where} ORDER BY started_at DESC, id DESC LIMIT 100`,
      siteId,
    );
    const slug = await this.slugOf(siteId);
    return Promise.all(rows.map((r) => this.assembleIncident(r, slug)));
  }

  async getIncident(siteId: string, incidentId: string): Promise<Incident | null> {
    const row = await this.db.incidentRow(siteId, incidentId);
    return row ? await this.assembleIncident(row, await this.slugOf(siteId)) : null;
  }

  async threadSlice(
    siteId: string,
    incidentId: string,
    afterId: string | null,
    limit: number,
  ): Promise<ThreadSlice | null> {
    const row = await this.db.incidentRow(siteId, incidentId);
    if (!row) return null;
    const rows = await this.db.all<PostRow>(
      `${POST_SELECT} WHERE p.site_id = ? AND p.incident_id = ? AND p.state = 'published' AND p.id > ? ORDER BY p.id ASC LIMIT ?`,
      siteId,
      incidentId,
      afterId ?? '',
      limit + 1,
    );
    const more = rows.length > limit;
    const posts = rows.slice(0, limit).map(toPost);
    return {
      threadState: incidentBase(row).threadState,
      posts,
      lastIdWhenMore: more ? posts[posts.length - 1]!.id : null,
    };
  }

  async threadOrderSlice(
    siteId: string,
    incidentId: string,
    order: ThreadOrder,
    after: ThreadOrderKey | null,
    limit: number,
  ): Promise<ThreadOrderSlice | null> {
    const row = await this.db.incidentRow(siteId, incidentId);
    if (!row) return null;
    const slice = await threadOrderSlice(this.db, siteId, incidentId, order, after, limit);
    return { threadState: incidentBase(row).threadState, ...slice };
  }

  async memberIncidentState(siteId: string, incidentId: string, memberId: string) {
    if (!(await this.db.incidentRow(siteId, incidentId))) return null;
    const affected =
      (await this.db.one(
        'SELECT 1 FROM affected WHERE site_id = ? AND incident_id = ? AND member_id = ?',
        siteId,
        incidentId,
        memberId,
      )) !== undefined;
    const rows = await this.db.all<{ post_id: string; kind: ReactionKind }>(
      'SELECT r.post_id, r.kind FROM reactions r JOIN posts p ON p.id = r.post_id WHERE p.site_id = ? AND p.incident_id = ? AND r.member_id = ?',
      siteId,
      incidentId,
      memberId,
    );
    return { affected, reactions: Object.fromEntries(rows.map((r) => [r.post_id, r.kind])) };
  }

  // ---- members ----

  async createMember(input: {
    siteId: string;
    kind: MemberRecord['kind'];
    displayName: string;
    role: MemberRecord['role'];
    createdAt?: string;
    fingerprint?: string | null;
  }) {
    const row = (await this.db.one<MemberRow>(
      'INSERT INTO members (id, site_id, kind, display_name, role, created_at, fingerprint) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING *',
      ulid(),
      input.siteId,
      input.kind,
      input.displayName,
      input.role,
      input.createdAt ?? now(),
      input.fingerprint ?? null,
    ))!;
    return toMember(row);
  }

  async getMember(siteId: string, memberId: string) {
    const row = await this.db.one<MemberRow>(
      'SELECT * FROM members WHERE site_id = ? AND id = ?',
      siteId,
      memberId,
    );
    return row ? toMember(row) : null;
  }

  async listMembers(siteId: string, kind: MemberRecord['kind']) {
    return (
      await this.db.all<MemberRow>(
        'SELECT * FROM members WHERE site_id = ? AND kind = ? AND deleted_at IS NULL ORDER BY id',
        siteId,
        kind,
      )
    ).map(toMember);
  }

  async setMemberRole(siteId: string, memberId: string, role: MemberRecord['role']) {
    const row = await this.db.one<MemberRow>(
      'UPDATE members SET role = ? WHERE site_id = ? AND id = ? RETURNING *',
      role,
      siteId,
      memberId,
    );
    return row ? toMember(row) : null;
  }

  async renameMember(siteId: string, memberId: string, displayName: string) {
    const row = await this.db.one<MemberRow>(
      'UPDATE members SET display_name = ? WHERE site_id = ? AND id = ? RETURNING *',
      displayName,
      siteId,
      memberId,
    );
    return row ? toMember(row) : null;
  }

  // ---- identity (sqlite-members.ts) ----

  async upsertSsoMember(siteId: string, profile: SsoProfile) {
    return this.members.upsertSso(siteId, profile);
  }

  async getSiteSso(siteId: string) {
    return this.members.getSiteSso(siteId);
  }

  async setSiteSso(siteId: string, sso: SiteSsoConfig) {
    return this.members.setSiteSso(siteId, sso);
  }

  async exportMember(siteId: string, memberId: string) {
    return this.members.exportMember(siteId, memberId);
  }

  async eraseMember(siteId: string, memberId: string, at = now()) {
    return this.members.erase(siteId, memberId, at);
  }

  // ---- community writes ----

  async createPost(input: NewPost): Promise<CreatePostOutcome> {
    return createPost(this.db, input);
  }

  async setReaction(
    siteId: string,
    postId: string,
    memberId: string,
    kind: ReactionKind | null,
    at = now(),
  ): Promise<ReactionOutcome> {
    return setReaction(this.db, siteId, postId, memberId, kind, at, async (site, row) =>
      this.assembleIncident(row, await this.slugOf(site)),
    );
  }

  async setAffected(
    siteId: string,
    incidentId: string,
    memberId: string,
    affected: boolean,
    at = now(),
  ): Promise<AffectedOutcome> {
    return setAffected(this.db, siteId, incidentId, memberId, affected, at);
  }

  async affectedHistory(
    siteId: string,
    incidentId: string,
    bucketMinutes: number,
    buckets: number,
  ) {
    return await affectedHistory(this.db, siteId, incidentId, bucketMinutes, buckets);
  }

  async editPost(
    siteId: string,
    postId: string,
    memberId: string,
    change: PostChange,
    options: OwnPostOptions,
  ): Promise<OwnPostOutcome> {
    return editPost(this.db, siteId, postId, memberId, change, options, async (site, row) =>
      this.assembleIncident(row, await this.slugOf(site)),
    );
  }

  async deletePost(
    siteId: string,
    postId: string,
    memberId: string,
    options: OwnPostOptions,
  ): Promise<OwnPostOutcome> {
    return deletePost(this.db, siteId, postId, memberId, options, async (site, row) =>
      this.assembleIncident(row, await this.slugOf(site)),
    );
  }

  // ---- workarounds ----

  async listWorkarounds(siteId: string, incidentId: string, limit: number) {
    return await listWorkarounds(this.db, siteId, incidentId, limit);
  }

  async mergePost(
    siteId: string,
    postId: string,
    intoId: string,
    at = now(),
    audit?: { actor: AuditActor; reason: string | null },
  ): Promise<MergeOutcome> {
    return mergePost(this.db, siteId, postId, intoId, at, audit, async (site, row) =>
      this.assembleIncident(row, await this.slugOf(site)),
    );
  }

  // ---- moderation (sqlite-moderation.ts) ----

  async getSitePolicy(siteId: string) {
    return this.moderation.policy(siteId);
  }

  async staffNames(siteId: string) {
    return await staffNames(this.db, siteId);
  }

  async setSitePolicy(
    siteId: string,
    policy: Parameters<Store['setSitePolicy']>[1],
    audit: Omit<AuditInput, 'target'>,
  ) {
    return this.moderation.setPolicy(siteId, policy, audit);
  }

  async authorStanding(siteId: string, memberId: string) {
    return await authorStanding(this.db, siteId, memberId);
  }

  async activeBan(siteId: string, who: { memberId?: string | null; fingerprint?: string | null }) {
    return await activeBan(this.db, siteId, who);
  }

  async moderationQueue(siteId: string, queue: 'pending' | 'flagged', limit: number) {
    return await moderationQueue(this.db, siteId, queue, limit);
  }

  async pendingPostCount(siteId: string): Promise<number> {
    const row = await this.db.one<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM posts WHERE site_id = ? AND state = 'pending' AND deleted_at IS NULL",
      siteId,
    );
    return Number(row?.n ?? 0);
  }

  async moderatePost(
    siteId: string,
    postId: string,
    action: Parameters<Store['moderatePost']>[2],
    actor: AuditActor,
    reason: string | null,
  ) {
    const outcome = await this.moderation.moderatePost(siteId, postId, action, actor, reason);
    // Verifications and removals move the author's reputation (sql-reputation.ts).
    if (outcome.kind === 'ok') await this.reputation.refresh(siteId, outcome.post.author.id);
    return outcome;
  }

  async moderateIncident(
    siteId: string,
    incidentId: string,
    action: Parameters<Store['moderateIncident']>[2],
    actor: AuditActor,
    reason: string | null,
  ) {
    return this.moderation.moderateIncident(siteId, incidentId, action, actor, reason);
  }

  async moderateMember(
    siteId: string,
    memberId: string,
    action: Parameters<Store['moderateMember']>[2],
    actor: AuditActor,
    reason: string | null,
    hours: number | null,
  ) {
    return this.moderation.moderateMember(siteId, memberId, action, actor, reason, hours);
  }

  async flagPost(
    siteId: string,
    postId: string,
    memberId: string,
    flag: Parameters<Store['flagPost']>[3],
  ) {
    return this.moderation.flagPost(siteId, postId, memberId, flag);
  }

  async auditPage(siteId: string, cursor: string | null, limit: number) {
    return await auditPage(this.db, siteId, cursor, limit);
  }

  // ---- site management and status sources (sqlite-status.ts) ----

  async listSites() {
    return this.status.listSites();
  }

  async updateSite(siteId: string, patch: SitePatch) {
    return this.status.updateSite(siteId, patch);
  }

  async getStatusSourceState(siteId: string) {
    return this.status.getState(siteId);
  }

  async recordPoll(siteId: string, url: string, result: Parameters<Store['recordPoll']>[2]) {
    return this.status.recordPoll(siteId, url, result);
  }

  async applyUpstream(siteId: string, snapshot: UpstreamSnapshot) {
    return this.status.applyUpstream(siteId, snapshot);
  }

  async changeIncident(siteId: string, incidentId: string, change: IncidentChange) {
    return this.status.changeIncident(siteId, incidentId, change);
  }

  async lockResolvedThreads(resolvedBefore: string) {
    return this.status.lockResolvedThreads(resolvedBefore);
  }

  async archiveResolvedThreads(now: number) {
    return await archiveResolvedThreads(this.db, now, async (site, row) =>
      this.assembleIncident(row, await this.slugOf(site)),
    );
  }

  async threadStateOf(siteId: string, target: { postId: string } | { incidentId: string }) {
    return await threadStateOf(this.db, siteId, target);
  }

  // ---- reports (sql-report.ts) ----

  async incidentReport(
    siteId: string,
    incidentId: string,
    options: { now: number; bucketMinutes?: number },
  ) {
    return await incidentReport(this.db, siteId, incidentId, options);
  }

  async siteInsights(siteId: string, days: number, now: number) {
    return await siteInsights(this.db, siteId, days, now);
  }

  // ---- events ----

  async eventsAfter(siteId: string, after: number, limit: number): Promise<StoredEvent[]> {
    return await this.db.all<StoredEvent>(
      'SELECT seq, type, payload, audience FROM events WHERE site_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?',
      siteId,
      after,
      limit,
    );
  }

  async eventBounds(siteId: string) {
    const site = await this.db.one<{ event_seq: number }>(
      'SELECT event_seq FROM sites WHERE id = ?',
      siteId,
    );
    const row = await this.db.one<{ oldest: number | null }>(
      'SELECT MIN(seq) AS oldest FROM events WHERE site_id = ?',
      siteId,
    );
    const last = await this.db.one<{ created_at: string }>(
      'SELECT created_at FROM events WHERE site_id = ? ORDER BY seq DESC LIMIT 1',
      siteId,
    );
    return {
      current: site?.event_seq ?? 0,
      oldest: row?.oldest ?? null,
      lastAt: last?.created_at ?? null,
    };
  }
}

/**
 * Opens the store the configuration names, creating and migrating its schema when needed
 * (migrations run once, under a lock, however many instances start together).
 */
export async function openStore(options: StoreOptions): Promise<SqlStore> {
  let driver: SqlDriver;
  if (isPostgresUrl(options.databaseUrl)) {
    driver = new PgDriver({ connectionString: options.databaseUrl, max: options.poolSize });
  } else {
    if (!options.file) throw new Error('openStore: a SQLite file or a postgres:// URL is needed.');
    driver = new SqliteDriver({ file: options.file, synchronous: options.sqliteSync });
  }
  try {
    await migrate(driver);
  } catch (err) {
    await driver.close();
    throw err;
  }
  return new SqlStore(driver, options.eventRetention ?? 10_000);
}

/** Opens (creating and migrating when needed) a SQLite store. */
export function openSqliteStore(options: SqliteStoreOptions): Promise<SqlStore> {
  return openStore(options);
}
