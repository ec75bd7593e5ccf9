/**
 * Staff thread exports (issue 15, docs/exports.md) through the real HTTP API on either engine:
 * JSON and CSV, CSV escaping and formula defusing, the report once resolved, and a 5,000-post
 * thread streamed completely while the server reads it a page at a time.
 */
import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import type { SqlStore } from '../store/sql-store.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

let s: TestServer;
afterEach(async () => {
  await s?.close();
});

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF or LF inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += c;
  }
  if (cell || row.length) throw new Error('CSV does not end with CRLF');
  return rows;
}

async function member(displayName: string) {
  const { store } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  return store.createMember({ siteId: site.id, kind: 'guest', displayName, role: 'member' });
}

/** Post ids in the order written: two ULIDs of one millisecond have no order between them. */
let lastId = '';
function nextId(): string {
  let id = ulid();
  while (id <= lastId) id = ulid();
  return (lastId = id);
}

async function post(input: {
  memberId: string;
  body: string;
  kind?: 'answer' | 'workaround' | 'reply';
  state?: 'published' | 'pending';
  workaround?: { title: string; steps: string[]; risk: 'safe' | 'temporary' };
  parentId?: string;
  incidentId?: string;
}) {
  const { store } = s.app.lifeboat;
  const site = (await store.getSiteBySlug('acme'))!;
  const outcome = await store.createPost({
    siteId: site.id,
    incidentId: input.incidentId ?? s.incident,
    memberId: input.memberId,
    id: nextId(),
    kind: input.kind ?? 'answer',
    body: input.body,
    parentId: input.parentId ?? null,
    workaround: input.workaround ?? null,
    state: input.state ?? 'published',
    idempotency: null,
  });
  if (outcome.kind !== 'created') throw new Error(outcome.kind);
  return outcome.post.id;
}

const exportUrl = (query = '', incident = s.incident) =>
  `/v1/sites/acme/incidents/${enc(incident)}/export${query}`;

