import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AffectedHistory } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s.close();
});

const history = (incident: string, query = '') =>
  s.api(`/v1/sites/acme/incidents/${enc(incident)}/affected/history${query}`);

describe('GET /v1/sites/:site/incidents/:incident/affected/history', () => {
  it('counts reports per 15-minute bucket over the last 6 hours, oldest first', async () => {
    const site = (await s.app.lifeboat.store.getSiteBySlug('acme'))!;
    const store = s.app.lifeboat.store;
    const members = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        store.createMember({
          siteId: site.id,
          kind: 'guest',
          displayName: `M${i}`,
          role: 'member',
        }),
      ),
    );
    const ago = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    await store.setAffected(site.id, s.incident, members[0]!.id, true, ago(2));
    await store.setAffected(site.id, s.incident, members[1]!.id, true, ago(3));
    await store.setAffected(site.id, s.incident, members[2]!.id, true, ago(125));
    // Older than the window: not counted.
    await store.setAffected(site.id, s.incident, members[3]!.id, true, ago(7 * 60));

    const res = await history(s.incident);
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).toBeTruthy();
    const body = (await res.json()) as AffectedHistory;
    expect(body.incidentId).toBe(s.incident);
    expect(body.bucketMinutes).toBe(15);
    expect(body.buckets).toHaveLength(24);
    const starts = body.buckets.map((b) => Date.parse(b.start));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(starts[1]! - starts[0]!).toBe(15 * 60_000);
    expect(body.buckets.reduce((n, b) => n + b.count, 0)).toBe(3);
    // The two recent reports sit in the last one or two buckets, the 2-hour-old one earlier.
    expect(body.buckets.slice(-2).reduce((n, b) => n + b.count, 0)).toBe(2);

    const again = await history(s.incident);
    const cached = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/affected/history`, {
      headers: { 'if-none-match': again.headers.get('etag')! },
    });
    expect(cached.status).toBe(304);
  });

  it('drops a report that is taken back', async () => {
    const session = await s.session('Taker');
    const put = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/affected`, {
      method: 'PUT',
      token: session.token,
    });
    expect(put.status).toBe(200);
    const total = async () =>
      ((await (await history(s.incident)).json()) as AffectedHistory).buckets.reduce(
        (n, b) => n + b.count,
        0,
      );
    const before = await total();
    await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/affected`, {
      method: 'DELETE',
      token: session.token,
    });
    expect(await total()).toBe(before - 1);
  });

  it('takes hours between 1 and 48', async () => {
    const res = await history(s.incident, '?hours=1');
    expect(((await res.json()) as AffectedHistory).buckets).toHaveLength(4);
    expect((await history(s.incident, '?hours=0')).status).toBe(400);
    expect((await history(s.incident, '?hours=49')).status).toBe(400);
    expect((await history(s.incident, '?hours=abc')).status).toBe(400);
  });

  it('answers 404 for an unknown incident or one of another site', async () => {
    expect((await history('nope')).status).toBe(404);
    const other = await s.api(`/v1/sites/other/incidents/${enc(s.incident)}/affected/history`);
    expect(other.status).toBe(404);
  });
});
