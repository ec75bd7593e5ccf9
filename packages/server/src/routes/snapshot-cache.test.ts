/**
 * The snapshot cache over real HTTP: public reads come from memory while the site's sequence
 * holds, every kind of write shows on the next read, ETags are strong and answer 304, each route
 * carries its Cache-Control, and no member-specific data ever lands in a cached body.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ulid,
  type AffectedHistory,
  type Incident,
  type Post,
  type SimilarWorkarounds,
  type SiteStatus,
  type ThreadPage,
} from '@lifeboat/protocol';
import { fixture, startFakeUpstream, type FakeUpstream } from '../testing/fake-upstream.js';
import { enc, startTestServer, TEST_ORIGIN, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'snapshot-admin-key-0123456789-abcdef';
const SNAPSHOT = 'public, max-age=2, s-maxage=5, stale-while-revalidate=10, stale-if-error=300';
const OPERATIONAL =
  'statuspage-summary-githubstatus-all-operational-2019-12-rapid7-github-status-checker.json';
const ACTIVE =
  'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json';

let s: TestServer;
let staff: string;
let guest: { token: string; member: { id: string } };
let incidentPath: string;
let threadPath: string;

interface Read<T> {
  status: number;
  etag: string;
  cacheControl: string | null;
  text: string;
  body: T;
}

async function read<T>(
  path: string,
  init: Parameters<TestServer['api']>[1] = {},
): Promise<Read<T>> {
  const res = await s.api(path, init);
  const text = await res.text();
  return {
    status: res.status,
    etag: res.headers.get('etag') ?? '',
    cacheControl: res.headers.get('cache-control'),
    text,
    body: (text ? JSON.parse(text) : null) as T,
  };
}

/** Keys held only from their second build (a thread page after a cursor). */
const admitOnRepeat = (path: string) => path.includes('cursor=');

/** Reads `path` until it is held (twice for `admitOnRepeat` keys); the last read must come from memory. */
async function warm<T>(path: string): Promise<Read<T>> {
  const first = await read<T>(path);
  expect(first.status).toBe(200);
  if (admitOnRepeat(path)) expect((await read<T>(path)).text).toBe(first.text);
  const { builds, early } = s.app.snapshots.stats;
  let second = await read<T>(path);
  // Answered before the router (http/fast-reads.ts): the URL was answered once already. (Unless
  // the site's record just expired from the SiteDirectory, 2 s: the router answers that one.)
  if (s.app.snapshots.stats.early === early) second = await read<T>(path);
  expect(s.app.snapshots.stats.builds).toBe(builds);
  expect(s.app.snapshots.stats.early).toBe(early + 1);
  expect(second.text).toBe(first.text);
  expect(second.etag).toBe(first.etag);
  return second;
}

async function post(json: Record<string, unknown>, token = guest.token): Promise<Post> {
  const id = ulid();
  const res = await s.api(`${incidentPath}/posts`, {
    method: 'POST',
    token,
    json: { id, ...json },
    headers: { 'idempotency-key': id },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as Post;
}

const answer = (body: string, token?: string) => post({ kind: 'answer', body }, token);

async function write(
  method: string,
  path: string,
  json: unknown,
  token: string,
  status = 200,
): Promise<void> {
  const res = await s.api(path, { method, token, ...(json === undefined ? {} : { json }) });
  if (res.status !== status)
    throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
}

const threadIds = (page: ThreadPage) => page.posts.map((p) => p.id);

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  staff = await s.staffToken();
  guest = await s.session('Reader');
  incidentPath = `/v1/sites/acme/incidents/${enc(s.incident)}`;
  threadPath = `${incidentPath}/thread`;
});
afterAll(async () => {
  await s.close();
});

