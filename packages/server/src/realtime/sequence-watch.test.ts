import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqlStore } from '../store/sql-store.js';
import { tempDir } from '../testing/harness.js';
import { MemoryHub, type HubNotice } from './hub.js';
import { SequenceWatch } from './sequence-watch.js';

const stores: SqlStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

describe('sequence watch (SQLite)', () => {
  it('tells the hub about sites whose event sequence grew (the CLI writes on the same file)', async () => {
    const file = path.join(tempDir(), 'lifeboat.db');
    const server = await openSqliteStore({ file });
    stores.push(server);
    const hub = new MemoryHub();
    const site = await server.createSite({ slug: 'a', name: 'A', origins: [] });
    const quiet = await server.createSite({ slug: 'quiet', name: 'Quiet', origins: [] });
    const notices: HubNotice[] = [];
    const quietNotices: HubNotice[] = [];
    hub.subscribe(site.id, (n) => notices.push(n));
    hub.subscribe(quiet.id, (n) => quietNotices.push(n));
    const watch = new SequenceWatch({ store: server, hub, intervalMs: 60_000 });
    await watch.start();
    expect(notices).toEqual([]);

    // the CLI: its own connection to the same database file
    const cli = await openSqliteStore({ file });
    stores.push(cli);
    const { seq } = await cli.createIncident(site.id, {
      id: '01JB0000000000000000000000',
      title: 'Written by the CLI',
      phase: 'investigating',
      impact: 'minor',
      components: [],
      startedAt: new Date().toISOString(),
      resolvedAt: null,
      threadState: 'open',
      updates: [],
    });
    expect(await watch.watch()).toEqual([site.id]);
    expect(notices).toEqual([{ site: site.id, seq }]);
    // nothing new: no notice
    expect(await watch.watch()).toEqual([]);
    expect(notices).toHaveLength(1);
    expect(quietNotices).toEqual([]);
    watch.stop();
  });
});
