/** GET /readyz: ready while the database answers; 503 problem+json when it does not. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/harness.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close().catch(() => undefined); // its store was closed under it
});

describe('GET /readyz', () => {
  it('is ready while the database answers, 503 once it does not, /healthz alive throughout', async () => {
    const ready = await s.api('/readyz');
    expect(ready.status).toBe(200);
    expect(ready.headers.get('cache-control')).toBe('no-store');
    expect(await ready.json()).toEqual({ ok: true });

    // The database goes away under the running server (SQLite file closed, PostgreSQL pool ended).
    await s.app.lifeboat.store.close();
    const down = await s.api('/readyz');
    expect(down.status).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await down.json()).toMatchObject({ status: 503, code: 'internal' });
    expect((await s.api('/healthz')).status).toBe(200);
  });
});

describe('the database down under cached reads', () => {
  it('a URL the router refuses (no such route, slug over its length) answers, no unhandled rejection', async () => {
    const server = await startTestServer();
    const rejections: unknown[] = [];
    const onRejection = (reason: unknown) => rejections.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      await server.app.lifeboat.store.close();
      // Neither reaches the site scope's hook, so nothing there waits for the site lookup: the
      // cached-read fast path, asked first, must not start one (it would reject unheard).
      const noRoute = await server.api('/v1/sites/not-held/no-such-route');
      expect(noRoute.status).toBe(404);
      const longSlug = await server.api(`/v1/sites/${'x'.repeat(400)}/status`);
      expect(longSlug.status).toBe(414);
      await new Promise((r) => setTimeout(r, 100));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      await server.close().catch(() => undefined);
    }
  });
});
