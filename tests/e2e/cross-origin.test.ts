/**
 * The script tag on a status page served from another origin: the bundle loads cross-origin
 * with its SRI hash, and the API accepts that origin only because the site allows it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  freePort,
  launchChromium,
  root,
  serveStatic,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

let server: RunningServer;
let browser: Browser;
let allowedPort: number;

const page = (serverUrl: string, integrity: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Embed</title><link rel="icon" href="data:,">
<script type="module" src="${serverUrl}/cdn/lifeboat.js" integrity="${integrity}" crossorigin="anonymous"
  data-server="${serverUrl}" data-site="demo"></script></head>
<body><main><lifeboat-banner expect="incident"></lifeboat-banner><lifeboat-thread></lifeboat-thread></main></body></html>`;

beforeAll(async () => {
  allowedPort = await freePort();
  server = await startLifeboat({ LIFEBOAT_DEMO_ORIGINS: `http://127.0.0.1:${allowedPort}` });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('cross-origin embed', () => {
  it('loads the bundle with SRI and talks to the API from an allowed origin', async () => {
    const integrity = readFileSync(
      join(root, 'packages/elements/dist/cdn/lifeboat.js.sri'),
      'utf8',
    ).trim();
    const host = await serveStatic({ '/index.html': page(server.url, integrity) }, allowedPort);
    try {
      const context = await browser.newContext();
      const p = await context.newPage();
      const errors = watchConsole(p);
      await p.goto(host.url + '/');
      await expect
        .poll(
          () =>
            p
              .locator('lifeboat-banner')
              .getByRole('region', { name: /webhook/i })
              .count(),
          { timeout: 15_000 },
        )
        .toBeGreaterThan(0);
      await expect
        .poll(() => p.locator('lifeboat-thread').locator('article').count())
        .toBeGreaterThan(1);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await host.close();
    }
  });

  it('refuses writes from an origin the site does not allow', async () => {
    const session = await fetch(`${server.url}/v1/sites/demo/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ displayName: 'Mallory' }),
    });
    expect(session.status).toBe(403);
    expect(session.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(session.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('serves the bundle with CORS and cache headers', async () => {
    const r = await fetch(`${server.url}/cdn/lifeboat.js`, {
      headers: { origin: 'https://anywhere.example' },
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBe('*');
    expect(r.headers.get('content-type')).toMatch(/javascript/);
    expect(r.headers.get('cache-control')).toMatch(/max-age/);
  });
});