describe('reads from memory', () => {
  it('builds a snapshot once while the sequence holds, and once for many readers at a time', async () => {
    await answer('A first answer to warm the thread');
    const builds = s.app.snapshots.stats.builds;
    const pages = await Promise.all(Array.from({ length: 20 }, () => read<ThreadPage>(threadPath)));
    expect(s.app.snapshots.stats.builds).toBe(builds + 1);
    expect(new Set(pages.map((p) => p.etag)).size).toBe(1);
    await warm(threadPath);
    expect(s.app.snapshots.stats.builds).toBe(builds + 1);
  });

  it('gives each order, cursor, limit and query its own snapshot', async () => {
    await answer('A second answer, for a second page');
    const first = await warm<ThreadPage>(`${threadPath}?limit=1`);
    expect(first.body.nextCursor).not.toBeNull();
    const keys = [
      `${threadPath}?limit=2`,
      `${threadPath}?sort=helpful`,
      `${threadPath}?sort=newest`,
      `${threadPath}?sort=newest&limit=1`,
      `${threadPath}?limit=1&cursor=${first.body.nextCursor}`,
      `/v1/sites/acme/incidents?state=all`,
      `/v1/sites/acme/incidents`,
    ];
    for (const path of keys) {
      const builds = s.app.snapshots.stats.builds;
      await warm(path);
      expect(s.app.snapshots.stats.builds, path).toBe(builds + (admitOnRepeat(path) ? 2 : 1));
    }
    const next = await read<ThreadPage>(`${threadPath}?limit=1&cursor=${first.body.nextCursor}`);
    expect(threadIds(next.body)).not.toEqual(threadIds(first.body));
  });

  it('pages after a cursor are held from their second build: endless distinct ones push nothing out', async () => {
    await answer('One more answer, so the first page has a cursor');
    const first = await read<ThreadPage>(`${threadPath}?limit=1`);
    const cursor = first.body.nextCursor!;
    const status = await warm<SiteStatus>('/v1/sites/acme/status');
    const { size } = s.app.snapshots;
    // 30 distinct keys after one cursor (each limit its own page).
    for (let limit = 2; limit < 32; limit++)
      expect((await s.api(`${threadPath}?limit=${limit}&cursor=${cursor}`)).status).toBe(200);
    // Built once each, held none; what was held is still served from memory.
    expect(s.app.snapshots.size).toBe(size);
    const { builds } = s.app.snapshots.stats;
    expect((await read<SiteStatus>('/v1/sites/acme/status')).etag).toBe(status.etag);
    expect(s.app.snapshots.stats.builds).toBe(builds);
    // A page asked for again is held from then on.
    await read(`${threadPath}?limit=7&cursor=${cursor}`);
    expect(s.app.snapshots.size).toBe(size + 1);
  });

  it('tells the stream where the page was built: lastEventId is the sequence it is cached at', async () => {
    // Read both at one sequence (a background sweep of the server may add an event in between).
    let page = await warm<ThreadPage>(threadPath);
    let status = await warm<SiteStatus>('/v1/sites/acme/status');
    for (let i = 0; i < 3 && page.body.lastEventId !== status.body.lastEventId; i++) {
      page = await warm<ThreadPage>(threadPath);
      status = await warm<SiteStatus>('/v1/sites/acme/status');
    }
    expect(page.body.lastEventId).toBe(status.body.lastEventId);
    await answer('Moves the sequence on');
    const after = await read<ThreadPage>(threadPath);
    expect(after.body.lastEventId).toBeGreaterThan(page.body.lastEventId);
  });
});

