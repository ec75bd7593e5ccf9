/**
 * The React and Vue examples end to end: the example built with Vite (its own config, pointed at
 * a real Lifeboat server) into a temporary directory, served from another origin, in Chromium.
 * The app shows the banner, the thread and the workaround form, and its own code hears their
 * events (`lifeboat-status-change` into the page's status line, `lifeboat-workaround-created`
 * into a thank-you note).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
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

export interface ExampleRun {
  server: RunningServer;
  browser: Browser;
  pageUrl: string;
  close: () => Promise<void>;
}

/** Runs `vite build` in examples/<name> with the server's URL; resolves to the built files. */
async function build(name: string, serverUrl: string): Promise<Record<string, string>> {
  const outDir = mkdtempSync(join(tmpdir(), `lifeboat-${name}-`));
  try {
    const child = spawn(
      process.execPath,
      [
        join(root, 'examples', name, 'node_modules/vite/bin/vite.js'),
        'build',
        '--outDir',
        outDir,
        '--emptyOutDir',
        '--logLevel',
        'warn',
      ],
      {
        cwd: join(root, 'examples', name),
        env: { ...process.env, VITE_LIFEBOAT_SERVER: serverUrl, VITE_LIFEBOAT_SITE: 'demo' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const code = await new Promise<number | null>((r) => child.once('exit', r));
    if (code !== 0) throw new Error(`vite build of examples/${name} failed:\n${output}`);
    const files: Record<string, string> = {};
    for (const file of readdirSync(outDir, { recursive: true, encoding: 'utf8' }))
      if (/\.(html|js|css)$/.test(file))
        files[`/${file}`] = readFileSync(join(outDir, file), 'utf8');
    return files;
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

/** The example built against a fresh demo server that allows the page's origin. */
export async function startExample(name: 'react' | 'vue'): Promise<ExampleRun> {
  const [serverPort, pagePort] = [await freePort(), await freePort()];
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  const files = await build(name, `http://localhost:${serverPort}`);
  const server = await startLifeboat({ LIFEBOAT_DEMO_ORIGINS: pageOrigin }, serverPort);
  const host = await serveStatic(files, pagePort);
  const browser = await launchChromium();
  return {
    server,
    browser,
    pageUrl: host.url + '/',
    close: async () => {
      await browser.close();
      await host.close();
      await server.stop();
    },
  };
}

/** What both examples must do in the browser. */
export async function checkExample(run: ExampleRun): Promise<void> {
  const context = await run.browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.goto(run.pageUrl);

    // The banner shows the demo incident; the app's own status line heard lifeboat-status-change.
    const banner = page.locator('lifeboat-banner');
    await banner.getByRole('region', { name: /webhook/i }).waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => (await page.locator('#app-status').allTextContents()).join('').trim(), {
        timeout: 15_000,
      })
      .toMatch(/· 1 open incident$/);

    // Properties, not attributes: the framework handed the app's client object to the element.
    expect(
      await banner.evaluate((el) => {
        const client = (el as HTMLElement & { client?: { site: string } }).client;
        return [client?.site, el.hasAttribute('client')];
      }),
    ).toEqual(['demo', false]);

    // The thread shows the community's answers.
    const thread = page.locator('lifeboat-thread');
    await expect
      .poll(() => thread.locator('lifeboat-answer').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);

    // The workaround form posts, and lifeboat-workaround-created reaches the app.
    const form = page.locator('lifeboat-workaround-form');
    const title = `Retry webhook deliveries from the app ${Date.now()}`;
    await form.getByLabel('Your name').fill('Ana');
    await form.getByLabel('Title', { exact: true }).fill(title);
    await form.getByLabel('Step 1', { exact: true }).fill('Replay the queued payloads');
    await form.getByRole('radio', { name: /safe/i }).check();
    await form.getByRole('button', { name: /submit workaround/i }).click();
    await expect
      .poll(async () => (await page.locator('#app-posted').allTextContents()).join('').trim(), {
        timeout: 15_000,
      })
      .toMatch(/^Thanks! Your workaround was (published|sent for review)\.$/);
    expect(errors).toEqual([]);
  } finally {
    await context.close();
  }
}
