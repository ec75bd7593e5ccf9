/**
 * Screenshots of early warning on the demo: the calm banner with "Something not working?", the
 * banner once others' reports are corroborated, and the moderation console's early-warning
 * panel; light and dark, 375 and 1280 px wide. Writes PNGs to $SHOTS_DIR (default
 * /tmp/lifeboat-shots). Needs the elements build:
 *
 *   pnpm --filter @lifeboat/elements build && node --conditions=source --import tsx scripts/early-warning-screenshot.ts
 */
import { mkdirSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { join } from 'node:path';
import { launchChromium, startLifeboat } from '../tests/e2e/harness.js';
import { calmDemo, firstComponent, reportProblems } from '../tests/e2e/early-warning-seed.js';
import { ADMIN_KEY, printedStaffToken } from '../tests/e2e/moderation-seed.js';

const out = process.env.SHOTS_DIR ?? '/tmp/lifeboat-shots';
mkdirSync(out, { recursive: true });
const server = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
const browser = await launchChromium();
const sizes = ['light', 'dark'].flatMap((c) => [375, 1280].map((w) => [c, w] as const));
const shoot = async (name: string, path: string, ready: (page: Page) => Promise<void>) => {
  for (const [colorScheme, width] of sizes) {
    const context = await browser.newContext({
      viewport: { width, height: 900 },
      colorScheme,
      deviceScaleFactor: width < 500 ? 2 : 1,
    });
    const page = await context.newPage();
    await page.goto(server.url + path);
    await ready(page);
    await page.waitForTimeout(400);
    const file = join(out, `${name}-${colorScheme}-${width}.png`);
    await page.screenshot({ path: file, fullPage: width > 500 });
    console.log(file);
    await context.close();
  }
};
try {
  await calmDemo(server.url);
  await shoot('early-warning-calm', '/', async (page) => {
    await page.locator('lifeboat-banner [part="report-problem-button"]').waitFor();
  });
  const component = await firstComponent(server.url);
  await reportProblems(server.url, 6, component.id);
  const token = printedStaffToken(server.output());
  if (!token) throw new Error(`no staff token in the server output:\n${server.output()}`);
  await shoot('early-warning-moderation', '/moderation/', async (page) => {
    await page.getByLabel('Staff token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('lifeboat-moderation [part="spikes"]').waitFor();
  });
  // Corroborated (here by a lower site threshold): the public banner says so.
  await fetch(`${server.url}/v1/admin/sites/demo/policy`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ earlyWarningPublicMembers: 5 }),
  });
  await shoot('early-warning-signal', '/', async (page) => {
    await page.locator('lifeboat-banner [part="signal"]').waitFor();
  });
} finally {
  await browser.close();
  await server.stop();
}