describe('every write shows on the next read', () => {
  it('a new post: every order of the thread, the incident and the status', async () => {
    const paths = [
      `${threadPath}?limit=200`,
      `${threadPath}?sort=helpful&limit=200`,
      `${threadPath}?sort=newest&limit=200`,
    ];
    for (const path of paths) await warm(path);
    const incident = await warm<Incident>(incidentPath);
    const created = await answer('Restarting the webhook worker helped');
    for (const path of paths)
      expect(threadIds((await read<ThreadPage>(path)).body), path).toContain(created.id);
    expect((await read<Incident>(incidentPath)).body.postCount).toBe(incident.body.postCount + 1);
    const status = await read<SiteStatus>('/v1/sites/acme/status');
    expect(status.body.incidents.find((i) => i.id === s.incident)!.postCount).toBe(
      incident.body.postCount + 1,
    );
  });

  it('an edit and a delete by the author', async () => {
    const mine = await answer('Original text of my answer');
    await warm(`${threadPath}?limit=200`);
    await write(
      'PATCH',
      `/v1/sites/acme/posts/${mine.id}`,
      { body: 'Edited text of my answer' },
      guest.token,
    );
    let page = (await read<ThreadPage>(`${threadPath}?limit=200`)).body;
    expect(page.posts.find((p) => p.id === mine.id)!.body).toBe('Edited text of my answer');
    await warm(`${threadPath}?limit=200`);
    await write('DELETE', `/v1/sites/acme/posts/${mine.id}`, undefined, guest.token);
    page = (await read<ThreadPage>(`${threadPath}?limit=200`)).body;
    expect(page.posts.find((p) => p.id === mine.id)!.deletedAt).toBeTruthy();
  });

  it('a confirmation and "affected me too": counts, incident, history', async () => {
    const other = await s.session('Confirmer');
    const target = await answer('Switching to the backup endpoint works');
    await warm(`${threadPath}?limit=200`);
    const incident = await warm<Incident>(incidentPath);
    const history = await warm<AffectedHistory>(`${incidentPath}/affected/history`);
    await write(
      'PUT',
      `/v1/sites/acme/posts/${target.id}/reaction`,
      { kind: 'worked' },
      other.token,
    );
    const page = (await read<ThreadPage>(`${threadPath}?limit=200`)).body;
    expect(page.posts.find((p) => p.id === target.id)!.counts.worked).toBe(1);
    await warm(incidentPath);
    await write('PUT', `${incidentPath}/affected`, undefined, other.token);
    expect((await read<Incident>(incidentPath)).body.affectedCount).toBe(
      incident.body.affectedCount + 1,
    );
    const total = (h: AffectedHistory) => h.buckets.reduce((n, b) => n + b.count, 0);
    expect(total((await read<AffectedHistory>(`${incidentPath}/affected/history`)).body)).toBe(
      total(history.body) + 1,
    );
  });

  it('moderation: verify, pin, hide; lock and unlock the thread; a ban, its lifting and slow mode move the sequence', async () => {
    const target = await answer('A post the moderators act on');
    const find = async () =>
      (await read<ThreadPage>(`${threadPath}?limit=200`)).body.posts.find(
        (p) => p.id === target.id,
      );
    const moderate = async (action: string) => {
      await warm(`${threadPath}?limit=200`);
      await write('POST', `/v1/sites/acme/moderation/posts/${target.id}`, { action }, staff);
    };
    await moderate('verify');
    expect((await find())!.verified).toBe(true);
    await moderate('pin');
    expect((await find())!.pinned).toBe(true);
    await moderate('hide');
    expect(await find()).toBeUndefined();

    await warm(threadPath);
    await warm(incidentPath);
    await write(
      'POST',
      `/v1/sites/acme/moderation/incidents/${enc(s.incident)}`,
      { action: 'lock' },
      staff,
    );
    expect((await read<ThreadPage>(threadPath)).body.threadState).toBe('locked');
    expect((await read<Incident>(incidentPath)).body.threadState).toBe('locked');
    await write(
      'POST',
      `/v1/sites/acme/moderation/incidents/${enc(s.incident)}`,
      { action: 'unlock' },
      staff,
    );
    expect((await read<ThreadPage>(threadPath)).body.threadState).toBe('open');

    const banned = await s.session('Soon banned');
    for (const [method, path, json] of [
      ['POST', `/v1/sites/acme/moderation/members/${banned.member.id}`, { action: 'ban' }],
      // (a ban covers the guest fingerprint, which every guest of this test shares)
      ['POST', `/v1/sites/acme/moderation/members/${banned.member.id}`, { action: 'unban' }],
      ['PUT', '/v1/sites/acme/moderation/slow-mode', { seconds: 0 }],
    ] as const) {
      const before = await warm<ThreadPage>(threadPath);
      await write(method, path, json, staff);
      const after = await read<ThreadPage>(threadPath);
      expect(after.body.lastEventId).toBeGreaterThan(before.body.lastEventId);
      expect(after.etag).not.toBe(before.etag);
    }
  });

  it('flags that reach the threshold hide the post', async () => {
    const target = await answer('A post three members flag');
    expect(threadIds((await warm<ThreadPage>(`${threadPath}?limit=200`)).body)).toContain(
      target.id,
    );
    for (const name of ['Flagger 1', 'Flagger 2', 'Flagger 3']) {
      // Three people: flags count once per guest browser (its fingerprint).
      const flagger = await (
        await s.api('/v1/sites/acme/sessions', {
          method: 'POST',
          headers: { 'user-agent': `${name}'s browser` },
          json: { displayName: name },
        })
      ).json();
      await write(
        'POST',
        `/v1/sites/acme/posts/${target.id}/flags`,
        { reason: 'spam' },
        flagger.token,
      );
    }
    expect(threadIds((await read<ThreadPage>(`${threadPath}?limit=200`)).body)).not.toContain(
      target.id,
    );
  });

  it('a workaround: similar lookups see it, and no longer after a merge', async () => {
    const workaround = (title: string) =>
      post({
        kind: 'workaround',
        body: `${title}: steps inside`,
        workaround: { title, steps: ['Open the settings', 'Switch the region'], risk: 'safe' },
      });
    const similar = `${incidentPath}/workarounds/similar?q=${enc('Switch the webhook region')}`;
    const before = await warm<SimilarWorkarounds>(similar);
    const kept = await workaround('Switch the webhook region to EU');
    const duplicate = await workaround('Switch the webhook region to EU now');
    let found = (await warm<SimilarWorkarounds>(similar)).body.results.map((r) => r.post.id);
    expect(found.length).toBeGreaterThan(before.body.results.length);
    expect(found).toContain(duplicate.id);
    await write('POST', `/v1/sites/acme/posts/${duplicate.id}/merge`, { into: kept.id }, staff);
    found = (await read<SimilarWorkarounds>(similar)).body.results.map((r) => r.post.id);
    expect(found).not.toContain(duplicate.id);
    expect(found).toContain(kept.id);
  });

  it('incidents changed by staff: opened, changed, resolved', async () => {
    await warm('/v1/sites/acme/incidents');
    await warm('/v1/sites/acme/status');
    const res = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      token: staff,
      json: { title: 'Logins slow', impact: 'minor', body: 'Looking into slow logins.' },
    });
    expect(res.status).toBe(201);
    const opened = (await res.json()) as Incident;
    const path = `/v1/sites/acme/incidents/${enc(opened.id)}`;
    const ids = async (p: string) =>
      (await read<{ incidents: Incident[] }>(p)).body.incidents.map((i) => i.id);
    expect(await ids('/v1/sites/acme/incidents')).toContain(opened.id);
    expect(
      (await read<SiteStatus>('/v1/sites/acme/status')).body.incidents.map((i) => i.id),
    ).toContain(opened.id);
    await warm(path);
    await write('PATCH', path, { title: 'Logins slow in the EU' }, staff);
    expect((await read<Incident>(path)).body.title).toBe('Logins slow in the EU');
    await warm('/v1/sites/acme/incidents');
    await write('POST', `${path}/resolve`, { body: 'Fixed.' }, staff);
    expect(await ids('/v1/sites/acme/incidents')).not.toContain(opened.id);
    expect((await read<Incident>(path)).body.phase).toBe('resolved');
  });

  it('incidents from the upstream page (the poller)', async () => {
    const upstream: FakeUpstream = await startFakeUpstream();
    try {
      upstream.serve({ body: fixture(OPERATIONAL) });
      const created = await s.api('/v1/admin/sites', {
        method: 'POST',
        token: ADMIN_KEY,
        json: { slug: 'mirror', name: 'Mirror', origins: ['*'], statusUrl: upstream.url },
      });
      expect(created.status).toBe(201);
      const site = (await s.app.lifeboat.store.getSiteBySlug('mirror'))!;
      await s.app.lifeboat.statusPoller.pollSite(site.id);
      const list = await warm<{ incidents: Incident[] }>('/v1/sites/mirror/incidents');
      expect(list.body.incidents).toEqual([]);
      upstream.serve({ body: fixture(ACTIVE) });
      await s.app.lifeboat.statusPoller.pollSite(site.id);
      const after = await read<{ incidents: Incident[] }>('/v1/sites/mirror/incidents');
      expect(after.body.incidents.length).toBeGreaterThan(0);
      expect(after.body.incidents[0]!.id).toMatch(/^statuspage:/);
    } finally {
      await upstream.close();
    }
  });

  it('the site policy (admin API) moves the sequence', async () => {
    const before = await warm<SiteStatus>('/v1/sites/acme/status');
    await write('PUT', '/v1/admin/sites/acme/policy', { flagThreshold: 4 }, ADMIN_KEY);
    const after = await read<SiteStatus>('/v1/sites/acme/status');
    expect(after.body.lastEventId).toBeGreaterThan(before.body.lastEventId);
  });

  it('changes that write no event: a guest rename and a site change through this server', async () => {
    const renamer = await s.session('Old Name');
    const mine = await answer('A post whose author renames', renamer.token);
    await warm(`${threadPath}?limit=200`);
    await write('PATCH', '/v1/sites/acme/sessions/me', { displayName: 'New Name' }, renamer.token);
    const page = (await read<ThreadPage>(`${threadPath}?limit=200`)).body;
    expect(page.posts.find((p) => p.id === mine.id)!.author.displayName).toBe('New Name');

    await warm('/v1/sites/acme/status');
    await write(
      'PATCH',
      '/v1/admin/sites/acme',
      { name: 'Acme Corp', origins: [TEST_ORIGIN, 'https://new.acme.test'] },
      ADMIN_KEY,
    );
    expect((await read<SiteStatus>('/v1/sites/acme/status')).body.site.name).toBe('Acme Corp');
    const cors = await s.api('/v1/sites/acme/status', {
      headers: { origin: 'https://new.acme.test' },
    });
    expect(cors.headers.get('access-control-allow-origin')).toBe('https://new.acme.test');
  });

  it('a member erasing their data leaves tombstones', async () => {
    const leaver = await s.session('Leaving');
    const mine = await answer('A post that will be erased', leaver.token);
    await warm(`${threadPath}?limit=200`);
    await write('DELETE', '/v1/sites/acme/members/me', undefined, leaver.token, 204);
    const page = (await read<ThreadPage>(`${threadPath}?limit=200`)).body;
    expect(page.posts.find((p) => p.id === mine.id)?.deletedAt ?? 'gone').toBeTruthy();
    expect(JSON.stringify(page)).not.toContain('A post that will be erased');
  });
});

