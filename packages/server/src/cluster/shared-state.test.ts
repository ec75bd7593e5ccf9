/**
 * The shared state's contract, on each implementation: in memory (one SQLite process) and in the
 * database (instances sharing PostgreSQL; here over the engine the suite runs on).
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type SqlStore } from '../store/sql-store.js';
import { createTestDatabase, TEST_ENGINE, tempDir } from '../testing/harness.js';
import { MemorySharedState, SqlSharedState, type SharedState } from './shared-state.js';

let now = 1_000_000_000_000;
const clock = () => now;
const stores: SqlStore[] = [];
const drops: Array<() => void> = [];
afterAll(async () => {
  for (const s of stores) await s.close();
  for (const d of drops) d();
});

async function sqlState(): Promise<SharedState> {
  let databaseUrl: string | null = null;
  if (TEST_ENGINE === 'postgres') {
    const db = createTestDatabase();
    drops.push(db.drop);
    databaseUrl = db.url;
  }
  const store = await openStore({ databaseUrl, file: path.join(tempDir(), 'lifeboat.db') });
  stores.push(store);
  return new SqlSharedState(store.driver, clock);
}

describe.each([
  ['memory', async (): Promise<SharedState> => new MemorySharedState(clock)],
  ['database', sqlState],
])('shared state in %s', (_name, make) => {
  it('counts hits in epoch-aligned windows and reads this one and the last', async () => {
    const state = await make();
    now = 1_000_000_040_000; // 20 s into a minute (windows start at multiples of 60 s)
    expect(await state.hit('k', 60_000)).toEqual({ count: 1, resetAt: 1_000_000_080_000 });
    expect((await state.hit('k', 60_000)).count).toBe(2);
    expect((await state.hit('other', 60_000)).count).toBe(1);
    now += 60_000;
    expect((await state.hit('k', 60_000)).count).toBe(1);
    expect(await state.peek('k', 60_000)).toEqual({
      current: 1,
      previous: 2,
      start: 1_000_000_080_000,
    });
  });

  it('grants a claim once until it expires', async () => {
    const state = await make();
    expect(await state.claimOnce('pow:a', now + 1000)).toBe(true);
    expect(await state.claimOnce('pow:a', now + 1000)).toBe(false);
    expect(await state.claimOnce('pow:b', now + 1000)).toBe(true);
    now += 1000;
    expect(await state.claimOnce('pow:a', now + 1000)).toBe(true);
  });

  it('leases to one holder at a time; renewal, expiry and release hand it over', async () => {
    const state = await make();
    expect(await state.lease('poller', 'a', 3000)).toBe(true);
    expect(await state.lease('poller', 'b', 3000)).toBe(false);
    now += 2000;
    expect(await state.lease('poller', 'a', 3000)).toBe(true); // renewed
    now += 2000;
    expect(await state.lease('poller', 'b', 3000)).toBe(false); // still a's
    now += 1500;
    expect(await state.lease('poller', 'b', 3000)).toBe(true); // a's expired
    await state.release('poller', 'b');
    expect(await state.lease('poller', 'a', 3000)).toBe(true);
  });

  it('sweeps what expired', async () => {
    const state = await make();
    await state.hit('old', 1000);
    await state.claimOnce('old-claim', now + 10);
    now += 5000;
    await state.sweep();
    expect(await state.peek('old', 1000)).toMatchObject({ current: 0, previous: 0 });
    expect(await state.claimOnce('old-claim', now + 10)).toBe(true);
  });
});

describe('shared state in memory under a flood of new keys', () => {
  it('stays bounded (rotating client addresses cannot grow it without end)', async () => {
    const state = new MemorySharedState(clock);
    for (let i = 0; i < 150_000; i++) await state.hit(`rl:writes:ip:${i}`, 60_000);
    const size = (state as unknown as { counters: Map<string, unknown> }).counters.size;
    expect(size).toBeLessThanOrEqual(100_001);
  });
});