describe('thread exports', () => {
  it('JSON: the incident, every post with kind, status, author and confirmations, the workarounds; staff only', async () => {
    s = await startTestServer();
    const staff = await s.staffToken();
    const ana = await member('Ana');
    const answer = await post({ memberId: ana.id, body: 'Restart the worker.' });
    const held = await post({ memberId: ana.id, body: 'Held for review.', state: 'pending' });
    const reply = await post({
      memberId: ana.id,
      body: 'Thanks!',
      kind: 'reply',
      parentId: answer,
    });
    const wk = await post({
      memberId: ana.id,
      body: '',
      kind: 'workaround',
      workaround: { title: 'Use the EU region', steps: ['Open settings', 'Pick EU'], risk: 'safe' },
    });
    const visitor = await s.session('Bo');
    const confirmed = await s.api(`/v1/sites/acme/posts/${wk}/reaction`, {
      method: 'PUT',
      token: visitor.token,
      json: { kind: 'worked' },
    });
    expect(confirmed.status).toBe(200);

    expect((await s.api(exportUrl())).status).toBe(401);
    expect((await s.api(exportUrl(), { token: visitor.token })).status).toBe(403);
    expect((await s.api(exportUrl('', 'nope'), { token: staff })).status).toBe(404);
    expect((await s.api(exportUrl('?table=posts'), { token: staff })).status).toBe(400);
    expect((await s.api(exportUrl('?format=xml'), { token: staff })).status).toBe(400);

    const res = await s.api(exportUrl(), { token: staff });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="lifeboat-acme-statuspage-abc-inc1-thread.json"',
    );
    expect(res.headers.get('cache-control')).toContain('no-store');
    const data = await res.json();
    expect(data.incident.id).toBe(s.incident);
    expect(data.report).toBeNull();
    expect(data.posts.map((p: { id: string }) => p.id)).toEqual([answer, held, reply, wk]);
    expect(data.posts[1]).toMatchObject({ status: 'pending', body: 'Held for review.' });
    expect(data.posts[2]).toMatchObject({ kind: 'reply', parentId: answer });
    expect(data.posts[3]).toMatchObject({
      kind: 'workaround',
      author: { id: ana.id, displayName: 'Ana', role: 'member' },
      confirmations: { worked: 1, didntWork: 0 },
    });
    expect(data.workarounds).toEqual([
      expect.objectContaining({
        id: wk,
        title: 'Use the EU region',
        steps: ['Open settings', 'Pick EU'],
        risk: 'safe',
        confirmations: { worked: 1, didntWork: 0 },
      }),
    ]);
    // Another site's staff cannot reach it.
    const other = await s.staffToken('Olga', 'other');
    const cross = await s.api(`/v1/sites/other/incidents/${enc(s.incident)}/export`, {
      token: other,
    });
    expect(cross.status).toBe(404);
  });

  it('CSV: RFC 4180 quoting, formula cells defused, one table per request', async () => {
    s = await startTestServer();
    const staff = await s.staffToken();
    const evil = await member('=HYPERLINK("https://evil.example","x")');
    const nasty = [
      '=1+1',
      '+SUM(A1)',
      '-2+3',
      '@cmd',
      '\tTab first',
      'Quotes "inside", commas, and\nnew lines',
      'Plain text',
    ];
    for (const body of nasty) await post({ memberId: evil.id, body });
    await post({
      memberId: evil.id,
      body: '',
      kind: 'workaround',
      workaround: { title: '=2*3', steps: ['First, "this"', '-then that'], risk: 'temporary' },
    });
    const res = await s.api(exportUrl('?format=csv'), { token: staff });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8; header=present');
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="lifeboat-acme-statuspage-abc-inc1-posts.csv"',
    );
    const rows = parseCsv(await res.text());
    const header = rows[0]!;
    expect(header.slice(0, 4)).toEqual(['id', 'parent_id', 'kind', 'status']);
    const col = (name: string) => header.indexOf(name);
    // Posts written in the same millisecond have no order between them: compare as sets.
    const bodies = rows
      .slice(1)
      .map((r) => r[col('body')])
      .sort();
    expect(bodies).toEqual(
      [
        "'=1+1",
        "'+SUM(A1)",
        "'-2+3",
        "'@cmd",
        "'\tTab first",
        'Quotes "inside", commas, and\nnew lines',
        'Plain text',
        '',
      ].sort(),
    );
    expect(rows[1]![col('author_name')]).toBe('\'=HYPERLINK("https://evil.example","x")');
    for (const row of rows) expect(row.length).toBe(header.length);

    const wk = parseCsv(
      await (await s.api(exportUrl('?format=csv&table=workarounds'), { token: staff })).text(),
    );
    expect(wk.length).toBe(2);
    const wcol = (name: string) => wk[0]!.indexOf(name);
    expect(wk[1]![wcol('title')]).toBe("'=2*3");
    expect(wk[1]![wcol('steps')]).toBe('First, "this"\n-then that');
    expect(wk[1]![wcol('risk')]).toBe('temporary');
  });

  it('the report: null and 404 while open, included once the incident is resolved', async () => {
    s = await startTestServer();
    const staff = await s.staffToken();
    const created = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      token: staff,
      json: { title: 'Search is slow', impact: 'minor', body: 'Investigating.' },
    });
    const incident = ((await created.json()) as { id: string }).id;
    const ana = await member('Ana');
    await post({ memberId: ana.id, body: 'Use filters.', incidentId: incident });
    expect(
      (await s.api(exportUrl('?format=csv&table=report', incident), { token: staff })).status,
    ).toBe(404);
    const resolved = await s.api(`/v1/sites/acme/incidents/${enc(incident)}/resolve`, {
      method: 'POST',
      token: staff,
      json: { body: 'Fixed.' },
    });
    expect(resolved.status).toBe(200);
    const data = await (await s.api(exportUrl('', incident), { token: staff })).json();
    expect(data.report).toMatchObject({ answers: 1, incident: { id: incident } });
    const csv = parseCsv(
      await (await s.api(exportUrl('?format=csv&table=report', incident), { token: staff })).text(),
    );
    expect(csv[0]![0]).toBe('section');
    expect(csv.find((r) => r[1] === 'answers')?.[2]).toBe('1');
  });

  it('streams a 5,000-post thread completely: the first bytes arrive before the last page is read', async () => {
    s = await startTestServer();
    const staff = await s.staffToken();
    const author = await member('Bulk author');
    const site = (await s.app.lifeboat.store.getSiteBySlug('acme'))!;
    const driver = (s.app.lifeboat.store as SqlStore).driver;
    // 5,000 posts of 8 KB (about 40 MB of JSON: more than the socket buffers hold), in batches.
    const filler = 'x'.repeat(8000);
    const ids: string[] = [];
    const at = new Date().toISOString();
    await driver.tx(async (tx) => {
      for (let batch = 0; batch < 10; batch++) {
        const values: unknown[] = [];
        const rows: string[] = [];
        for (let i = 0; i < 500; i++) {
          const id = ulid();
          ids.push(id);
          rows.push("(?, ?, ?, ?, 'answer', ?, 'published', ?)");
          values.push(id, site.id, s.incident, author.id, `${ids.length} ${filler}`, at);
        }
        await tx.run(
          `INSERT INTO posts (id, site_id, incident_id, member_id, kind, body, state, created_at) VALUES ${rows.join(', ')}`,
          ...values,
        );
      }
    });

    const url = new URL(s.url + exportUrl());
    const late = await new Promise<{ text: string; lateId: string }>((resolve, reject) => {
      const req = http.get(url, { headers: { authorization: `Bearer ${staff}` } }, (res) => {
        expect(res.statusCode).toBe(200);
        // Streamed: no length known up front.
        expect(res.headers['content-length']).toBeUndefined();
        const chunks: Buffer[] = [];
        res.once('data', (first: Buffer) => {
          chunks.push(first);
          res.pause();
          // The first bytes are here and the client reads no more: a post written now, after
          // every other, can only be in the export if its page had not been read yet.
          post({ memberId: author.id, body: 'Written while the export was under way.' }).then(
            (lateId) => {
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () =>
                resolve({ text: Buffer.concat(chunks).toString('utf8'), lateId }),
              );
              res.resume();
            },
            reject,
          );
        });
        res.on('error', reject);
      });
      req.on('error', reject);
    });
    const data = JSON.parse(late.text) as { posts: Array<{ id: string; body: string }> };
    expect(data.posts.length).toBe(5001);
    expect(data.posts.slice(0, 5000).map((p) => p.id)).toEqual([...ids].sort());
    expect(new Set(data.posts.map((p) => p.body.split(' ')[0])).size).toBe(5001);
    expect(data.posts[5000]!.id).toBe(late.lateId);
  }, 120_000);
});
