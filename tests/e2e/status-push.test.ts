/**
 * Push ingestion end to end: a site follows a (local, fake) Statuspage by polling every ten
 * minutes; its status page sends a webhook notification to the site's push URL, and the banner
 * on a page of another origin shows the incident at once, from the live stream, with no poll of
 * the upstream in between and no reload.
 */
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  freePort,
  launchChromium,
  serveStatic,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';
const admin = { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' };

/** An operational Statuspage summary.json (the shape of /api/v2/summary.json). */
const OPERATIONAL = JSON.stringify({
  page: {
    id: 'j2mfxwj97wnj',
    name: 'Acme Cloud',
    url: 'https://status.acme-cloud.example',
    time_zone: 'Etc/UTC',
    updated_at: '2026-12-06T15:00:00.000Z',
  },
  status: { indicator: 'none', description: 'All Systems Operational' },
  components: [
    {
      id: 'b13yz5g2cw10',
      name: 'API',
      status: 'operational',
      created_at: '2024-01-01T00:00:00.000Z',
      updated_at: '2026-12-06T15:00:00.000Z',
      position: 1,
      description: null,
      showcase: true,
      group_id: null,
      page_id: 'j2mfxwj97wnj',
      group: false,
      only_show_if_degraded: false,
    },
  ],
  incidents: [],
  scheduled_maintenances: [],
});

/**
 * The notification Statuspage sends when the incident is created: the shape of Atlassian's
 * documented incident webhook (meta, page with its indicator, incident with its updates).
 */
const NOTIFICATION = JSON.stringify({
  meta: {
    unsubscribe: 'https://status.acme-cloud.example/?unsubscribe=j0vqr9kl3513',
    documentation: 'https://doers.statuspage.io/customer-notifications/webhooks/',
    generated_at: '2026-12-06T16:02:11Z',
  },
  page: {
    id: 'j2mfxwj97wnj',
    status_indicator: 'major',
    status_description: 'Partial System Outage',
  },
  incident: {
    backfilled: false,
    created_at: '2026-12-06T16:02:00Z',
    impact: 'major',
    impact_override: null,
    monitoring_at: null,
    postmortem_body: null,
    resolved_at: null,
    scheduled_auto_transition: false,
    scheduled_for: null,
    scheduled_remind_prior: false,
    scheduled_reminded_at: null,
    scheduled_until: null,
    shortlink: 'https://stspg.io/abc123',
    status: 'investigating',
    updated_at: '2026-12-06T16:02:10Z',
    id: 'p31zjtct2jer',
    organization_id: 'j2mfxwj97wnj',
    incident_updates: [
      {
        body: 'We are investigating elevated API error rates.',
        created_at: '2026-12-06T16:02:10Z',
        display_at: '2026-12-06T16:02:10Z',
        status: 'investigating',
        twitter_updated_at: null,
        updated_at: '2026-12-06T16:02:10Z',
        wants_twitter_update: false,
        id: 'k8h6b7cql4d5',
        incident_id: 'p31zjtct2jer',
      },
    ],
    name: 'Elevated API error rates',
  },
});

let server: RunningServer;
let browser: Browser;
let upstream: Server;
let upstreamUrl: string;
let upstreamHits = 0;

beforeAll(async () => {
  upstream = createServer((req, res) => {
    upstreamHits++;
    if (req.url !== '/api/v2/summary.json') return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end(OPERATIONAL);
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  const address = upstream.address();
  upstreamUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v2/summary.json`;
  server = await startLifeboat({
    LIFEBOAT_ADMIN_KEY: ADMIN_KEY,
    // Polls ten minutes apart: whatever the banner shows within the test came by push.
    LIFEBOAT_POLL_INTERVAL_MS: '600000',
    LIFEBOAT_STATUS_ALLOW: '127.0.0.1',
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await new Promise((r) => upstream?.close(r));
});

describe('status push end to end', () => {
  it('shows a pushed Statuspage incident in the banner without waiting for a poll', async () => {
    const pagePort = await freePort();
    const pageOrigin = `http://127.0.0.1:${pagePort}`;
    const created = await fetch(`${server.url}/v1/admin/sites`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({
        slug: 'cloud',
        name: 'Acme Cloud',
        origins: [pageOrigin],
        statusUrl: upstreamUrl,
      }),
    });
    expect(created.status).toBe(201);
    // The first poll (at once when the site is made) reads the page as operational.
    await expect
      .poll(
        async () =>
          (
            (await (await fetch(`${server.url}/v1/sites/cloud/status`)).json()) as {
              source?: { lastSuccessAt: string | null };
            }
          ).source?.lastSuccessAt ?? null,
        { timeout: 20_000 },
      )
      .not.toBeNull();
    const push = await fetch(`${server.url}/v1/admin/sites/cloud/status-push`, {
      method: 'PUT',
      headers: admin,
      body: JSON.stringify({ provider: 'statuspage' }),
    });
    expect(push.status).toBe(200);
    const { url: pushUrl } = (await push.json()) as { url: string };

    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Cloud status</title><link rel="icon" href="data:,">
<script type="module" src="${server.url}/cdn/lifeboat.js" data-server="${server.url}" data-site="cloud"></script></head>
<body><main><h1>Acme Cloud status</h1><lifeboat-banner></lifeboat-banner></main></body></html>`;
    const host = await serveStatic({ '/index.html': html }, pagePort);
    try {
      const context = await browser.newContext();
      const page = await context.newPage();
      const errors = watchConsole(page);
      await page.goto(pageOrigin + '/');
      const banner = page.locator('lifeboat-banner');
      await expect
        .poll(() => banner.getByText(/operational/i).count(), { timeout: 30_000 })
        .toBeGreaterThan(0);
      const incident = () =>
        banner.locator('[part="title"]', { hasText: /Elevated API error rates/ }).count();
      expect(await incident()).toBe(0);

      const hitsBefore = upstreamHits;
      // Statuspage POSTs the notification to the push URL (a path on the server's own origin).
      const delivered = await fetch(pushUrl.replace(/^https?:\/\/[^/]+/, server.url), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: NOTIFICATION,
      });
      expect(delivered.status).toBe(202);
      await expect.poll(incident, { timeout: 20_000 }).toBeGreaterThan(0);
      // No poll of the upstream brought it: it came from the push, through the stream.
      expect(upstreamHits).toBe(hitsBefore);
      expect(page.url()).toBe(pageOrigin + '/');
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await host.close();
    }
  });
});
