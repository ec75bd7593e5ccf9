/**
 * `pnpm screenshots`: the demo page as a visitor sees it, light and dark, 375 and 1280 px wide.
 * Writes PNGs to $SHOTS_DIR (default /tmp/lifeboat-shots) and docs/screenshot.png for the README.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, root, startLifeboat } from '../tests/e2e/harness.js';

const out = process.env.SHOTS_DIR ?? '/tmp/lifeboat-shots';
mkdirSync(out, { recursive: true });
const server = await startLifeboat();
const browser = await launchChromium();
try {
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [375, 1280]) {
      const context = await browser.newContext({
        viewport: { width, height: 900 },
        colorScheme,
        deviceScaleFactor: width < 500 ? 2 : 1,
      });
      const page = await context.newPage();
      await page.goto(server.url + '/');
      await page.locator('lifeboat-thread article').first().waitFor();
      await page.waitForTimeout(500);
      const file = join(out, `demo-${colorScheme}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await context.close();
    }
  }
  copyFileSync(join(out, 'demo-light-1280.png'), join(root, 'docs/screenshot.png'));
} finally {
  await browser.close();
  await server.stop();
}
