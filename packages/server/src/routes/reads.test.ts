import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, Post, SiteStatus, ThreadPage } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

let s: TestServer;
let token: string;

async function post(body: string, key: string): Promise<Post> {
  const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    json: { kind: 'answer', body },
    headers: { 'idempotency-key': key },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Post;
}

beforeAll(async () => {
  s = await startTestServer();
  token = (await s.session('Reader')).token;
});
afterAll(async () => {
  await s.close();
});

describe('GET /v1/sites/:site/status', () => {
  it('returns the worst severity of components and open incidents, cacheable with ETag', async () => {
    const res = await s.api('/v1/sites/acme/status');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=2, s-maxage=5, stale-while-revalidate=10, stale-if-error=300',
    );
    const status = (await res.json()) as SiteStatus;
    expect(status.site).toEqual({ slug: 'acme', name: 'Acme' });
    expect(status.severity).toBe('major');
    expect(status.description).toBe('Partial outage');
    expect(status.components.map((c) => c.id)).toEqual(['api', 'webhooks']);
    expect(status.incidents.map((i) => i.id)).toEqual([s.incident]);
    expect(status.lastEventId).toBeGreaterThan(0);

    const etag = res.headers.get('etag')!;
    expect(etag).toBeTruthy();
    const again = await s.api('/v1/sites/acme/status', { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
  });

  it('answers 404 problem for an unknown site', async () => {
    const res = await s.api('/v1/sites/nope/status');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, code: 'not_found' });
  });
});

describe('incidents', () => {
  it('lists open incidents by default and all with state=all', async () => {
    const open = (await (await s.api('/v1/sites/acme/incidents')).json()) as {
      incidents: Incident[];
    };
    expect(open.incidents.map((i) => i.id)).toEqual([s.incident]);
    const all = (await (await s.api('/v1/sites/acme/incidents?state=all')).json()) as {
      incidents: Incident[];
    };
    expect(all.incidents.map((i) => i.id).sort()).toEqual([s.incident, s.lockedIncident].sort());
    const bad = await s.api('/v1/sites/acme/incidents?state=closed');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('state');
  });

  it('gets one incident whose id contains colons, with counts and updates', async () => {
    const res = await s.api(`/v1/sites/acme/incidents/${s.incident}`);
    expect(res.status).toBe(200);
    const incident = (await res.json()) as Incident;
    expect(incident).toMatchObject({
      id: 'statuspage:abc:inc1',
      site: 'acme',
      phase: 'investigating',
      impact: 'major',
      threadState: 'open',
    });
    expect(incident.updates).toHaveLength(1);
    expect(typeof incident.affectedCount).toBe('number');
    const encoded = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`);
    expect(encoded.status).toBe(200);
    expect((await s.api('/v1/sites/acme/incidents/missing')).status).toBe(404);
  });

  it('picks the top workaround: verified first, else best confirmed', async () => {
    const mk = async (title: string, key: string) => {
      const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
        method: 'POST',
        token,
        headers: { 'idempotency-key': key },
        json: {
          kind: 'workaround',
          body: 'Try this',
          workaround: { title, steps: ['one', 'two'], risk: 'safe' },
        },
      });
      expect(res.status).toBe(201);
      return (await res.json()) as Post;
    };
    const a = await mk('Workaround A', 'wa');
    const b = await mk('Workaround B', 'wb');
    // Three people (browsers) confirm B: the default bar for the banner (bannerConfirmations).
    for (const name of ['Other 1', 'Other 2', 'Other 3']) {
      const other = (await s.session(name, 'acme', `${name} browser`)).token;
      await s.api(`/v1/sites/acme/posts/${b.id}/reaction`, {
        method: 'PUT',
        token: other,
        json: { kind: 'worked' },
      });
    }
    const incident = (await (
      await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}`)
    ).json()) as Incident;
    expect(incident.topWorkaround?.id).toBe(b.id);
    expect(incident.topWorkaround?.workaround?.title).toBe('Workaround B');
    expect(incident.postCount).toBeGreaterThanOrEqual(2);
    expect(a.workaround?.steps).toEqual(['one', 'two']);
  });
});

describe('GET …/thread', () => {
  it('pages published posts oldest first with an opaque cursor and a strong ETag', async () => {
    const created: Post[] = [];
    for (let i = 0; i < 5; i++) created.push(await post(`Answer number ${i}`, `page-${i}`));
    const all: Post[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null) {
      const res = await s.api(
        `/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe(
        'public, max-age=2, s-maxage=5, stale-while-revalidate=10, stale-if-error=300',
      );
      expect(res.headers.get('etag')).toMatch(/^"[\w-]+"$/);
      const page = (await res.json()) as ThreadPage;
      expect(page.posts.length).toBeLessThanOrEqual(2);
      all.push(...page.posts);
      cursor = page.nextCursor;
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(3);
    const ids = all.map((p) => p.id);
    expect([...ids].sort()).toEqual(ids);
    for (const p of created) expect(ids).toContain(p.id);
  });

  it('answers 304 while nothing changed and a new ETag after a write', async () => {
    const path = `/v1/sites/acme/incidents/${enc(s.incident)}/thread`;
    const first = await s.api(path);
    const etag = first.headers.get('etag')!;
    expect((await s.api(path, { headers: { 'if-none-match': etag } })).status).toBe(304);
    await post('Something new', 'etag-change');
    const after = await s.api(path, { headers: { 'if-none-match': etag } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).not.toBe(etag);
  });

  it('rejects a bad cursor and limit with field errors', async () => {
    const bad = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?cursor=%%%`);
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('cursor');
    const limit = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/thread?limit=5000`);
    expect(limit.status).toBe(400);
    expect((await limit.json()).errors[0].field).toBe('limit');
    expect((await s.api('/v1/sites/acme/incidents/missing/thread')).status).toBe(404);
  });
});

describe('GET …/me', () => {
  it('needs a session and is private', async () => {
    expect((await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/me`)).status).toBe(401);
    const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/me`, { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(await res.json()).toEqual({ affected: false, reactions: {} });
  });
});

describe('meta', () => {
  it('GET /healthz', async () => {
    expect(await (await s.api('/healthz')).json()).toEqual({ ok: true });
  });

  it('GET /v1/openapi.json describes every /v1 route with components', async () => {
    const res = await s.api('/v1/openapi.json', { headers: { origin: 'https://anywhere.test' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/v1/sites/{site}/status',
        '/v1/sites/{site}/incidents',
        '/v1/sites/{site}/incidents/{incident}',
        '/v1/sites/{site}/incidents/{incident}/thread',
        '/v1/sites/{site}/incidents/{incident}/me',
        '/v1/sites/{site}/sessions',
        '/v1/sites/{site}/sessions/me',
        '/v1/sites/{site}/incidents/{incident}/posts',
        '/v1/sites/{site}/posts/{post}/reaction',
        '/v1/sites/{site}/incidents/{incident}/affected',
        '/v1/sites/{site}/stream',
      ]),
    );
    expect(Object.keys(doc.paths['/v1/sites/{site}/posts/{post}/reaction']!).sort()).toEqual([
      'delete',
      'put',
    ]);
    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Post', 'Incident', 'Problem', 'StatusComponent']),
    );
    expect(JSON.stringify(doc)).toContain('#/components/schemas/Post');
  });

  it('unknown routes answer a 404 problem', async () => {
    const res = await s.api('/v1/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
  });
});