describe('ETag and 304', () => {
  it('answers 304 for the current ETag (list, weak form, *), 200 with the new one after a write', async () => {
    const first = await warm<ThreadPage>(threadPath);
    expect(first.etag).toMatch(/^"[\w-]+"$/);
    for (const header of [first.etag, `"nope", ${first.etag}`, `W/${first.etag}`, '*']) {
      const res = await s.api(threadPath, { headers: { 'if-none-match': header } });
      expect(res.status).toBe(304);
      expect(res.headers.get('etag')).toBe(first.etag);
      expect(res.headers.get('cache-control')).toBe(SNAPSHOT);
      expect(await res.text()).toBe('');
    }
    await answer('A change for the ETag');
    const res = await s.api(threadPath, { headers: { 'if-none-match': first.etag } });
    expect(res.status).toBe(200);
    expect(res.headers.get('etag')).not.toBe(first.etag);
  });

  it('the ETag is the hash of the body: same body, same ETag, whoever asks', async () => {
    const anonymous = await read<ThreadPage>(threadPath);
    const member = await read<ThreadPage>(threadPath, { token: guest.token });
    const other = await read<ThreadPage>(threadPath, { headers: { origin: TEST_ORIGIN } });
    expect(member.text).toBe(anonymous.text);
    expect(other.etag).toBe(anonymous.etag);
  });
});

