/**
 * Snapshot caches of two instances on one PostgreSQL database (the PostgreSQL run of the unit
 * suites): a write on one instance reaches the other's cache through the hub (NOTIFY), so the
 * other's next reads show it without waiting for any age to run out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, ThreadPage } from '@lifeboat/protocol';
import {
  createTestDatabase,
  enc,
  startTestServer,
  TEST_ENGINE,
  tempDir,
  type TestServer,
} from '../testing/harness.js';

const SECRET = 'snapshots-secret-0123456789abcdef';

describe.runIf(TEST_ENGINE === 'postgres')('snapshot caches of two instances', () => {
  let db: { url: string; drop: () => void };
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    db = createTestDatabase();
    a = await startTestServer({ databaseUrl: db.url, secret: SECRET }, tempDir());
    b = await startTestServer({ databaseUrl: db.url, secret: SECRET }, tempDir());
    Object.assign(b, { incident: a.incident, lockedIncident: a.lockedIncident });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    db?.drop();
  });

  /** Reads `path` on `s` until `ok` holds (NOTIFY takes a moment), at most 3 s. */
  async function until<T>(s: TestServer, path: string, ok: (body: T) => boolean): Promise<T> {
    const deadline = Date.now() + 3000;
    for (;;) {
      const body = (await (await s.api(path)).json()) as T;
      if (ok(body)) return body;
      if (Date.now() > deadline) throw new Error(`${path} never showed the change`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it("a post on A shows in B's cached thread; B builds it once more, not per read", async () => {
    const path = `/v1/sites/acme/incidents/${enc(a.incident)}/thread?limit=200`;
    await b.api(path);
    const before = (await (await b.api(path)).json()) as ThreadPage;
    const builds = b.app.snapshots.stats.builds;
    const { token } = await a.session('On A');
    const res = await a.api(`/v1/sites/acme/incidents/${enc(a.incident)}/posts`, {
      method: 'POST',
      token,
      json: { kind: 'answer', body: 'Posted on instance A' },
      headers: { 'idempotency-key': 'snapshot-instances-1' },
    });
    expect(res.status).toBe(201);
    const after = await until<ThreadPage>(b, path, (page) =>
      page.posts.some((p) => p.body === 'Posted on instance A'),
    );
    expect(after.lastEventId).toBeGreaterThan(before.lastEventId);
    for (let i = 0; i < 5; i++) await b.api(path);
    expect(b.app.snapshots.stats.builds - builds).toBeLessThanOrEqual(2);
  });

  it("an incident opened by staff on A shows in B's cached incident list", async () => {
    await b.api('/v1/sites/acme/incidents');
    const { store } = a.app.lifeboat;
    const site = (await store.getSiteBySlug('acme'))!;
    const now = new Date().toISOString();
    const opened = await store.createIncident(site.id, {
      id: 'manual:instances',
      title: 'Opened on A',
      phase: 'investigating',
      impact: 'minor',
      components: [],
      startedAt: now,
      resolvedAt: null,
      threadState: 'open',
      updates: [],
    });
    expect(opened.seq).toBeGreaterThan(0);
    const list = await until<{ incidents: Incident[] }>(b, '/v1/sites/acme/incidents', (body) =>
      body.incidents.some((i) => i.id === 'manual:instances'),
    );
    expect(list.incidents.find((i) => i.id === 'manual:instances')!.title).toBe('Opened on A');
  });
});
