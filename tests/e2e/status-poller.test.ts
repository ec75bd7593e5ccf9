/**
 * A site that follows an upstream status page: the real server polls a local fake Statuspage,
 * and when the upstream flips from operational to an incident the banner on a page of another
 * origin shows it within a few poll intervals, without a reload and without console errors.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { SiteStatus } from '@lifeboat/protocol';
import {
  freePort,
  launchChromium,
  root,
  serveStatic,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';
const POLL_MS = 500;
const fixture = (name: string) =>
  readFileSync(join(root, 'packages/protocol/test/fixtures/statuspage', name), 'utf8');
const OPERATIONAL = fixture(
  'statuspage-summary-githubstatus-all-operational-2019-12-rapid7-github-status-checker.json',
);
const INCIDENT = fixture(
  'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
);

let server: RunningServer;
let browser: Browser;
let upstream: Server;
let upstreamUrl: string;
let current = OPERATIONAL;
/** The second site's upstream (maintenances). */
let maintenanceDoc = OPERATIONAL;
let upstreamHits = 0;

/** The operational summary with one maintenance in the given status (none: null). */
function withMaintenance(status: 'scheduled' | 'in_progress' | 'completed' | null): string {
  const doc = JSON.parse(OPERATIONAL) as Record<string, unknown>;
  if (status)
    doc['scheduled_maintenances'] = [
      {
        id: 'mnt001',
        name: 'Database upgrade',
        status,
        impact: 'maintenance',
        scheduled_for: '2022-11-25T16:00:00Z',
        scheduled_until: '2099-11-25T18:00:00Z',
        components: [{ id: '8l4ygp009s5s', name: 'Git Operations' }],
        incident_updates: [
          {
            id: `mu-${status}`,
            status,
            body: `Maintenance ${status}.`,
            created_at: '2022-11-25T16:00:00Z',
          },
        ],
      },
    ];
  return JSON.stringify(doc);
}

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamHits++;
    const body =
      req.url === '/api/v2/summary.json'
        ? current
        : req.url === '/maintenance/api/v2/summary.json'
          ? maintenanceDoc
          : null;
    if (body === null) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v2/summary.json`;
  server = await startLifeboat({
    LIFEBOAT_ADMIN_KEY: ADMIN_KEY,
    LIFEBOAT_POLL_INTERVAL_MS: String(POLL_MS),
    // The fake upstream is on loopback, which the poller refuses unless allowed.
    LIFEBOAT_STATUS_ALLOW: '127.0.0.1',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => upstream?.close(r));
});

describe('status poller end to end', () => {
  it('shows an upstream incident in the banner without a reload', async () => {
    const pagePort = await freePort();
    const pageOrigin = `http://127.0.0.1:${pagePort}`;
    const created = await fetch(`${server.url}/v1/admin/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        slug: 'mirror',
        name: 'GitHub mirror',
        origins: [pageOrigin],
        statusUrl: upstreamUrl,
      }),
    });
    expect(created.status).toBe(201);
    // the server polls the upstream; browsers never do
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${server.url}/v1/sites/mirror/status`)).json()) as {
              source?: { lastSuccessAt: string | null };
            }
          ).source?.lastSuccessAt ?? null,
        { timeout: 10_000 },
      )
      .not.toBeNull();

    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mirror status</title><link rel="icon" href="data:,">
