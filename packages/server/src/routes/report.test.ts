/**
 * The post-incident report, exact (issue 12): a known incident built through the public API —
 * guest sessions, "affected" (a double tap, one taken back), answers, workarounds, a reply,
 * confirmations (a double tap, a switch to "didn't work"), a post held and rejected, one held and
 * approved, a hide, a flag, a staff verification, the resolution — on a controlled clock (the
 * server runs in this process, so faking `Date` moves its clock too). Every number of the JSON
 * is compared, times to the millisecond; the CSV and the Markdown say the same.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ulid, type IncidentReport, type Post, type WorkaroundFields } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { csvCell, reportCsv, reportMarkdown } from './report-format.js';
import { reportFormat } from './report.js';

const ADMIN_KEY = 'report-admin-key-0123456789-abcdef';
const T0 = Date.parse('2026-03-02T10:00:00.000Z');
const MIN = 60_000;
const at = (ms: number) => vi.setSystemTime(T0 + ms);
const iso = (ms: number) => new Date(T0 + ms).toISOString();

let s: TestServer;
let staff: string;
let incident: string;
const tokens: Record<string, string> = {};
const ids: Record<string, string> = {};

const ok = async (res: Response, status = 200) => {
  expect(res.status, await res.clone().text()).toBe(status);
  return res;
};

async function post(
  who: string,
  kind: 'answer' | 'reply' | 'workaround',
  body: string,
  extra: { parentId?: string; workaround?: WorkaroundFields } = {},
): Promise<Post> {
  const id = ulid();
  const res = await s.api(`/v1/sites/acme/incidents/${enc(incident)}/posts`, {
    method: 'POST',
    token: tokens[who],
    headers: { 'idempotency-key': id },
    json: { id, kind, body, ...extra },
  });
  expect([201, 202], await res.clone().text()).toContain(res.status);
  return (await res.json()) as Post;
}

const react = async (who: string, postId: string, kind: 'worked' | 'didnt_work') =>
  ok(
    await s.api(`/v1/sites/acme/posts/${postId}/reaction`, {
      method: 'PUT',
      token: tokens[who],
      json: { kind },
    }),
  );

const affected = async (who: string, method: 'PUT' | 'DELETE' = 'PUT') =>
  ok(
    await s.api(`/v1/sites/acme/incidents/${enc(incident)}/affected`, {
      method,
      token: tokens[who],
    }),
  );

const moderate = async (postId: string, action: string) =>
  ok(
    await s.api(`/v1/sites/acme/moderation/posts/${postId}`, {
      method: 'POST',
      token: staff,
      json: { action, reason: 'Report test' },
    }),
  );

const workaround = (title: string, component: string, platform: string): WorkaroundFields => ({
  title,
  steps: ['Open the settings.', 'Switch the delivery mode and save.'],
  component,
  platform,
  risk: 'safe',
});

const report = (accept?: string, query = '') =>
  s.api(`/v1/sites/acme/incidents/${enc(incident)}/report${query}`, {
    token: staff,
    headers: accept ? { accept } : {},
  });

beforeAll(async () => {
  s = await startTestServer({ adminKey: ADMIN_KEY });
  vi.useFakeTimers({ toFake: ['Date'] });
  at(-10 * MIN);
  // Posts naming "refund" wait for review.
  await ok(
    await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      json: { suspectWords: ['refund'] },
    }),
  );
  for (const name of ['g1', 'g2', 'g3', 'g4', 'g5', 'g6'])
    tokens[name] = (await s.session(name)).token;

  at(0);
  staff = await s.staffToken('Sam (Acme)'); // valid for an hour
  const opened = await ok(
    await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      token: staff,
      json: {
        title: 'Webhook deliveries delayed',
        impact: 'major',
        components: ['webhooks'],
        body: 'We are investigating delayed webhook deliveries.',
      },
    }),
    201,
  );
  incident = ((await opened.json()) as { id: string }).id;

  at(1 * MIN);
  for (const g of ['g1', 'g2', 'g3', 'g1']) await affected(g); // g1 taps twice
  at(2 * MIN);
  await affected('g4');
  at(3 * MIN);
  await affected('g4', 'DELETE'); // taken back: not counted
  at(4 * MIN);
  ids.a1 = (await post('g2', 'answer', 'Retrying the delivery from the dashboard works.')).id;
  at(6 * MIN);
  ids.w1 = (
    await post('g3', 'workaround', 'Switch to batch delivery', {
      workaround: workaround('Switch to batch delivery', 'webhooks', 'iOS'),
    })
  ).id;
  at(7 * MIN);
  ids.reply = (await post('g1', 'reply', 'Same for me, thanks.', { parentId: ids.a1 })).id;
  at(8 * MIN);
  ids.w2 = (
    await post('g4', 'workaround', 'Poll the events API instead', {
      workaround: workaround('Poll the events API instead', 'api', 'Android'),
    })
  ).id;
  await react('g3', ids.a1, 'worked');
  at(9 * MIN);
  const held1 = await post('g5', 'answer', 'Ask support for a refund right away.');
  expect(held1.state).toBe('pending');
  ids.held1 = held1.id;
  at(10 * MIN);
  await react('g1', ids.w1, 'worked');
  await react('g2', ids.w1, 'worked');
  await react('g5', ids.w1, 'didnt_work');
  at(10 * MIN + 30_000);
  await react('g1', ids.w1, 'worked'); // double tap: still one
  at(11 * MIN);
  await react('g4', ids.w1, 'worked');
  ids.a3 = (await post('g3', 'answer', 'Buy my premium webhook relay!')).id;
  at(12 * MIN);
  await moderate(ids.held1, 'reject');
  await react('g1', ids.w2, 'worked');
  await react('g3', ids.w2, 'didnt_work');
  at(13 * MIN);
  await react('g2', ids.w2, 'worked');
  const held2 = await post('g5', 'answer', 'No refund needed: the queue drains on its own.');
  expect(held2.state).toBe('pending');
  ids.held2 = held2.id;
  at(14 * MIN);
  await react('g1', ids.w2, 'didnt_work'); // switched
  at(15 * MIN);
  await moderate(ids.held2, 'approve');
  at(16 * MIN);
  await react('g6', ids.w1, 'worked');
  at(20 * MIN);
  await moderate(ids.w1, 'verify');
  at(21 * MIN);
  await ok(
    await s.api(`/v1/sites/acme/posts/${ids.w2}/flags`, {
      method: 'POST',
      token: tokens['g2'],
      json: { reason: 'other', note: 'Polling costs money.' },
    }),
  );
  at(22 * MIN);
  await moderate(ids.a3, 'hide');
  at(47 * MIN);
  await ok(
    await s.api(`/v1/sites/acme/incidents/${enc(incident)}/resolve`, {
      method: 'POST',
      token: staff,
      json: { body: 'Deliveries are back to normal.' },
    }),
  );
  at(50 * MIN);
}, 60_000); // many requests: give a loaded machine (and PostgreSQL) time

afterAll(async () => {
  vi.useRealTimers();
  await s?.close();
});

/** The timeline of 47 one-minute windows, zero except where something happened. */
function expectedTimeline() {
  const active: Record<number, [number, number, number]> = {
    // minute: [affected, posts, confirmations]
    1: [3, 0, 0],
    4: [0, 1, 0],
    6: [0, 1, 0],
    7: [0, 1, 0],
    8: [0, 1, 1],
    10: [0, 0, 2],
    11: [0, 0, 1],
    13: [0, 0, 1],
    15: [0, 1, 0],
    16: [0, 0, 1],
  };
  return Array.from({ length: 47 }, (_, i) => {
    const [affected, posts, confirmations] = active[i] ?? [0, 0, 0];
    return { start: iso(i * MIN), affected, posts, confirmations };
  });
}

