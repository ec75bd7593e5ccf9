import type { IncidentReport, SiteInsights } from '@lifeboat/protocol';
import { cleanStores } from 'nanostores';
import { afterEach, describe, expect, it } from 'vitest';
import { BASE, SERVER, SITE, fakeServer, problem } from '../../test/fakes.js';
import { createInsights, type InsightsClient } from './index.js';

const TOKEN = 'staff-token-123';
let client: InsightsClient | undefined;

afterEach(() => {
  if (client) cleanStores(client.$site, client.$report);
  client = undefined;
});

const insights = (days: number): SiteInsights => ({
  site: SITE,
  days,
  generatedAt: '2026-03-02T10:00:00.000Z',
  incidents: [],
  totals: {
    incidents: 0,
    affected: 0,
    answers: 0,
    confirmations: 0,
    communityFirst: 0,
    medianTimeToFirstAnswerMs: null,
  },
  topWorkarounds: [],
});

describe('createInsights', () => {
  it('loads the period with the staff token, and a refusal as an error with its status', async () => {
    const server = fakeServer();
    server.on('GET /insights', { body: insights(30) }, problem(403, 'forbidden'));
    client = createInsights({ server: SERVER, site: SITE, token: TOKEN, fetch: server.fetch });
    expect(client.$site.get().state).toBe('loading');
    await client.loadSite(30);
    expect(client.$site.get()).toEqual({ state: 'ready', value: insights(30) });
    expect(server.calls[0]!.path).toBe('/insights?days=30');
    expect(server.calls[0]!.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    await client.loadSite(90);
    const failed = client.$site.get();
    expect(failed.state).toBe('error');
    expect(failed.error?.status).toBe(403);
    expect(failed.error?.code).toBe('forbidden');
  });

  it('loads a report, clears it with null, and keeps only the latest request', async () => {
    const server = fakeServer();
    const report = { incident: { id: 'b' } } as IncidentReport;
    let release!: () => void;
    server.on(
      'GET /incidents/a/report',
      () =>
        new Promise((resolve) => (release = () => resolve({ body: { incident: { id: 'a' } } }))),
    );
    server.on('GET /incidents/b/report', { body: report });
    client = createInsights({ server: SERVER, site: SITE, token: TOKEN, fetch: server.fetch });
    const slow = client.loadReport('a');
    await client.loadReport('b');
    release();
    await slow;
    expect(client.$report.get()).toEqual({ state: 'ready', value: report });
    await client.loadReport(null);
    expect(client.$report.get()).toBeNull();
  });

  it('asks for CSV and Markdown by Accept, and turns a problem into a LifeboatError', async () => {
    const seen: Array<Record<string, string>> = [];
    const fetch = async (url: string, init: RequestInit) => {
      const headers = init.headers as Record<string, string>;
      seen.push(headers);
      expect(url).toBe(`${BASE}/incidents/inc%201/report`);
      if (headers['accept'] === 'text/csv')
        return new Response('section,key,value\r\n', { headers: { 'content-type': 'text/csv' } });
      return new Response(JSON.stringify({ title: 'Not found', status: 404, code: 'not_found' }), {
        status: 404,
        headers: { 'content-type': 'application/problem+json' },
      });
    };
    client = createInsights({ server: SERVER, site: SITE, token: TOKEN, fetch });
    expect(await client.reportText('inc 1', 'csv')).toBe('section,key,value\r\n');
    await expect(client.reportText('inc 1', 'markdown')).rejects.toMatchObject({
      status: 404,
      code: 'not_found',
    });
    expect(seen.map((h) => [h['accept'], h['authorization']])).toEqual([
      ['text/csv', `Bearer ${TOKEN}`],
      ['text/markdown', `Bearer ${TOKEN}`],
    ]);
  });
});
