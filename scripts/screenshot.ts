/**
 * `pnpm screenshots`: the demo page as a visitor sees it, and the demo moderation page with a
 * seeded queue as a moderator sees it; light and dark, 375 and 1280 px wide.
 * Writes PNGs to $SHOTS_DIR (default /tmp/lifeboat-shots) and docs/screenshot.png for the README.
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, root, startLifeboat } from '../tests/e2e/harness.js';
import { ADMIN_KEY, printedStaffToken, seedQueue } from '../tests/e2e/moderation-seed.js';

const out = process.env.SHOTS_DIR ?? '/tmp/lifeboat-shots';
mkdirSync(out, { recursive: true });
const server = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
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

  // <lifeboat-moderation> on the demo moderation page, with a queue to work through.
  await seedQueue(server.url);
  const token = printedStaffToken(server.output());
  if (!token) throw new Error(`no staff token in the server output:\n${server.output()}`);
  for (const colorScheme of ['light', 'dark'] as const) {
    for (const width of [375, 1280]) {
      const context = await browser.newContext({
        viewport: { width, height: 900 },
        colorScheme,
        deviceScaleFactor: width < 500 ? 2 : 1,
      });
      const page = await context.newPage();
      await page.goto(server.url + '/moderation/');
      await page.getByLabel('Staff token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('lifeboat-moderation article').nth(2).waitFor();
      await page.locator('lifeboat-moderation article').first().focus();
      await page.waitForTimeout(300);
      const file = join(out, `moderation-${colorScheme}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await page.locator('lifeboat-moderation').getByRole('tab', { name: 'Audit log' }).click();
      await page.locator('lifeboat-moderation [part="audit-list"] li').first().waitFor();
      const audit = join(out, `moderation-audit-${colorScheme}-${width}.png`);
      await page.screenshot({ path: audit, fullPage: true });
      console.log(audit);
      await context.close();
    }
  }
  copyFileSync(
    join(out, 'moderation-light-1280.png'),
    join(root, 'docs/moderation-screenshot.png'),
  );
} finally {
  await browser.close();
  await server.stop();
}
