/**
 * The end of a thread's life (issue 12): resolved → locked after the grace → archived after the
 * site's `archiveAfterDays` (default 30). Archived threads stay readable and refuse every write
 * with a problem, changing nothing. Through the real server on a controlled clock (the server
 * runs in this process, so faking `Date` moves its clock; the sweep is the poller's own).
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ulid, type Incident, type ThreadPage } from '@lifeboat/protocol';
import { signToken } from '../auth/tokens.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'archive-admin-key-0123456789-abcdef';
const T0 = Date.parse('2026-04-01T08:00:00.000Z');
const MIN = 60_000;
const DAY = 86_400_000;
const RESOLVED = 60 * MIN;
const at = (ms: number) => vi.setSystemTime(T0 + ms);

let s: TestServer;
/** One incident per site: acme archives after 7 days, other keeps the default (30). */
const incidents: Record<'acme' | 'other', string> = { acme: '', other: '' };
let postId = '';
let memberId = '';

const ok = async (res: Response, status = 200) => {
  expect(res.status, await res.clone().text()).toBe(status);
  return res;
};

/** A fresh token of a member (sessions do not last the weeks this test spans). */
async function tokenOf(member: string, slug = 'acme'): Promise<string> {
  const { store, keys } = s.app.lifeboat;
  const site = (await store.getSiteBySlug(slug))!;
  const m = (await store.getMember(site.id, member))!;
  return signToken(keys, {
    sub: m.id,
    site: site.id,
    name: m.displayName,
    exp: Math.floor(Date.now() / 1000) + 3600,
  });
}

const incident = async (slug: 'acme' | 'other') =>
  (await (
    await ok(await s.api(`/v1/sites/${slug}/incidents/${enc(incidents[slug])}`))
  ).json()) as Incident;

const sweep = () => s.app.lifeboat.statusPoller.sweep();

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  vi.useFakeTimers({ toFake: ['Date'] });
  at(0);
  await ok(
    await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      json: { archiveAfterDays: 7 },
    }),
  );
  for (const slug of ['acme', 'other'] as const) {
    const staff = await s.staffToken('Sam', slug);
    const res = await ok(
      await s.api(`/v1/sites/${slug}/incidents`, {
        method: 'POST',
        token: staff,
        json: { title: `Outage on ${slug}`, impact: 'major', body: 'Investigating.' },
      }),
      201,
    );
    incidents[slug] = ((await res.json()) as Incident).id;
  }
  const guest = await s.session('Gail');
  memberId = guest.member.id;
  const id = ulid();
  postId = id;
  await ok(
    await s.api(`/v1/sites/acme/incidents/${enc(incidents.acme)}/posts`, {
      method: 'POST',
      token: guest.token,
      headers: { 'idempotency-key': id },
      json: { id, kind: 'answer', body: 'Switching region works.' },
    }),
    201,
  );
  const other = await s.session('Olga');
  await ok(
    await s.api(`/v1/sites/acme/posts/${postId}/reaction`, {
      method: 'PUT',
      token: other.token,
      json: { kind: 'worked' },
    }),
  );
  await ok(
    await s.api(`/v1/sites/acme/incidents/${enc(incidents.acme)}/affected`, {
      method: 'PUT',
      token: guest.token,
    }),
  );
  at(RESOLVED);
  for (const slug of ['acme', 'other'] as const)
    await ok(
      await s.api(`/v1/sites/${slug}/incidents/${enc(incidents[slug])}/resolve`, {
        method: 'POST',
        token: await s.staffToken('Sam', slug),
        json: { body: 'Fixed.' },
      }),
    );
}, 60_000); // many requests: give a loaded machine (and PostgreSQL) time

afterAll(async () => {
  vi.useRealTimers();
  await s?.close();
});

