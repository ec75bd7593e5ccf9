/**
 * The script tag is a loader (ADR 0032): on a status page served from another origin under a
 * strict CSP (script-src and connect-src the Lifeboat origin only, no inline, no eval), a
 * banner-only page loads the banner's chunks and no thread or form chunk; a `<lifeboat-thread>`
 * added later (a single-page app) loads its chunk and works; popover positioning loads on the
 * first open. A changed chunk is refused (its integrity is carried by the loader), and the
 * single-file build works with one SRI hash.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  cdnFiles,
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
let hostPort: number;

const cdnDir = join(root, 'packages/elements/dist/cdn');
const table = JSON.parse(
  readFileSync(join(root, 'packages/elements/dist/cdn-chunks.json'), 'utf8'),
) as { entries: Record<string, string>; chunks: Record<string, [string, string[]]> };
const sri = (file: string) => readFileSync(join(cdnDir, file), 'utf8').trim();

const page = (opts: {
  cdn: string;
  server: string;
  script?: string;
  integrity?: string;
  body: string;
}) =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Status</title><link rel="icon" href="data:,">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${opts.cdn}/; connect-src ${opts.server}; style-src 'self'; img-src 'self' data:">
<script type="module" src="${opts.cdn}/${opts.script ?? 'lifeboat.js'}" crossorigin="anonymous"${
    opts.integrity ? ` integrity="${opts.integrity}"` : ''
  } data-server="${opts.server}" data-site="demo"></script></head>
<body><main><h1>Status</h1>${opts.body}</main></body></html>`;

/** Paths under /cdn/ the page requested, in order. */
function cdnRequests(p: Page): string[] {
  const paths: string[] = [];
  p.on('request', (r) => {
    const { pathname } = new URL(r.url());
    const at = pathname.indexOf('/chunks/');
    if (at >= 0) paths.push(pathname.slice(at + 1));
    else if (pathname.endsWith('.js')) paths.push(pathname.slice(pathname.lastIndexOf('/') + 1));
  });
  return paths;
}

/** The part of `window.Lifeboat` these tests read. */
interface PageGlobal {
  Lifeboat?: { client?: { site: string }; ready: Promise<{ site: string } | undefined> };
}

const named = (entry: string) => table.entries[entry]!;
const optional = (prefix: string) =>
  Object.keys(table.chunks).find((f) => f.startsWith(`chunks/${prefix}-`))!;

