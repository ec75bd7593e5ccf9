/**
 * "Suggest a workaround", end to end: the real server (`lifeboat start --demo`), the demo status
 * page with the built script tag, real Chromium. The draft survives a reload, a submission made
 * offline is kept and sent exactly once when the connection is back, another visitor sees the
 * card, and a near-duplicate title brings up the similar workaround to confirm instead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Post, SiteStatus, ThreadPage } from '@lifeboat/protocol';
import {
  axeViolations,
  launchChromium,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

let server: RunningServer;
let browser: Browser;
let incidentId: string;

beforeAll(async () => {
  server = await startLifeboat();
  browser = await launchChromium();
  const status = (await (await fetch(`${server.url}/v1/sites/demo/status`)).json()) as SiteStatus;
  incidentId = status.incidents[0]!.id;
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function visitor(
  viewport = { width: 1280, height: 900 },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(server.url + '/');
  // The form's chunk loads after the page's load event (the script tag is a loader).
  await expect
    .poll(() => form(page).getByLabel('Title', { exact: true }).count(), { timeout: 20_000 })
    .toBe(1);
  return { context, page, errors };
}

const form = (page: Page) => page.locator('lifeboat-workaround-form');
const thread = (page: Page) => page.locator('lifeboat-thread');
const stepInputs = (page: Page) => form(page).locator('.step input');

/** Workarounds with this title the server holds for the incident (published ones). */
async function storedWithTitle(title: string): Promise<Post[]> {
  const res = await fetch(
    `${server.url}/v1/sites/demo/incidents/${encodeURIComponent(incidentId)}/thread?limit=200`,
  );
  const page = (await res.json()) as ThreadPage;
  return page.posts.filter((p) => p.workaround?.title === title);
}

/** Console errors minus the ones going offline on purpose causes (failed requests, stream). */
const unexpected = (errors: string[]) =>
  errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource|EventSource/i.test(e));

describe('suggest a workaround', () => {
  it('keeps the draft across a reload, holds an offline submission and sends it once, and another visitor sees the card', async () => {
    const ana = await visitor();
    const bo = await visitor();
    const f = form(ana.page);
    const title = `Queue webhook payloads in S3 and replay ${Date.now()}`;

    await f.getByLabel('Your name').fill('Ana');
    await f.getByLabel('Title', { exact: true }).fill(title);
    await f.getByLabel('Step 1', { exact: true }).fill('Replay the queued payloads when resolved');
    await f.getByRole('button', { name: /add step/i }).click();
    await f.getByLabel('Step 2', { exact: true }).fill('Point the webhook at the S3 relay');
    // Keyboard-only reorder: the second step goes first.
    await f.getByRole('button', { name: 'Move step 2 up' }).press('Enter');
    await f.getByLabel(/component/i).selectOption({ label: 'Webhooks' });
    await f.getByRole('radio', { name: /safe/i }).check();

    // Reload mid-way: everything is still there, steps in their new order.
    await ana.page.reload();
    await expect.poll(() => f.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
    expect(
      await stepInputs(ana.page).evaluateAll((els) =>
        els.map((e) => (e as HTMLInputElement).value),
      ),
    ).toEqual(['Point the webhook at the S3 relay', 'Replay the queued payloads when resolved']);
    expect(await f.getByLabel(/component/i).inputValue()).toBe('webhooks');
    expect(await f.getByRole('radio', { name: /safe/i }).isChecked()).toBe(true);
    await expect.poll(() => f.getByText(/draft restored/i).count()).toBe(1);

    // Offline: the submission fails softly, nothing is lost, nothing reaches the server.
    await ana.context.setOffline(true);
    await f.getByRole('button', { name: /submit workaround/i }).click();
    await expect.poll(() => f.getByText(/you are offline/i).count()).toBe(1);
    expect(await f.getByLabel('Title', { exact: true }).inputValue()).toBe(title);
    expect(await storedWithTitle(title)).toHaveLength(0);

    // Back online: it is sent (automatically, and a Retry click on top changes nothing).
    await ana.context.setOffline(false);
    const retry = f.getByRole('button', { name: /^retry$/i });
    if (await retry.count()) await retry.click({ timeout: 2000 }).catch(() => undefined);
    await expect
      .poll(() => f.getByText(/published|waiting for review/i).count(), { timeout: 15_000 })
      .toBe(1);
    await ana.page.waitForTimeout(500);
    const stored = await storedWithTitle(title);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.workaround).toMatchObject({
      steps: ['Point the webhook at the S3 relay', 'Replay the queued payloads when resolved'],
      component: 'webhooks',
      risk: 'safe',
    });
    expect(await f.getByLabel('Title', { exact: true }).inputValue()).toBe('');

    // The other visitor sees it live, as a workaround card.
    const card = thread(bo.page).locator('article').filter({ hasText: title });
    const shown = async () => {
      // New answers wait behind "N new answers" so the list does not jump.
      const more = thread(bo.page).locator('[part="new-answers"]');
      if (await more.count()) await more.click();
      return card.count();
    };
    await expect.poll(shown, { timeout: 10_000 }).toBe(1);
    const text = await card.innerText();
    expect(text).toContain('Point the webhook at the S3 relay');
    expect(text).toContain('Webhooks');
    expect(text).toMatch(/Safe/);
    expect(text).toContain('Until the incident is resolved');
    expect(await card.getByRole('button', { name: /worked for me/i }).count()).toBe(1);

    expect(unexpected(ana.errors)).toEqual([]);
    expect(bo.errors).toEqual([]);
    await ana.context.close();
    await bo.context.close();
  });

  it('suggests the existing workaround for a near-duplicate title, to confirm instead of posting', async () => {
    const cy = await visitor({ width: 375, height: 812 });
    const f = form(cy.page);
    await f
      .getByLabel('Title', { exact: true })
      .fill('Record the failed deliveries and replay them later');
    const similar = f.getByRole('region', { name: /similar workarounds/i });
    await expect.poll(() => similar.count(), { timeout: 5_000 }).toBe(1);
    expect(await similar.innerText()).toContain(
      'Record failed deliveries and replay them after recovery',
    );
    const confirm = similar.locator('[part="similar-confirm-button"]').first();
    expect(await confirm.innerText()).toMatch(/this worked for me/i);
    await confirm.click();
    await expect.poll(() => confirm.getAttribute('aria-pressed')).toBe('true');

    // Unrelated text: the suggestion goes away.
    await f.getByLabel('Title', { exact: true }).fill('Flush the DNS cache on the build machines');
    await expect.poll(() => similar.count(), { timeout: 5_000 }).toBe(0);

    const violations = await axeViolations(cy.page);
    expect(violations).toEqual([]);
    expect(cy.errors).toEqual([]);
    await cy.context.close();
  });
});
