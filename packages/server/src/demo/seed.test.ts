/**
 * The demo seed when several instances start together on one database (PostgreSQL with
 * LIFEBOAT_TEST_ENGINE=postgres; on SQLite, concurrent calls in one process): one seeds, the
 * other finds the site; one moderator; a seed that fails halfway leaves nothing behind.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type SqlStore } from '../store/sql-store.js';
import { createTestDatabase, TEST_ENGINE, tempDir } from '../testing/harness.js';
import { DEMO_SITE, demoStaffToken, seedDemo } from './seed.js';

const KEYS = [{ kid: 'k1', secret: Buffer.from('seed-test-secret-0123456789abcdef') }];

const opened: SqlStore[] = [];
const cleanups: Array<() => void> = [];

/**
 * Two instances' stores on one fresh database: two pools on PostgreSQL; on SQLite one store
 * (one process per file; two connections of one process would block each other's event loop
 * in better-sqlite3's synchronous busy wait).
 */
async function twoStores(): Promise<[SqlStore, SqlStore]> {
  if (TEST_ENGINE === 'sqlite') {
    const store = await openStore({ file: path.join(tempDir(), 'lifeboat.db') });
    opened.push(store);
    return [store, store];
  }
  const db = createTestDatabase();
  cleanups.push(db.drop);
  const a = await openStore({ databaseUrl: db.url });
  const b = await openStore({ databaseUrl: db.url });
  opened.push(a, b);
  return [a, b];
}

afterEach(async () => {
  for (const store of opened.splice(0)) await store.close();
  for (const drop of cleanups.splice(0)) drop();
});

describe(`seedDemo on two instances at once (${TEST_ENGINE})`, () => {
  it('seeds once: one site, its three incidents, its thread; the other start finds it', async () => {
    const [a, b] = await twoStores();
    const seeded = await Promise.all([seedDemo(a, { port: 1111 }), seedDemo(b, { port: 2222 })]);
    expect(seeded.filter(Boolean)).toHaveLength(1);

    const site = (await a.getSiteBySlug(DEMO_SITE))!;
    const sites = await a.driver.all<{ n: number }>(
      'SELECT COUNT(*) AS n FROM sites WHERE slug = ?',
      DEMO_SITE,
    );
    expect(sites[0]!.n).toBe(1);
    const incidents = await b.listIncidents(site.id, 'all');
    expect(incidents).toHaveLength(3);
    const open = incidents.find((i) => i.phase !== 'resolved')!;
    expect(open.postCount).toBe(5);
    // 37 around the active incident; 35 and 66 in the two past incidents' threads.
    expect(await b.listMembers(site.id, 'guest')).toHaveLength(37 + 35 + 66);

    // A later start does nothing.
    expect(await seedDemo(b)).toBe(false);
    expect(await a.listIncidents(site.id, 'all')).toHaveLength(3);
  });

  it('makes one demo moderator when both instances print a staff token', async () => {
    const [a, b] = await twoStores();
    await seedDemo(a);
    const tokens = await Promise.all([a, b, a, b].map((store) => demoStaffToken(store, KEYS)));
    expect(tokens.every((t) => typeof t === 'string')).toBe(true);
    const site = (await a.getSiteBySlug(DEMO_SITE))!;
    expect(await a.listMembers(site.id, 'staff')).toHaveLength(1);
  });

  it('a seed that fails halfway leaves no half-seeded site for the next start to skip', async () => {
    const [a, b] = await twoStores();
    const failing = new Proxy(a, {
      get(target, key, receiver) {
        if (key === 'setAffected') return () => Promise.reject(new Error('crash halfway'));
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    await expect(seedDemo(failing)).rejects.toThrow('crash halfway');
    expect(await b.getSiteBySlug(DEMO_SITE)).toBeNull();
    expect(await seedDemo(b)).toBe(true);
    const site = (await a.getSiteBySlug(DEMO_SITE))!;
    expect(await a.listIncidents(site.id, 'all')).toHaveLength(3);
  });
});