beforeAll(async () => {
  hostPort = await freePort();
  server = await startLifeboat({ LIFEBOAT_DEMO_ORIGINS: `http://127.0.0.1:${hostPort}` });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('the script tag loader, cross-origin under a strict CSP', () => {
  it('a banner-only page loads no thread or form chunk; a thread added later loads and works', async () => {
    const html = page({
      cdn: `${server.url}/cdn`,
      server: server.url,
      integrity: sri('lifeboat.js.sri'),
      body: '<lifeboat-banner expect="incident"></lifeboat-banner><div id="app"></div>',
    });
    const host = await serveStatic({ '/index.html': html }, hostPort);
    try {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      const p = await context.newPage();
      const errors = watchConsole(p);
      const requested = cdnRequests(p);
      const statusReads: string[] = [];
      p.on('request', (r) => {
        if (new URL(r.url()).pathname === '/v1/sites/demo/status') statusReads.push(r.url());
      });
      await p.goto(host.url + '/');
      const banner = p.locator('lifeboat-banner');
      await banner.getByRole('region', { name: /webhook/i }).waitFor({ timeout: 15_000 });
      await p.waitForLoadState('networkidle');

      expect(requested).toContain('lifeboat.js');
      expect(requested).toContain(named('banner'));
      expect(requested).toContain(named('runtime'));
      expect(requested).not.toContain(named('thread'));
      expect(requested).not.toContain(named('workaround-form'));
      // optional code not used yet: popover positioning, direct mode, proof of work
      expect(requested).not.toContain(optional('position'));
      expect(requested).not.toContain(optional('direct'));
      expect(requested).not.toContain(optional('challenge'));
      // every chunk was fetched once, and the status snapshot the loader asked for was used
      expect(new Set(requested).size).toBe(requested.length);
      expect(statusReads).toHaveLength(1);

      // the timeline popover: positioning loads on the first open, through the loader
      await banner
        .getByRole('button', { name: /timeline/i })
        .first()
        .click();
      await banner.getByRole('dialog', { name: /official updates/i }).waitFor();
      expect(requested).toContain(optional('position'));
      await p.keyboard.press('Escape');

      // a single-page app adds a thread later (through CDP: the page's CSP allows no inline)
      await p.evaluate(() => {
        document.querySelector('#app')!.append(document.createElement('lifeboat-thread'));
      });
      await expect
        .poll(() => p.locator('lifeboat-thread').locator('article').count(), { timeout: 15_000 })
        .toBeGreaterThan(1);
      expect(requested).toContain(named('thread'));
      expect(requested).not.toContain(named('workaround-form'));
      expect(new Set(requested).size).toBe(requested.length);
      expect(await p.evaluate(() => (window as PageGlobal).Lifeboat?.client?.site)).toBe('demo');
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await host.close();
    }
  });

  it('refuses a chunk that differs from the one the loader was built with', async () => {
    // The page's own origin serves a copy of dist/cdn with the banner chunk changed by a comment.
    const files = cdnFiles();
    const banner = `/${named('banner')}`;
    files[banner] = `${files[banner]}\n/* changed */`;
    const hostUrl = `http://127.0.0.1:${hostPort}`;
    const html = page({
      cdn: hostUrl,
      server: server.url,
      body: '<lifeboat-banner expect="incident"></lifeboat-banner>',
    });
    const host = await serveStatic({ ...files, '/index.html': html }, hostPort);
    try {
      const context = await browser.newContext();
      const p = await context.newPage();
      const errors = watchConsole(p);
      // The runtime arrives late, so the banner's refusal comes before the loader would import
      // it: an import then would fetch it again, unchecked; the loader must not make one.
      await p.route('**/chunks/runtime-*', async (route) => {
        await new Promise((r) => setTimeout(r, 1000));
        await route.continue();
      });
      await p.goto(host.url + '/');
      await expect
        .poll(() => errors.join('\n'), { timeout: 15_000 })
        .toMatch(/could not load <lifeboat-banner>/);
      expect(errors.join('\n')).toMatch(/integrity/i);
      expect(await p.evaluate(() => customElements.get('lifeboat-banner'))).toBeUndefined();
      expect(await p.locator('lifeboat-banner').evaluate((el) => el.shadowRoot)).toBeNull();
      // the runtime chunk, unchanged, loaded: only the changed one is refused
      expect(
        await p.evaluate(() => (window as PageGlobal).Lifeboat?.ready.then((c) => c?.site)),
      ).toBe('demo');
      await context.close();
    } finally {
      await host.close();
    }
  });

  it('the single-file build works with one SRI hash and loads no chunk', async () => {
    const html = page({
      cdn: `${server.url}/cdn`,
      server: server.url,
      script: 'lifeboat.all.js',
      integrity: sri('lifeboat.all.js.sri'),
      body: '<lifeboat-banner expect="incident"></lifeboat-banner><lifeboat-thread></lifeboat-thread>',
    });
    const host = await serveStatic({ '/index.html': html }, hostPort);
    try {
      const context = await browser.newContext();
      const p = await context.newPage();
      const errors = watchConsole(p);
      const requested = cdnRequests(p);
      await p.goto(host.url + '/');
      await p
        .locator('lifeboat-banner')
        .getByRole('region', { name: /webhook/i })
        .waitFor({ timeout: 15_000 });
      await expect
        .poll(() => p.locator('lifeboat-thread').locator('article').count())
        .toBeGreaterThan(1);
      expect(requested).toEqual(['lifeboat.all.js']);
      expect(errors).toEqual([]);
      await context.close();
    } finally {
      await host.close();
    }
  });

  it('serves content-hashed chunks as immutable, the loader as revalidated', async () => {
    const chunk = await fetch(`${server.url}/cdn/${named('banner')}`);
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('cache-control')).toMatch(/immutable/);
    expect(chunk.headers.get('access-control-allow-origin')).toBe('*');
    const loader = await fetch(`${server.url}/cdn/lifeboat.js`);
    expect(loader.headers.get('cache-control')).not.toMatch(/immutable/);
  });
});
