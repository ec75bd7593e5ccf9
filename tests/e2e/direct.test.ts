/**
 * Direct mode with no Lifeboat server anywhere: the page (one origin, strict CSP) loads the
 * script tag and `<lifeboat-banner status-url=…>` reads a Statuspage-shaped summary.json from a
 * second origin that answers with CORS headers. The banner shows the incident, hides what needs
 * a server, sends no request anywhere else, and has zero axe violations.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  axeViolations,
  cdnFiles,
  launchChromium,
  root,
  serveStatic,
  watchConsole,
} from './harness.js';

const SUMMARY = readFileSync(
  join(
    root,
    'packages/protocol/test/fixtures/statuspage',
    'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
  ),
  'utf8',
);

let browser: Browser;
let statusHost: Server;
let statusOrigin: string;
const statusRequests: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];

beforeAll(async () => {
  statusHost = createServer((req, res) => {
    statusRequests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const cors = {
      'access-control-allow-origin': '*',
      'access-control-expose-headers': 'ETag',
    };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'access-control-allow-headers': 'if-none-match' }).end();
      return;
    }
    if (req.url !== '/api/v2/summary.json') return void res.writeHead(404, cors).end();
    if (req.headers['if-none-match'] === '"v1"') return void res.writeHead(304, cors).end();
    res.writeHead(200, { ...cors, 'content-type': 'application/json', etag: '"v1"' }).end(SUMMARY);
  });
  await new Promise<void>((r) => statusHost.listen(0, '127.0.0.1', r));
  const address = statusHost.address();
  statusOrigin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => statusHost?.close(r));
});

describe('direct mode across origins, no Lifeboat server', () => {
  it('shows the upstream incident, hides server features and passes axe', async () => {
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Our status</title><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; script-src 'self'; style-src 'self'; connect-src ${statusOrigin}; img-src 'self' data:">
<script type="module" src="/lifeboat.js"></script></head>
<body><main><h1>Our status</h1>
<lifeboat-banner status-url="${statusOrigin}/api/v2/summary.json"></lifeboat-banner>
</main></body></html>`;
    const page = await serveStatic({ '/index.html': html, ...cdnFiles() });
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const p = await context.newPage();
      const errors = watchConsole(p);
      const elsewhere: string[] = [];
      p.on('request', (r) => {
        const origin = new URL(r.url()).origin;
        if (origin !== page.url && origin !== statusOrigin) elsewhere.push(r.url());
      });
      await p.goto(page.url + '/');
      const banner = p.locator('lifeboat-banner');
      // No hint on this page: the incident arrives in the compact line.
      await banner.getByRole('button', { name: 'Show details' }).click({ timeout: 15_000 });
      const incident = banner.getByRole('region', { name: /Incident with Packages and Pages/i });
      await incident.waitFor();
      expect(await banner.evaluate((el) => el.matches(':state(direct)'))).toBe(true);
      expect(await banner.locator('[part="impact-badge"]').first().textContent()).toMatch(/major/i);
      // what needs a Lifeboat server is not there
      expect(await banner.getByRole('button', { name: /affected me too/i }).count()).toBe(0);
      expect(await banner.locator('[part="workaround"]').count()).toBe(0);
      expect(await banner.locator('[part="sparkline"]').count()).toBe(0);
      // the official timeline is
      await banner.getByRole('button', { name: /timeline/i }).click();
      await banner.getByRole('dialog', { name: /official updates/i }).waitFor();
      await p.keyboard.press('Escape');

      // the browser read the status page itself, cross-origin, and nothing else
      const reads = statusRequests.filter((r) => r.url === '/api/v2/summary.json');
      expect(reads.length).toBeGreaterThan(0);
      expect(reads[0]!.headers.origin).toBe(page.url);
      expect(elsewhere).toEqual([]);
      expect(await axeViolations(p)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await page.close();
    }
  });
});
