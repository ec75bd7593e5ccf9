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
