/**
 * Direct mode on every kind of status page, with the real `fetch` against a local HTTP server
 * that serves real captures at the vendors' paths: the banner's status comes straight from
 * Better Stack, Uptime Kuma, Upptime, Cachet or an Instatus page whose incidents have no id.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { cleanStores } from 'nanostores';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SiteStatus } from '@lifeboat/protocol';
import { createDirectStatus } from './direct.js';

const FIXTURES = new URL('../../protocol/test/fixtures/statuspage/', import.meta.url);
const capture = (name: string) => readFileSync(new URL(name, FIXTURES), 'utf8');

const ROUTES: Record<string, string> = {
  '/index.json': capture('betterstack-index-docs-example-downtime.json'),
  '/api/status-page/kwikid': capture('uptimekuma-status-page-incident-kwikid.json'),
  '/upptime/upptime/master/history/summary.json': capture(
    'upptime-summary-upptime-upptime-trimmed.json',
  ),
  '/api/v1/incidents': capture('cachet-incidents-docs-example.json'),
  '/summary.json': capture('lifeboat-instatus-summary-no-ids.json'),
};

let server: http.Server;
let origin = '';
beforeAll(async () => {
  server = http.createServer((req, res) => {
    const body = ROUTES[req.url ?? ''];
    if (body === undefined) res.writeHead(404).end();
    else res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** The first settled status of a direct-mode store following `path`. */
async function directStatus(path: string): Promise<SiteStatus> {
  const direct = createDirectStatus({ statusUrl: origin + path });
  try {
    const settled = new Promise<SiteStatus>((resolve, reject) => {
      direct.$status.listen((v) => {
        if (v.state === 'ready') resolve(v.value!);
        else if (v.state === 'error') reject(v.error);
      });
    });
    return await settled;
  } finally {
    cleanStores(direct.$status);
  }
}

describe('direct mode on every status source (real fetch, local server)', () => {
  it('Better Stack index.json', async () => {
    const status = await directStatus('/index.json');
    expect(status.severity).toBe('critical');
    expect(status.incidents.map((i) => i.title)).toEqual(['Status report title']);
    expect(status.source.kind).toBe('betterstack');
  });

  it('Uptime Kuma status page', async () => {
    const status = await directStatus('/api/status-page/kwikid');
    expect(status.incidents.map((i) => i.title)).toEqual(['VKYC Auditor view degraded']);
    expect(status.severity).toBe('major');
  });

  it('Upptime summary.json (a list, not an object)', async () => {
    const status = await directStatus('/upptime/upptime/master/history/summary.json');
    expect(status.severity).toBe('critical');
    expect(status.components.map((c) => c.name)).toContain('Test Broken Site');
  });

  it('Cachet incidents', async () => {
    const status = await directStatus('/api/v1/incidents');
    expect(status.incidents.map((i) => i.title)).toEqual(['Incident Name']);
  });

  it('Instatus summary.json whose incidents have no id', async () => {
    const status = await directStatus('/summary.json');
    expect(status.incidents.map((i) => i.title)).toEqual(['Login errors', 'Slow dashboards']);
  });
});
