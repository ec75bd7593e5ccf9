/**
 * The visitor side of moderation in `<lifeboat-thread>`, end to end: reports from two visitors
 * hide a post (a third reader sees a tombstone in its place), a post waiting for review is
 * shown only to its author until a moderator approves it, and the composer keeps the text when
 * the server refuses it (banned words, slow mode, a ban). Real server (`lifeboat start --demo`,
 * policy set through the admin API), the built script tag, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, startLifeboat, watchConsole, type RunningServer } from './harness.js';

const ADMIN_KEY = 'e2e-admin-key-0123456789abcdefghij';
let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Visitor {
  context: BrowserContext;
  page: Page;
  errors: string[];
}

const admin = (path: string, method: string, json: unknown) =>
  fetch(`${server.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(json),
  });

async function setPolicy(change: Record<string, unknown>): Promise<void> {
  const res = await admin('/v1/admin/sites/demo/policy', 'PUT', change);
  expect(res.status).toBe(200);
}

const thread = (page: Page) => page.locator('lifeboat-thread');
const articles = (page: Page, text: string) => thread(page).locator('article', { hasText: text });
const composer = (page: Page) => thread(page).locator('lifeboat-composer').last();

let visitors = 0;

/** A visitor in a browser of their own (flags count once per guest browser: its fingerprint). */
async function visitor(): Promise<Visitor> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    userAgent: `Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 LifeboatE2E/${++visitors}`,
  });
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(server.url + '/');
  await expect
    .poll(() => thread(page).locator('article').count(), { timeout: 20_000 })
    .toBeGreaterThan(2);
  return { context, page, errors };
}

/** Fills the composer and submits; does not wait for the outcome. */
async function submit(page: Page, text: string, name: string): Promise<void> {
  const form = composer(page);
  const nameField = form.getByLabel(/your name/i);
  if (await nameField.count()) await nameField.fill(name);
  await form.getByRole('textbox', { name: /your answer/i }).fill(text);
  await form.getByRole('button', { name: /post answer/i }).click();
}

async function post(page: Page, text: string, name: string): Promise<void> {
  await submit(page, text, name);
  await expect
    .poll(() =>
      composer(page)
        .getByRole('textbox', { name: /your answer/i })
        .inputValue(),
    )
    .toBe('');
}

/** Shows answers held behind "Show N new answers", if any. */
async function showNew(page: Page): Promise<void> {
  const button = thread(page).getByRole('button', { name: /show \d+ new answers?/i });
  if (await button.count()) await button.click();
}

/** The 429s and 4xx the refusals log in the console are expected here. */
const withoutRefusals = (errors: string[]) =>
  errors.filter((e) => !/status of (403|422|429)/.test(e));

/** Reports the post with `text` through its Report form; returns the post's element id. */
async function report(page: Page, text: string, reason: RegExp): Promise<string> {
  const id = (await articles(page, text).getAttribute('id'))!;
  const article = thread(page).locator(`#${id}`);
  await article.getByRole('button', { name: /report the post by/i }).click();
  const form = article.getByRole('form', { name: /report this post/i });
  await form.getByRole('radio', { name: reason }).check();
  await form.getByRole('textbox', { name: /note for the moderators/i }).fill('Fake login link');
  await form.getByRole('button', { name: /send report/i }).click();
  await expect.poll(() => form.count()).toBe(0);
  return id;
}