describe('archival', () => {
  it("locks after the grace, archives after the site's retention (7 days here, 30 by default)", async () => {
    at(RESOLVED + 31 * MIN);
    await sweep();
    expect((await incident('acme')).threadState).toBe('locked');
    expect((await incident('other')).threadState).toBe('locked');

    at(RESOLVED + 7 * DAY - 1);
    await sweep();
    expect((await incident('acme')).threadState).toBe('locked');

    at(RESOLVED + 7 * DAY);
    const events = s.count(
      'events',
      `type = 'incident.updated' AND incident_id = '${incidents.acme}'`,
    );
    await sweep();
    const archived = await incident('acme');
    expect(archived.threadState).toBe('archived');
    expect((await incident('other')).threadState).toBe('locked');
    // One incident.updated that says so, once.
    expect(
      s.count('events', `type = 'incident.updated' AND incident_id = '${incidents.acme}'`),
    ).toBe(events + 1);
    const [last] = await s.sql<{ payload: string }>(
      "SELECT payload FROM events WHERE type = 'incident.updated' AND incident_id = ? ORDER BY seq DESC LIMIT 1",
      incidents.acme,
    );
    expect(JSON.parse(last!.payload).incident.threadState).toBe('archived');
    await sweep();
    expect(
      s.count('events', `type = 'incident.updated' AND incident_id = '${incidents.acme}'`),
    ).toBe(events + 1);

    at(RESOLVED + 30 * DAY - 1);
    await sweep();
    expect((await incident('other')).threadState).toBe('locked');
    at(RESOLVED + 30 * DAY);
    await sweep();
    expect((await incident('other')).threadState).toBe('archived');
  });

  it('keeps an archived thread readable, its counts final', async () => {
    const archived = await incident('acme');
    expect([archived.postCount, archived.affectedCount]).toEqual([1, 1]);
    const page = (await (
      await ok(await s.api(`/v1/sites/acme/incidents/${enc(incidents.acme)}/thread`))
    ).json()) as ThreadPage;
    expect(page.threadState).toBe('archived');
    expect(page.posts.map((p) => [p.id, p.counts.worked])).toEqual([[postId, 1]]);
  });

  it('refuses every write with 409 thread_locked and changes nothing', async () => {
    const author = await tokenOf(memberId);
    const newcomer = (await s.session('Nina')).token;
    const tables = ['posts', 'reactions', 'affected', 'flags', 'events'];
    const before = tables.map((t) => s.count(t));
    const incidentPath = `/v1/sites/acme/incidents/${enc(incidents.acme)}`;
    const id = ulid();
    const attempts: Array<[string, string, string, unknown]> = [
      ['POST', `${incidentPath}/posts`, newcomer, { id, kind: 'answer', body: 'Late answer.' }],
      ['PUT', `/v1/sites/acme/posts/${postId}/reaction`, newcomer, { kind: 'worked' }],
      ['DELETE', `/v1/sites/acme/posts/${postId}/reaction`, newcomer, undefined],
      ['PUT', `${incidentPath}/affected`, newcomer, undefined],
      ['DELETE', `${incidentPath}/affected`, author, undefined],
      ['POST', `/v1/sites/acme/posts/${postId}/flags`, newcomer, { reason: 'spam' }],
    ];
    for (const [method, path, token, json] of attempts) {
      const res = await s.api(path, {
        method,
        token,
        headers:
          method === 'POST' && json && 'kind' in (json as object) ? { 'idempotency-key': id } : {},
        ...(json === undefined ? {} : { json }),
      });
      expect(res.status, `${method} ${path}`).toBe(409);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const problem = await res.json();
      expect(problem.code, `${method} ${path}`).toBe('thread_locked');
      expect(problem.detail).toMatch(/archived/);
    }
    // Staff cannot unlock it either.
    const unlock = await s.api(`/v1/sites/acme/moderation/incidents/${enc(incidents.acme)}`, {
      method: 'POST',
      token: await s.staffToken('Sam'),
      json: { action: 'unlock', reason: 'Try' },
    });
    expect(unlock.status).toBe(409);
    expect(tables.map((t) => s.count(t))).toEqual(before);
    expect((await incident('acme')).threadState).toBe('archived');
  });

  it('takes the retention from the site policy (1–3650 days)', async () => {
    const admin = { authorization: `Bearer ${ADMIN_KEY}` };
    const res = await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: admin,
      json: { archiveAfterDays: 0 },
    });
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    const policy = await (await s.api('/v1/admin/sites/acme/policy', { headers: admin })).json();
    expect(policy.archiveAfterDays).toBe(7);
  });
});