describe('headers per route', () => {
  it('public snapshots: Cache-Control for a CDN, strong ETag, Vary: Origin', async () => {
    const paths = [
      '/v1/sites/acme/status',
      '/v1/sites/acme/incidents',
      '/v1/sites/acme/incidents?state=all',
      incidentPath,
      threadPath,
      `${threadPath}?sort=helpful`,
      `${threadPath}?sort=newest`,
      `${incidentPath}/affected/history`,
      `${incidentPath}/workarounds/similar?q=region`,
    ];
    for (const path of paths) {
      const res = await s.api(path, { headers: { origin: TEST_ORIGIN } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe(SNAPSHOT);
      expect(res.headers.get('etag'), path).toMatch(/^"[\w-]+"$/);
      expect(res.headers.get('vary'), path).toBe('Origin');
      expect(res.headers.get('content-type'), path).toBe('application/json; charset=utf-8');
      expect(res.headers.get('access-control-allow-origin'), path).toBe(TEST_ORIGIN);
      const head = await s.api(path, { method: 'HEAD' });
      expect(head.status, path).toBe(200);
      expect(head.headers.get('etag'), path).toBe(res.headers.get('etag'));
    }
  });

  it('a URL answered before is answered ahead of the router with exactly the same answer', async () => {
    /** One raw request: status, every header but Date, and the body. */
    const raw = (path: string, method = 'GET', headers: Record<string, string> = {}) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>(
        (resolve, reject) => {
          const req = http.request(`${s.url}${path}`, { method, headers }, (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => (body += d));
            res.on('end', () => {
              const { date: _date, ...rest } = res.headers;
              resolve({ status: res.statusCode!, headers: rest, body });
            });
          });
          req.on('error', reject);
          req.end();
        },
      );
    const early = () => s.app.snapshots.stats.early;
    const paths = [
      '/v1/sites/acme/status',
      '/v1/sites/acme/incidents?state=all',
      incidentPath,
      `${threadPath}?sort=helpful&limit=5`,
      `${incidentPath}/affected/history`,
      '/v1/sites/other/status',
    ];
    for (const path of paths) {
      const variants: Array<[string, Record<string, string>]> = [
        ['GET', {}],
        ['GET', { origin: TEST_ORIGIN }],
        ['HEAD', { origin: TEST_ORIGIN }],
        // An empty Origin is none: no CORS headers, even where the site lists '*' (other).
        ['GET', { origin: '' }],
      ];
      for (const [method, headers] of variants) {
        await raw(path, method, headers); // the full pipeline: routed, validated, remembered
        const before = early();
        let pipeline = await raw(path, method, headers);
        // (Once more if the site's record had just expired from the SiteDirectory, 2 s.)
        if (early() === before) pipeline = await raw(path, method, headers);
        expect(early(), `${method} ${path} answered from memory`).toBe(before + 1);
        // The same request once the entry is gone: through the router again.
        s.app.snapshots.clear();
        const routed = await raw(path, method, headers);
        expect(early(), `${method} ${path} routed`).toBe(before + 1);
        expect(pipeline, `${method} ${path}`).toEqual(routed);
      }
      // If-None-Match: 304 from memory, with the same headers the router gives.
      const { headers } = await raw(path);
      const etag = String(headers.etag);
      const before = early();
      let notModified = await raw(path, 'GET', { 'if-none-match': `"other", ${etag}` });
      if (early() === before)
        notModified = await raw(path, 'GET', { 'if-none-match': `"other", ${etag}` });
      expect(early()).toBe(before + 1);
      expect(notModified.status).toBe(304);
      expect(notModified.body).toBe('');
      expect(notModified.headers.etag).toBe(etag);
      expect(notModified.headers['cache-control']).toBe(SNAPSHOT);
      expect(notModified.headers.vary).toBe('Origin');
    }

    // What the fast path cannot decide alone goes through the router, answered as before.
    const path = '/v1/sites/acme/status';
    await raw(path);
    const before = early();
    // An origin the site does not list: no CORS headers (a read is still answered).
    const foreign = await raw(path, 'GET', { origin: 'https://evil.example' });
    expect(foreign.status).toBe(200);
    expect(foreign.headers['access-control-allow-origin']).toBeUndefined();
    // The server's own origin (from Host) is allowed, as the router decides it.
    const host = new URL(s.url).host;
    const own = await raw(path, 'GET', { origin: `http://${host}` });
    expect(own.headers['access-control-allow-origin']).toBe(`http://${host}`);
    // An Authorization header over the cap: 401 as on every route of the scope.
    const long = await raw(path, 'GET', { authorization: `Bearer ${'x'.repeat(5000)}` });
    expect(long.status).toBe(401);
    // A slug that needs decoding, another method, an unknown site.
    expect((await raw('/v1/sites/%61cme/status')).status).toBe(200);
    expect((await raw(path, 'DELETE')).status).toBe(404);
    expect((await raw('/v1/sites/nope/status')).status).toBe(404);
    expect(early()).toBe(before);
  });

  it('member and staff answers are private, no-store and never cached', async () => {
    const builds = s.app.snapshots.stats.builds;
    const paths: Array<[string, string]> = [
      [`${incidentPath}/me`, guest.token],
      ['/v1/sites/acme/members/me', guest.token],
      ['/v1/sites/acme/members/me/export', guest.token],
      ['/v1/sites/acme/moderation/queue', staff],
      ['/v1/sites/acme/moderation/audit', staff],
      ['/v1/sites/acme/moderation/policy', staff],
      ['/v1/admin/sites', ADMIN_KEY],
      ['/v1/admin/sites/acme/policy', ADMIN_KEY],
      ['/v1/admin/sites/acme/sso', ADMIN_KEY],
    ];
    for (const [path, token] of paths) {
      const res = await s.api(path, { token });
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control'), path).toBe('private, no-store');
      expect(res.headers.get('etag'), path).toBeNull();
    }
    expect(s.app.snapshots.stats.builds).toBe(builds);
  });

  it('errors are never cached, here or by a CDN: no-store, no ETag', async () => {
    for (let i = 0; i < 2; i++) {
      const res = await s.api('/v1/sites/acme/incidents/nope/thread');
      expect(res.status).toBe(404);
      expect(res.headers.get('etag')).toBeNull();
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });
});

describe('no member-specific data in a cached body', () => {
  it('what a member did stays in …/me; their pending post never reaches the thread', async () => {
    const member = await s.session('Private Person');
    const target = await answer('A post someone confirms privately');
    await write(
      'PUT',
      `/v1/sites/acme/posts/${target.id}/reaction`,
      { kind: 'didnt_work' },
      member.token,
    );
    await write('PUT', `${incidentPath}/affected`, undefined, member.token);
    // A post the policy holds for review: only its author gets it back.
    await write('PUT', '/v1/admin/sites/acme/policy', { suspectWords: ['quarantined'] }, ADMIN_KEY);
    const held = await post(
      { kind: 'answer', body: 'This quarantined post waits for review' },
      member.token,
    );
    expect(held.state).toBe('pending');

    const paths = [
      '/v1/sites/acme/status',
      '/v1/sites/acme/incidents',
      incidentPath,
      `${threadPath}?limit=200`,
      `${threadPath}?sort=helpful&limit=200`,
      `${threadPath}?sort=newest&limit=200`,
      `${incidentPath}/affected/history`,
      `${incidentPath}/workarounds/similar?q=quarantined`,
    ];
    for (const path of paths) {
      // The member reads first (the body is built on their request), then anyone else.
      const mine = await read(path, { token: member.token, headers: { origin: TEST_ORIGIN } });
      const anyone = await read(path);
      expect(mine.text, path).toBe(anyone.text);
      for (const secret of [
        member.member.id,
        member.token,
        'quarantined',
        'didnt_work',
        'moderationReasons',
        'fingerprint',
      ])
        expect(mine.text, `${path} holds ${secret}`).not.toContain(secret);
    }
    const me = await read<{ affected: boolean; reactions: Record<string, string> }>(
      `${incidentPath}/me`,
      { token: member.token },
    );
    expect(me.body.affected).toBe(true);
    expect(me.body.reactions[target.id]).toBe('didnt_work');
    expect(me.cacheControl).toBe('private, no-store');
  });
});
