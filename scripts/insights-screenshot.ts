/**
 * Screenshots of the demo insights page (/insights/) after a scripted incident, as staff see it:
 * light and dark, 375 and 1280 px wide. Writes PNGs to $SHOTS_DIR (default /tmp/lifeboat-shots)
 * and docs/insights-screenshot.png (light, 1280 px). Needs the elements build:
 *
 *   pnpm --filter @lifeboat/elements build && node --conditions=source --import tsx scripts/insights-screenshot.ts
 */
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, root, startLifeboat } from '../tests/e2e/harness.js';
import { scriptIncident } from '../tests/e2e/insights-seed.js';
import { ADMIN_KEY, printedStaffToken } from '../tests/e2e/moderation-seed.js';

const out = process.env.SHOTS_DIR ?? '/tmp/lifeboat-shots';
mkdirSync(out, { recursive: true });
const server = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
const browser = await launchChromium();
try {
  await scriptIncident(server.url);
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
      await page.goto(server.url + '/insights/');
      await page.getByLabel('Staff token').fill(token);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.locator('lifeboat-insights #report-heading').waitFor();
      // The seeded incident with 40 minutes of history shows the report best.
      await page
        .locator('lifeboat-insights')
        .getByRole('button', { name: 'Report of “Elevated error rates on webhook deliveries”' })
        .click();
      await page
        .locator('lifeboat-insights #report-heading', { hasText: 'Elevated error rates' })
        .waitFor();
      await page.mouse.click(1, 1);
      await page.waitForTimeout(400);
      const file = join(out, `insights-${colorScheme}-${width}.png`);
      await page.screenshot({ path: file, fullPage: true });
      console.log(file);
      await context.close();
    }
  }
  copyFileSync(join(out, 'insights-light-1280.png'), join(root, 'docs/insights-screenshot.png'));
} finally {
  await browser.close();
  await server.stop();
}