<script type="module" src="${server.url}/cdn/lifeboat.js" data-server="${server.url}" data-site="mirror"></script></head>
<body><main><h1>Mirror status</h1><lifeboat-banner></lifeboat-banner></main></body></html>`;
    const host = await serveStatic({ '/index.html': html }, pagePort);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = watchConsole(page);
      await page.goto(pageOrigin + '/');
      const banner = page.locator('lifeboat-banner');
      // The page gives no hint: the incident arrives in the banner's compact line.
      const incidentRegion = () =>
        banner.locator('[part="title"]', { hasText: /Incident with Packages and Pages/i }).count();
      await expect
        .poll(() => banner.getByText(/operational/i).count(), { timeout: 15_000 })
        .toBeGreaterThan(0);
      expect(await incidentRegion()).toBe(0);

      const hitsBefore = upstreamHits;
      current = INCIDENT;
      await expect.poll(incidentRegion, { timeout: 8 * POLL_MS + 5_000 }).toBeGreaterThan(0);
      expect(upstreamHits).toBeGreaterThan(hitsBefore);
      expect(page.url()).toBe(pageOrigin + '/');
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await host.close();
    }
  });

  it('shows a maintenance live as it starts and removes it when it completes', async () => {
    const pagePort = await freePort();
    const pageOrigin = `http://127.0.0.1:${pagePort}`;
    maintenanceDoc = withMaintenance('scheduled');
    const created = await fetch(`${server.url}/v1/admin/sites`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        slug: 'maint',
        name: 'Maintenance mirror',
        origins: [pageOrigin],
        statusUrl: upstreamUrl.replace('/api/', '/maintenance/api/'),
      }),
    });
    expect(created.status).toBe(201);
    const lastEventId = async () =>
      ((await (await fetch(`${server.url}/v1/sites/maint/status`)).json()) as SiteStatus)
        .lastEventId;
    // the scheduled one is known (one event) before the page opens
    await expect.poll(lastEventId, { timeout: 10_000 }).toBe(1);

    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Maintenance status</title><link rel="icon" href="data:,">
<script type="module" src="${server.url}/cdn/lifeboat.js" data-server="${server.url}" data-site="maint"></script></head>
<body><main><h1>Maintenance status</h1><lifeboat-banner></lifeboat-banner></main></body></html>`;
    const host = await serveStatic({ '/index.html': html }, pagePort);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = watchConsole(page);
      let snapshots = 0;
      page.on('request', (r) => void (r.url().endsWith('/v1/sites/maint/status') && snapshots++));
      await page.goto(pageOrigin + '/');
      const banner = page.locator('lifeboat-banner');
      const region = () => banner.getByRole('region', { name: 'Database upgrade' }).count();
      await expect
        .poll(() => banner.getByText(/operational/i).count(), { timeout: 15_000 })
        .toBeGreaterThan(0);
      // a scheduled maintenance is not shown as in progress
      expect(await region()).toBe(0);

      maintenanceDoc = withMaintenance('in_progress');
      // first in the compact line (no hint on this page), then in full on "Show details"
      await banner
        .getByRole('button', { name: 'Show details' })
        .click({ timeout: 8 * POLL_MS + 5_000 });
      await expect.poll(region).toBe(1);
      expect(await banner.getByText('Maintenance in progress').count()).toBe(1);
      expect(await banner.getByText('Under maintenance').count()).toBeGreaterThan(0);

      maintenanceDoc = withMaintenance('completed');
      await expect.poll(region, { timeout: 8 * POLL_MS + 5_000 }).toBe(0);
      expect(await banner.getByText(/operational/i).count()).toBeGreaterThan(0);
      // it all came over the stream: the snapshot was read once
      expect(snapshots).toBe(1);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await host.close();
    }
  });

  it("carries an incident the CLI writes to the running server's open streams, within seconds", async () => {
    const { lastEventId } = (await (
      await fetch(`${server.url}/v1/sites/demo/status`)
    ).json()) as SiteStatus;
    const abort = new AbortController();
    const stream = await fetch(`${server.url}/v1/sites/demo/stream?lastEventId=${lastEventId}`, {
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    let text = '';
    const reading = (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of stream.body as unknown as AsyncIterable<Uint8Array>)
          text += decoder.decode(chunk, { stream: true });
      } catch {
        // aborted
      }
    })();
    try {
      await expect.poll(() => text.includes('event: ready'), { timeout: 5000 }).toBe(true);
      // a separate process on the same data directory, as an operator would run it
      const { stdout } = await promisify(execFile)(
        process.execPath,
        [
          '--conditions=source',
          '--import',
          'tsx',
          'packages/server/src/cli/main.ts',
          'incident',
          'create',
          '--site',
          'demo',
          '--title',
          'Written from the CLI',
          '--impact',
          'minor',
          '--body',
          'Investigating from a terminal.',
        ],
        { cwd: root, env: { ...process.env, LIFEBOAT_DATA_DIR: server.dataDir } },
      );
      expect(stdout).toMatch(/[0-9A-Z]{26}/);
      // no other event happens on the site meanwhile: only the server's watch can deliver it
      await expect
        .poll(() => text.includes('event: incident.opened'), { timeout: 5000 })
        .toBe(true);
      expect(text).toContain('Written from the CLI');
    } finally {
      abort.abort();
      await reading;
    }
  }, 60_000);
});
