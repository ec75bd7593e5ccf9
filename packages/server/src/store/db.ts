/**
 * The engine-neutral database handle of the store: statements through the SQL driver port
 * (sql/driver.ts), transactions, and the helpers every write transaction shares (the event append
 * it ends with, the rows it reads back). Inside `tx(fn)` the callback gets a handle bound to the
 * transaction; the store's modules name it `db` too, so the same code runs in and out of one.
 */
import { STAFF_EVENT_TYPES, type LifeboatEvent, type Post } from '@lifeboat/protocol';
import type { Dialect, Sql, SqlDriver, SqlTx } from './sql/driver.js';
import { POST_SELECT, publicView, toPost, type IncidentRow, type PostRow } from './sql-rows.js';

export const now = () => new Date().toISOString();

/** A sequence no event has: its JSON text marks where the real one goes (PostgreSQL append). */
const SEQ_MARK = -918_273_645;
const SEQ_TEXT = `"seq":${SEQ_MARK}`;
const isStaff = (type: string) => (STAFF_EVENT_TYPES as readonly string[]).includes(type);

/**
 * Public post events carry the public view of their post, whichever write built them (issue 16:
 * a merge once published the text of a post held for review).
 */
const publicEvent = (event: LifeboatEvent): LifeboatEvent =>
  event.type === 'post.created' || event.type === 'post.updated'
    ? { ...event, post: publicView(event.post) }
    : event;

/**
 * Older events are pruned in batches (one DELETE every `pruneEvery` appends, not one per write):
 * up to 1/16 of the retention, at most 64, so a site keeps between `retention` and
 * `retention + pruneEvery - 1` events.
 */
const pruneInterval = (retention: number) => Math.max(1, Math.min(64, Math.floor(retention / 16)));

export class StoreDb {
  constructor(
    readonly driver: SqlDriver,
    readonly retention: number,
    private readonly q: Sql = driver,
    private readonly txHandle: SqlTx | null = null,
  ) {}

  get dialect(): Dialect {
    return this.driver.dialect;
  }

  one<T>(sql: string, ...params: unknown[]): Promise<T | undefined> {
    return this.q.one<T>(sql, ...params);
  }

  all<T>(sql: string, ...params: unknown[]): Promise<T[]> {
    return this.q.all<T>(sql, ...params);
  }

  run(sql: string, ...params: unknown[]): Promise<number> {
    return this.q.run(sql, ...params);
  }

  /** A write transaction (BEGIN IMMEDIATE on SQLite; see sql/pg-driver.ts for PostgreSQL). */
  tx<T>(fn: (db: StoreDb) => Promise<T>): Promise<T> {
    if (this.txHandle) return fn(this);
    return this.driver.tx((t) => fn(new StoreDb(this.driver, this.retention, t, t)));
  }

  /**
   * Inside a transaction: waits for every other transaction holding one of `keys` to end
   * (PostgreSQL advisory locks; SQLite's one writer needs none). Take them first, before any
   * check-then-write: `member:<id>` (idempotency keys, slow mode), `post:<id>` (confirmations,
   * flags, edits), `site:<id>` (staff actions, which read and change several posts).
   */
  async lock(...keys: string[]): Promise<void> {
    // Always in the same order, so two transactions never wait on each other's second key.
    const sorted = [...keys].sort();
    const take = (handle: SqlTx) => handle.lock(...sorted);
    if (this.txHandle) return take(this.txHandle);
    // A handle made outside the transaction: the driver joins the transaction this call runs in.
    return this.driver.tx(take);
  }

  /**
   * Allocates the next sequence and writes the event row; call inside a transaction. The site
   * row stays locked until commit (PostgreSQL), so a site's events commit in sequence order.
   * Staff events (`moderation.*`) are stored with audience `staff`: only the moderation stream
   * sends them.
   */
  async appendEvent(
    siteId: string,
    incidentId: string | null,
    at: string,
    build: (seq: number) => LifeboatEvent,
  ): Promise<number> {
    let seq: number;
    if (this.dialect === 'postgres') {
      // One round trip while the site row is locked (the lock is held to commit, so this is
      // the part of every write that runs one at a time per site): the sequence is taken and
      // the row written in one statement, the payload spliced around the new number.
      const probe = publicEvent(build(SEQ_MARK));
      const json = JSON.stringify(probe);
      const at_ = json.indexOf(SEQ_TEXT);
      if (at_ < 0) throw new Error(`event ${probe.type} has no top-level seq`);
      const row = await this.one<{ seq: number }>(
        `WITH s AS (UPDATE sites SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq)
         INSERT INTO events (site_id, seq, type, incident_id, payload, created_at, audience)
         SELECT ?, s.event_seq, ?, ?, ? || s.event_seq || ?, ?, ? FROM s
         RETURNING seq`,
        siteId,
        siteId,
        probe.type,
        incidentId,
        json.slice(0, at_ + 6),
        json.slice(at_ + SEQ_TEXT.length),
        at,
        isStaff(probe.type) ? 'staff' : 'public',
      );
      if (!row) throw new Error(`no site ${siteId}`);
      seq = Number(row.seq);
    } else {
      // SQLite has no UPDATE in a WITH clause; two statements cost no round trip here.
      seq = (await this.one<{ event_seq: number }>(
        'UPDATE sites SET event_seq = event_seq + 1 WHERE id = ? RETURNING event_seq',
        siteId,
      ))!.event_seq;
      const event = publicEvent(build(seq));
      await this.run(
        'INSERT INTO events (site_id, seq, type, incident_id, payload, created_at, audience) VALUES (?, ?, ?, ?, ?, ?, ?)',
        siteId,
        seq,
        event.type,
        incidentId,
        JSON.stringify(event),
        at,
        isStaff(event.type) ? 'staff' : 'public',
      );
    }
    if (seq > this.retention && seq % pruneInterval(this.retention) === 0)
      await this.run(
        'DELETE FROM events WHERE site_id = ? AND seq <= ?',
        siteId,
        seq - this.retention,
      );
    return seq;
  }

  /** Reads a post as it now stands and writes its `post.updated` event; call inside a transaction. */
  async postUpdated(
    siteId: string,
    postId: string,
    at: string,
  ): Promise<{ post: Post; seq: number }> {
    const post = toPost((await this.postRow(postId))!);
    const seq = await this.appendEvent(siteId, post.incidentId, at, (s) => ({
      type: 'post.updated',
      seq: s,
      post,
    }));
    return { post, seq };
  }

  incidentRow(siteId: string, incidentId: string): Promise<IncidentRow | undefined> {
    return this.one<IncidentRow>(
      'SELECT * FROM incidents WHERE site_id = ? AND id = ?',
      siteId,
      incidentId,
    );
  }

  postRow(postId: string): Promise<PostRow | undefined> {
    return this.one<PostRow>(`${POST_SELECT} WHERE p.id = ?`, postId);
  }

  close(): Promise<void> {
    return this.driver.close();
  }
}
