/**
 * Early warning between real browsers (issue 12, docs/early-warning.md): on a calm demo page a
 * visitor taps "Something not working?" and names a component; others report too (over the API,
 * each from a browser of its own) until the detector finds a spike; a moderator on the demo
 * moderation page sees it arrive live in the early-warning panel, and declares an incident in one
 * click: the incident opens with the reporters as its "affected" list, and the visitor's banner
 * shows it. Real server (`lifeboat start --demo`), the built modules, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  axeViolations,
  launchChromium,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';
import { calmDemo, firstComponent, reportProblems } from './early-warning-seed.js';
import { ADMIN_KEY, printedStaffToken } from './moderation-seed.js';

let server: RunningServer;
let browser: Browser;
let token: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
  browser = await launchChromium();
  await vi.waitFor(() => expect(printedStaffToken(server.output())).toBeTruthy(), {
    timeout: 20_000,
  });
  token = printedStaffToken(server.output())!;
  await calmDemo(server.url);
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

async function open(path: string): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(server.url + path);
  return { page, errors };
}

describe('early warning', () => {
  it('a visitor reports, staff see the spike live and declare an incident in one click', async () => {
    const component = await firstComponent(server.url);
    const visitor = await open('/');
    const banner = visitor.page.locator('lifeboat-banner');
    await banner.getByRole('button', { name: 'Something not working?' }).click();
    const select = banner.getByRole('combobox', { name: 'Which part? (optional)' });
    await select.selectOption(component.id);
    await expect
      .poll(() => banner.locator('[part="report-status"]').textContent())
      .toContain('Thanks');

    const staff = await open('/moderation/');
    await staff.page.getByLabel('Staff token').fill(token);
    await staff.page.getByRole('button', { name: 'Sign in' }).click();
    const moderation = staff.page.locator('lifeboat-moderation');
    await moderation.getByRole('tab', { name: /Queue/ }).waitFor();
    expect(await moderation.locator('[part="spikes"]').count()).toBe(0);

    // Five more browsers: six reporters in an hour on a site without history is a spike.
    await reportProblems(server.url, 5, component.id);
    const spike = moderation.locator('[part="spikes"]');
    await spike.waitFor({ timeout: 15_000 });
    expect(await spike.textContent()).toContain(`6 members report problems with ${component.name}`);
    expect(await axeViolations(staff.page)).toEqual([]);

    await moderation.getByRole('button', { name: 'Declare incident' }).click();
    await expect.poll(() => spike.textContent()).toContain('Declared as an incident');

    // The visitor's banner shows the new incident, with the six reporters as "affected".
    await banner.getByText(`Problems with ${component.name}`).first().waitFor({ timeout: 15_000 });
    const status = (await (await fetch(`${server.url}/v1/sites/demo/status`)).json()) as {
      incidents: Array<{ title: string; affectedCount: number }>;
    };
    expect(status.incidents).toEqual([
      expect.objectContaining({ title: `Problems with ${component.name}`, affectedCount: 6 }),
    ]);
    expect(visitor.errors).toEqual([]);
    expect(staff.errors).toEqual([]);
  }, 120_000);
});
