// Screenshots of the demo page (build it first: `pnpm screenshots`), light and dark, 375 and 1280 px.
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { chromium } from 'playwright-core';

const root = resolve(import.meta.dirname, '../dist/demo');
const out = process.env.SHOTS_DIR ?? '/tmp/lifeboat-shots';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  try {
    const file = join(root, path === '/' ? 'index.html' : path);
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const url = `http://127.0.0.1:${server.address().port}/`;

const browser = await chromium.launch({
  executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
  args: [
    '--no-sandbox',
    '--headless',
    '--disable-gpu',
    '--disable-dev-shm-usage',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
mkdirSync(out, { recursive: true });
try {
  for (const width of [375, 1280]) {
    for (const colorScheme of ['light', 'dark']) {
      const page = await browser.newPage({
        viewport: { width, height: 900 },
        deviceScaleFactor: 1,
      });
      await page.emulateMedia({ colorScheme });
      await page.goto(url);
      await page.waitForFunction(() =>
        document.querySelector('lifeboat-thread')?.shadowRoot?.querySelector('article'),
      );
      const file = `${out}/demo-${width}-${colorScheme}.png`;
      await page.screenshot({ path: file, fullPage: true });
      await page.screenshot({ path: file.replace('.png', '-top.png') });
      if (width === 1280 && colorScheme === 'light') {
        await page.getByRole('button', { name: 'Timeline' }).click();
        await page.waitForTimeout(100);
        await page.screenshot({ path: `${out}/demo-timeline.png` });
      }
      console.log(file);
      await page.close();
    }
  }
  // The banner alone, in each scenario of demo/main.ts.
  for (const scenario of ['incident', 'maintenance', 'direct', 'dismissed']) {
    for (const width of [375, 1280]) {
      for (const colorScheme of ['light', 'dark']) {
        const page = await browser.newPage({
          viewport: { width, height: 900 },
          deviceScaleFactor: 2,
        });
        await page.emulateMedia({ colorScheme });
        await page.goto(`${url}?scenario=${scenario}`);
        await page.waitForFunction(() =>
          document.querySelector('lifeboat-banner')?.shadowRoot?.querySelector('[part="overall"]'),
        );
        await page.waitForTimeout(300);
        const file = `${out}/banner-${scenario}-${width}-${colorScheme}.png`;
        await page.locator('lifeboat-banner').screenshot({ path: file });
        console.log(file);
        await page.close();
      }
    }
  }
} finally {
  await browser.close();
  server.close();
}
