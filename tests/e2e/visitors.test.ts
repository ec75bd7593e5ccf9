/**
 * Two visitors helping each other live: the real server (`lifeboat start --demo`), the demo
 * status page, the built script tag, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  axeViolations,
  launchChromium,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startLifeboat();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  const code = await server?.stop();
  expect(code, 'Ctrl-C stops the server cleanly').toBe(0);
});

async function visitor(): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(server.url + '/');
  // The components' chunks load after the page's load event (the script tag is a loader).
  await expect
    .poll(
      () =>
        banner(page)
          .getByRole('region', { name: /webhook/i })
          .count(),
      { timeout: 20_000 },
    )
    .toBeGreaterThan(0);
  return { context, page, errors };
}

const thread = (page: Page) => page.locator('lifeboat-thread');
/** Live answers from others wait behind "Show N new answers": show them, then count. */
const countShown = async (page: Page, text: string) => {
  const more = thread(page).getByRole('button', { name: /show \d+ new answers?/i });
  if (await more.count()) await more.click();
  return thread(page).getByText(text).count();
};
const banner = (page: Page) => page.locator('lifeboat-banner');

describe('demo status page', () => {
  it('shows the incident banner, the thread and the form, with no console errors and no axe violations', async () => {
    const { context, page, errors } = await visitor();
    await expect
      .poll(() =>
        banner(page)
          .getByRole('button', { name: /affected/i })
          .count(),
      )
      .toBe(1);
    await expect.poll(() => thread(page).locator('article').count()).toBeGreaterThan(2);
    await expect
      .poll(() =>
        page
          .locator('lifeboat-workaround-form')
          .getByRole('button', { name: /submit|suggest/i })
          .count(),
      )
      .toBeGreaterThan(0);
    await expect.poll(() => page.locator('#component-list li').count()).toBeGreaterThan(3);
    const violations = await axeViolations(page);
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('fits a 375 px phone screen without horizontal scrolling, light and dark', async () => {
    for (const colorScheme of ['light', 'dark'] as const) {
      const context = await browser.newContext({
        viewport: { width: 375, height: 812 },
        colorScheme,
      });
      const page = await context.newPage();
      const errors = watchConsole(page);
      await page.goto(server.url + '/');
      await expect.poll(() => thread(page).locator('article').count()).toBeGreaterThan(2);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        375,
      );
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  it('an answer posted by one visitor appears for the other without a reload', async () => {
    const alice = await visitor();
    const bob = await visitor();
    const text = `Rotating the webhook secret fixed it for me ${Date.now()}`;

    const composer = thread(alice.page);
    const name = composer.getByLabel(/name/i);
    if (await name.count()) await name.fill('Alice');
    await composer.getByRole('textbox', { name: /your answer/i }).fill(text);
    await composer.getByRole('button', { name: /^post answer$/i }).click();

    await expect.poll(() => thread(alice.page).getByText(text).count()).toBe(1);
    await expect.poll(() => countShown(bob.page, text), { timeout: 10_000 }).toBe(1);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });

  it('a confirmation counts once even when the same visitor clicks it twice', async () => {
    const carol = await visitor();
    const secondTab = await carol.context.newPage();
    await secondTab.goto(server.url + '/');
    const dave = await visitor();

    const countOf = async (page: Page) => {
      const label =
        (await thread(page)
          .getByRole('button', { name: /worked/i })
          .first()
          .getAttribute('aria-label')) ??
        (await thread(page)
          .getByRole('button', { name: /worked/i })
          .first()
          .innerText());
      return Number(/(\d+)/.exec(label)?.[1] ?? NaN);
    };
    await expect
      .poll(() =>
        thread(dave.page)
          .getByRole('button', { name: /worked/i })
          .count(),
      )
      .toBeGreaterThan(0);
    const before = await countOf(dave.page);

    await thread(carol.page)
      .getByRole('button', { name: /worked/i })
      .first()
      .click();
    await expect.poll(() => countOf(dave.page), { timeout: 10_000 }).toBe(before + 1);
    // The second tab loaded before the click: it still offers the button and sends it again.
    await expect
      .poll(() =>
        thread(secondTab)
          .getByRole('button', { name: /worked/i })
          .count(),
      )
      .toBeGreaterThan(0);
    const tabButton = thread(secondTab)
      .getByRole('button', { name: /worked/i })
      .first();
    if ((await tabButton.getAttribute('aria-pressed')) !== 'true') await tabButton.click();
    await dave.page.waitForTimeout(1000);
    expect(await countOf(dave.page)).toBe(before + 1);
    await carol.context.close();
    await dave.context.close();
  });

  it('a submitted workaround shows up in the other visitor’s thread', async () => {
    const erin = await visitor();
    const frank = await visitor();
    const form = erin.page.locator('lifeboat-workaround-form');
    const title = `Send webhooks through the EU relay ${Date.now()}`;
    const name = form.getByLabel(/name/i);
    if (await name.count()) await name.fill('Erin');
    await form.getByLabel(/title/i).fill(title);
    await form
      .getByLabel(/step 1/i)
      .fill('Open Settings → Webhooks and pick the EU relay endpoint');
    await form.getByRole('radio', { name: /safe/i }).check();
    await form.getByRole('button', { name: /submit|suggest/i }).click();
    await expect.poll(() => form.getByText(/published|review/i).count()).toBeGreaterThan(0);
    await expect.poll(() => countShown(frank.page, title), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(erin.errors).toEqual([]);
    expect(frank.errors).toEqual([]);
    await erin.context.close();
    await frank.context.close();
  });

  it('“Affected me too” counts each visitor once and updates live', async () => {
    const gina = await visitor();
    const hank = await visitor();
    const button = (p: Page) => banner(p).getByRole('button', { name: /affected/i });
    const count = async (p: Page) =>
      Number(
        /(\d+)/.exec(
          (await button(p).getAttribute('aria-label')) ?? (await button(p).innerText()),
        )?.[1] ?? NaN,
      );
    await expect.poll(() => button(hank.page).count()).toBe(1);
    const before = await count(hank.page);
    await button(gina.page).click();
    await expect.poll(() => button(gina.page).getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => count(hank.page), { timeout: 10_000 }).toBe(before + 1);
    await gina.context.close();
    await hank.context.close();
  });
});
