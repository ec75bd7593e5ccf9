/**
 * State that must hold across server instances (ADR 0017): counters in fixed windows (rate
 * limits, the guest-session load), one-time claims (used proof-of-work solutions) and leases (the
 * status poller). One process over SQLite keeps it in memory (`MemorySharedState`); instances
 * sharing PostgreSQL keep it in the database (`SqlSharedState`, tables of migration 7), so a
 * client over its limit on instance A is over it on B and a solution used on A is refused on B.
 */
import type { SqlDriver } from '../store/sql/driver.js';

export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** When the current window ends (epoch ms). */
  resetAt: number;
}

export interface SharedState {
  /**
   * Counts one hit of `key` in the current fixed window of `windowMs` (windows are aligned to
   * the epoch, so every instance agrees on them).
   */
  hit(key: string, windowMs: number): Promise<WindowCount>;
  /** Hits of `key` in the current window and in the one before it (no hit counted). */
  peek(
    key: string,
    windowMs: number,
  ): Promise<{ current: number; previous: number; start: number }>;
  /** True the first time anyone claims `key` until `expiresAt` (epoch ms); false after. */
  claimOnce(key: string, expiresAt: number): Promise<boolean>;
  /** Takes or renews the lease `name` for `holder`; true when `holder` holds it now. */
  lease(name: string, holder: string, ttlMs: number): Promise<boolean>;
  /** Gives the lease up (another instance may take it at once). */
  release(name: string, holder: string): Promise<void>;
  /** Drops expired counters and claims. */
  sweep(): Promise<void>;
}

const windowStart = (t: number, windowMs: number) => Math.floor(t / windowMs) * windowMs;

/** Keys one process keeps per kind (counters, claims) before it makes room. */
const MAX_KEYS = 100_000;

/** One process: maps with expiry. */
export class MemorySharedState implements SharedState {
  private readonly counters = new Map<string, { count: number; expiresAt: number }>();
  private readonly claims = new Map<string, number>();
  private readonly leases = new Map<string, { holder: string; expiresAt: number }>();
  private lastSweep = 0;

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const t = this.now();
    const start = windowStart(t, windowMs);
    const k = `${key}@${start}`;
    let c = this.counters.get(k);
    if (!c) {
      if (this.counters.size > MAX_KEYS) this.makeRoom(this.counters, t);
      c = { count: 0, expiresAt: start + 2 * windowMs };
      this.counters.set(k, c);
    }
    c.count++;
    return { count: c.count, resetAt: start + windowMs };
  }

  async peek(key: string, windowMs: number) {
    const start = windowStart(this.now(), windowMs);
    return {
      current: this.counters.get(`${key}@${start}`)?.count ?? 0,
      previous: this.counters.get(`${key}@${start - windowMs}`)?.count ?? 0,
      start,
    };
  }

  async claimOnce(key: string, expiresAt: number): Promise<boolean> {
    const t = this.now();
    const until = this.claims.get(key);
    if (until !== undefined && until > t) return false;
    if (this.claims.size > MAX_KEYS) this.makeRoom(this.claims, t);
    this.claims.set(key, expiresAt);
    return true;
  }

  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const t = this.now();
    const current = this.leases.get(name);
    if (current && current.holder !== holder && current.expiresAt > t) return false;
    this.leases.set(name, { holder, expiresAt: t + ttlMs });
    return true;
  }

  async release(name: string, holder: string): Promise<void> {
    if (this.leases.get(name)?.holder === holder) this.leases.delete(name);
  }

  async sweep(): Promise<void> {
    this.sweepNow(this.now());
  }

  /**
   * Past `MAX_KEYS` live keys: drop the expired ones (at most once a second, so a flood of new
   * keys never makes every request scan the map), then, still full, the oldest entries.
   */
  private makeRoom(map: Map<string, unknown>, t: number): void {
    if (t - this.lastSweep >= 1000) {
      this.lastSweep = t;
      this.sweepNow(t);
    }
    for (const key of map.keys()) {
      if (map.size <= MAX_KEYS) break;
      map.delete(key);
    }
  }

  private sweepNow(t: number): void {
    for (const [k, c] of this.counters) if (c.expiresAt <= t) this.counters.delete(k);
    for (const [k, until] of this.claims) if (until <= t) this.claims.delete(k);
  }
}

/**
 * In the database (PostgreSQL, or SQLite for a test): each operation is one statement, atomic
 * on its own (INSERT … ON CONFLICT … RETURNING), so concurrent instances never lose a hit or
 * both win a claim.
 */
export class SqlSharedState implements SharedState {
  constructor(
    private readonly sql: SqlDriver,
    private readonly now: () => number = Date.now,
  ) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const start = windowStart(this.now(), windowMs);
    const row = await this.sql.one<{ count: number }>(
      `INSERT INTO shared_counters (key, count, expires_at) VALUES (?, 1, ?)
       ON CONFLICT (key) DO UPDATE SET count = shared_counters.count + 1
       RETURNING count`,
      `${key}@${start}`,
      start + 2 * windowMs,
    );
    return { count: Number(row!.count), resetAt: start + windowMs };
  }

  async peek(key: string, windowMs: number) {
    const start = windowStart(this.now(), windowMs);
    const rows = await this.sql.all<{ key: string; count: number }>(
      'SELECT key, count FROM shared_counters WHERE key IN (?, ?)',
      `${key}@${start}`,
      `${key}@${start - windowMs}`,
    );
    const of = (k: string) => Number(rows.find((r) => r.key === k)?.count ?? 0);
    return { current: of(`${key}@${start}`), previous: of(`${key}@${start - windowMs}`), start };
  }

  async claimOnce(key: string, expiresAt: number): Promise<boolean> {
    // Inserted, or taken over from an expired claim: a row comes back. A live claim: none.
    const row = await this.sql.one<{ key: string }>(
      `INSERT INTO shared_claims (key, expires_at) VALUES (?, ?)
       ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at
         WHERE shared_claims.expires_at <= ?
       RETURNING key`,
      key,
      expiresAt,
      this.now(),
    );
    return row !== undefined;
  }

  async lease(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const t = this.now();
    const row = await this.sql.one<{ holder: string }>(
      `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
         WHERE leases.holder = excluded.holder OR leases.expires_at <= ?
       RETURNING holder`,
      name,
      holder,
      t + ttlMs,
      t,
    );
    return row?.holder === holder;
  }

  async release(name: string, holder: string): Promise<void> {
    await this.sql.run('DELETE FROM leases WHERE name = ? AND holder = ?', name, holder);
  }

  async sweep(): Promise<void> {
    const t = this.now();
    await this.sql.run('DELETE FROM shared_counters WHERE expires_at <= ?', t);
    await this.sql.run('DELETE FROM shared_claims WHERE expires_at <= ?', t);
  }
}