describe('GET /v1/sites/:site/incidents/:incident/report', () => {
  it('is for staff: 401 anonymous, 403 a guest, 404 an unknown incident', async () => {
    const path = `/v1/sites/acme/incidents/${enc(incident)}/report`;
    const anonymous = await s.api(path);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect((await s.api(path, { token: tokens['g1'] })).status).toBe(403);
    const unknown = await s.api('/v1/sites/acme/incidents/nope/report', { token: staff });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe('not_found');
    const bad = await s.api(`${path}?bucketMinutes=0`, { token: staff });
    expect(bad.status).toBe(400);
  });

  it('counts every number of the known incident exactly, times included', async () => {
    const res = await ok(await report());
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    const r = (await res.json()) as IncidentReport;
    expect(r).toEqual({
      site: 'acme',
      incident: {
        id: incident,
        title: 'Webhook deliveries delayed',
        impact: 'major',
        phase: 'resolved',
        threadState: 'open',
        components: ['webhooks'],
        startedAt: iso(0),
        resolvedAt: iso(47 * MIN),
      },
      generatedAt: iso(50 * MIN),
      durationMs: 47 * MIN,
      // g1–g6: g4 took "affected" back but posted, g6 only confirmed.
      participants: 6,
      affected: 3,
      answers: 2, // a1 and the approved held2; a3 hidden, held1 rejected
      workarounds: 2,
      replies: 1,
      confirmations: 6, // a1: g3; w1: g1 g2 g4 g6; w2: g2
      didntWork: 3, // w1: g5; w2: g3, g1 (switched)
      verifiedWorkarounds: 1,
      firstAnswerAt: iso(4 * MIN),
      timeToFirstAnswerMs: 4 * MIN,
      verifiedFixAt: iso(20 * MIN),
      timeToVerifiedFixMs: 20 * MIN,
      bucketMinutes: 1,
      timeline: expectedTimeline(),
      topWorkarounds: [
        {
          id: ids.w1,
          title: 'Switch to batch delivery',
          confirmations: 4,
          didntWork: 1,
          verified: true,
          component: 'webhooks',
          platform: 'iOS',
          createdAt: iso(6 * MIN),
        },
        {
          id: ids.w2,
          title: 'Poll the events API instead',
          confirmations: 1,
          didntWork: 2,
          verified: false,
          component: 'api',
          platform: 'Android',
          createdAt: iso(8 * MIN),
        },
      ],
      components: [
        { id: 'api', name: 'API', workarounds: 1 },
        { id: 'webhooks', name: 'Webhooks', workarounds: 1 },
      ],
      platforms: [
        { id: 'Android', name: 'Android', workarounds: 1 },
        { id: 'iOS', name: 'iOS', workarounds: 1 },
      ],
      moderation: { held: 2, approved: 1, rejected: 1, hidden: 1, flagged: 1 },
    } satisfies IncidentReport);
  });

  it('takes a window length for the timeline', async () => {
    const r = (await (
      await ok(await report(undefined, '?bucketMinutes=15'))
    ).json()) as IncidentReport;
    expect(r.bucketMinutes).toBe(15);
    expect(r.timeline).toEqual([
      { start: iso(0), affected: 3, posts: 4, confirmations: 5 },
      { start: iso(15 * MIN), affected: 0, posts: 1, confirmations: 1 },
      { start: iso(30 * MIN), affected: 0, posts: 0, confirmations: 0 },
      { start: iso(45 * MIN), affected: 0, posts: 0, confirmations: 0 },
    ]);
  });

  it('serves the same report as CSV (RFC 4180, formula-safe)', async () => {
    const json = (await (await ok(await report())).json()) as IncidentReport;
    const res = await ok(await report('text/csv'));
    expect(res.headers.get('content-type')).toMatch(/^text\/csv; charset=utf-8/);
    expect(res.headers.get('content-disposition')).toMatch(
      /^attachment; filename="lifeboat-report-/,
    );
    const text = await res.text();
    expect(text).toBe(reportCsv(json));
    const lines = text.split('\r\n');
    expect(lines[0]).toBe('section,key,value,detail1,detail2,detail3');
    const value = (key: string) =>
      lines.find((l) => l.startsWith(`summary,${key},`))!.split(',')[2];
    expect(value('participants')).toBe('6');
    expect(value('affected')).toBe('3');
    expect(value('confirmations')).toBe('6');
    expect(value('didnt_work')).toBe('3');
    expect(value('time_to_first_answer_ms')).toBe(String(4 * MIN));
    expect(value('time_to_verified_fix_ms')).toBe(String(20 * MIN));
    expect(value('duration_ms')).toBe(String(47 * MIN));
    expect(lines.filter((l) => l.startsWith('timeline,'))).toHaveLength(47);
    expect(lines).toContain(`timeline,${iso(10 * MIN)},0,0,2,`);
    expect(lines).toContain(`workaround,${ids.w1},4,1,true,Switch to batch delivery`);
    expect(lines).toContain('moderation,held,2,,,');
    expect(lines).toContain('component,webhooks,1,Webhooks,,');
    expect(text.endsWith('\r\n')).toBe(true);
  });

  it('serves the same report as a Markdown summary', async () => {
    const json = (await (await ok(await report())).json()) as IncidentReport;
    const res = await ok(await report('text/markdown'));
    expect(res.headers.get('content-type')).toMatch(/^text\/markdown; charset=utf-8/);
    const md = await res.text();
    expect(md).toBe(reportMarkdown(json));
    expect(md).toContain(
      'Over the 47 minutes of this major incident, 3 customers reported impact and 6 members took part. The first peer answer came 4 minutes in.',
    );
    expect(md).toContain(
      'Members posted 2 answers, 2 workarounds and 1 reply, and said "worked for me" 6 times ("didn\'t work": 3).',
    );
    expect(md).toContain(
      'Staff verified the first workaround 20 minutes in (1 verified workaround in all).',
    );
    expect(md).toContain('| Switch to batch delivery | 4 | 1 | yes |');
    expect(md).toContain('| Poll the events API instead | 1 | 2 | no |');
    expect(md).toContain('Components named in workarounds: API (1), Webhooks (1).');
    expect(md).toContain('Platforms named in workarounds: Android (1), iOS (1).');
    expect(md).toContain(
      'Moderation: 2 held for review, 1 approved, 1 rejected, 1 hidden, 1 flagged.',
    );
  });
});

describe('report formats', () => {
  it('quotes CSV cells per RFC 4180 and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell(-2)).toBe('-2'); // numbers stay numbers
    expect(csvCell(null)).toBe('');
  });

  it('picks the format from Accept', () => {
    expect(reportFormat(undefined)).toBe('json');
    expect(reportFormat('text/csv')).toBe('csv');
    expect(reportFormat('text/markdown, application/json;q=0.5')).toBe('markdown');
    expect(reportFormat('text/csv;q=0.2, application/json')).toBe('json');
    expect(reportFormat('image/png')).toBe('json');
  });
});