describe('<lifeboat-thread> moderation, visitor side', () => {
  it('reports from two visitors hide a post; a third reader sees a tombstone in its place', async () => {
    await setPolicy({ flagThreshold: 2 });
    const alice = await visitor();
    const bob = await visitor();
    const carol = await visitor();
    const dave = await visitor();
    const text = `Log in at my mirror to get your webhooks back ${Date.now()}`;
    await post(alice.page, text, 'Alice');
    for (const v of [bob, carol, dave]) {
      await expect
        .poll(
          async () => {
            await showNew(v.page);
            return articles(v.page, text).count();
          },
          { timeout: 10_000 },
        )
        .toBe(1);
    }
    // No Report on one's own post.
    expect(
      await articles(alice.page, text)
        .getByRole('button', { name: /report/i })
        .count(),
    ).toBe(0);

    const id = await report(bob.page, text, /phishing/i);
    expect(await articles(bob.page, text).getByRole('status').innerText()).toMatch(
      /moderators will review/i,
    );
    // Dave is reading the post: one report is not enough to hide it.
    const box = await thread(dave.page).locator(`#${id}`).boundingBox();
    await dave.page.waitForTimeout(500);
    expect(await articles(dave.page, text).count()).toBe(1);

    // The second report crosses the threshold (2): the post is hidden pending review. Carol is
    // told so, then sees the tombstone like everyone else.
    await report(carol.page, text, /phishing/i);
    await expect
      .poll(() => thread(carol.page).locator(`#${id}`).innerText())
      .toMatch(/hidden until a moderator reviews it|hidden while the moderators review it/i);
    // Dave sees a tombstone in the same place, never the text.
    const tomb = thread(dave.page).locator(`#${id}`);
    await expect
      .poll(() => tomb.innerText(), { timeout: 10_000 })
      .toMatch(/hidden while the moderators review it/i);
    expect(await articles(dave.page, text).count()).toBe(0);
    expect((await tomb.boundingBox())?.y).toBe(box?.y);
    // A fresh page never lists it.
    const erin = await visitor();
    expect(await articles(erin.page, text).count()).toBe(0);
    expect(await thread(erin.page).locator(`#${id}`).count()).toBe(0);

    for (const v of [alice, bob, carol, dave, erin]) {
      expect(v.errors).toEqual([]);
      await v.context.close();
    }
    await setPolicy({ flagThreshold: 3 });
  });

  it('a post held for review shows "only you can see this" to its author, and appears for others once approved', async () => {
    await setPolicy({ preModeration: 'all' });
    const frank = await visitor();
    const gina = await visitor();
    const text = `Pin the webhook worker to v2.3 until the fix ships ${Date.now()}`;
    await post(frank.page, text, 'Frank');
    const mine = articles(frank.page, text);
    await expect.poll(() => mine.count()).toBe(1);
    expect(await mine.innerText()).toMatch(/waiting for review — only you can see this/i);
    await expect
      .poll(() => thread(frank.page).locator('[aria-live="polite"]').innerText())
      .toMatch(/waiting for review/i);
    await gina.page.waitForTimeout(500);
    await showNew(gina.page);
    expect(await articles(gina.page, text).count()).toBe(0);

    const postId = (await mine.getAttribute('id'))!.replace(/^lifeboat-post-/, '');
    await setPolicy({ preModeration: 'none' });
    const approve = await admin(`/v1/sites/demo/moderation/posts/${postId}`, 'POST', {
      action: 'approve',
      reason: 'Checked',
    });
    expect(approve.status).toBe(200);
    await expect
      .poll(
        async () => {
          await showNew(gina.page);
          return articles(gina.page, text).count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    await expect
      .poll(() => mine.innerText(), { timeout: 10_000 })
      .not.toMatch(/waiting for review/i);
    expect(frank.errors).toEqual([]);
    expect(gina.errors).toEqual([]);
    await frank.context.close();
    await gina.context.close();
  });

  it('keeps the text when the server refuses it: banned words, slow mode, a ban', async () => {
    await setPolicy({ bannedWords: ['cryptodrop'] });
    const hank = await visitor();
    const body = composer(hank.page).getByRole('textbox', { name: /your answer/i });

    const banned = `Claim your cryptodrop now ${Date.now()}`;
    await submit(hank.page, banned, 'Hank');
    await expect.poll(() => body.getAttribute('aria-invalid')).toBe('true');
    expect(await body.inputValue()).toBe(banned);
    expect(await composer(hank.page).innerText()).toMatch(/cryptodrop/i);
    expect(await articles(hank.page, banned).count()).toBe(0);

    await setPolicy({ bannedWords: [] });
    const slow = await admin('/v1/sites/demo/moderation/slow-mode', 'PUT', {
      seconds: 60,
      reason: 'Flood',
    });
    expect(slow.status).toBe(200);
    const first = `Restart the relay ${Date.now()}`;
    await post(hank.page, first, 'Hank');
    const second = `And clear its queue ${Date.now()}`;
    await submit(hank.page, second, 'Hank');
    const countdown = composer(hank.page).locator('[part="retry-after"]');
    await expect.poll(() => countdown.count()).toBe(1);
    expect(await countdown.innerText()).toMatch(/slow mode: you can post again in \d+ s/i);
    expect(
      await composer(hank.page)
        .getByRole('button', { name: /post answer/i })
        .isDisabled(),
    ).toBe(true);
    expect(await body.inputValue()).toBe(second);
    expect(await articles(hank.page, second).count()).toBe(0);
    await admin('/v1/sites/demo/moderation/slow-mode', 'PUT', { seconds: 0, reason: 'Calm' });

    const memberId = await hank.page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.endsWith(':session'))!;
      return (JSON.parse(localStorage.getItem(key)!) as { member: { id: string } }).member.id;
    });
    const ban = await admin(`/v1/sites/demo/moderation/members/${memberId}`, 'POST', {
      action: 'ban',
      reason: 'Spam',
    });
    expect(ban.status).toBe(200);
    await hank.page.reload();
    await expect.poll(() => thread(hank.page).locator('article').count()).toBeGreaterThan(2);
    const again = `One more try ${Date.now()}`;
    await submit(hank.page, again, 'Hank');
    await expect
      .poll(() => composer(hank.page).getByRole('alert').first().innerText())
      .toMatch(/can no longer post/i);
    expect(await body.inputValue()).toBe(again);
    expect(await articles(hank.page, again).count()).toBe(0);
    expect(withoutRefusals(hank.errors)).toEqual([]);
    await hank.context.close();
  });
});
