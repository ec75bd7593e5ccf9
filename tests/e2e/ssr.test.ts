/**
 * examples/ssr (docs/frameworks.md): a plain Node server renders the status page with Lifeboat's
 * status, the script tag and the banner's `expect` hint; in Chromium the components upgrade in
 * place and show the demo incident and its thread.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import {
  freePort,
  launchChromium,
  root,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

let server: RunningServer;
let browser: Browser;
let ssr: ChildProcess;
let pageUrl: string;

beforeAll(async () => {
  const port = await freePort();
  pageUrl = `http://127.0.0.1:${port}/`;
  server = await startLifeboat({ LIFEBOAT_DEMO_ORIGINS: `http://127.0.0.1:${port}` });
  ssr = spawn(process.execPath, [join(root, 'examples/ssr/server.mjs')], {
    env: { ...process.env, LIFEBOAT_SERVER: server.url, LIFEBOAT_SITE: 'demo', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    ssr.stdout!.once('data', () => resolve());
    ssr.once('exit', (code) => reject(new Error(`examples/ssr exited with ${code}`)));
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  if (ssr && ssr.exitCode === null) {
    const exited = new Promise((r) => ssr.once('exit', r));
    ssr.kill('SIGTERM');
    await exited;
  }
  await server?.stop();
});

describe('the server-rendered example', () => {
  it('renders the status with the expect hint, and the components upgrade with live data', async () => {
    const html = await (await fetch(pageUrl)).text();
    expect(html).toContain(`<script type="module" src="${server.url}/cdn/lifeboat.js"`);
    expect(html).toContain('<lifeboat-banner expect="incident"></lifeboat-banner>');
    expect(html).toMatch(/<li data-status="[a-z_]+">Webhooks<\/li>/);

    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.goto(pageUrl);
    await page
      .locator('lifeboat-banner')
      .getByRole('region', { name: /webhook/i })
      .waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('lifeboat-thread lifeboat-answer').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(errors).toEqual([]);
    await context.close();
  });
});
