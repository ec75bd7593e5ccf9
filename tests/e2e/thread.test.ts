/**
 * The peer-answer thread between real visitors: the offline outbox across a reload, a stream cut
 * with nothing missed or doubled, "N new answers" without moving the list, and edits seen live.
 * Real server (`lifeboat start --demo`), the built script tag, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, startLifeboat, watchConsole, type RunningServer } from './harness.js';

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startLifeboat();
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

const thread = (page: Page) => page.locator('lifeboat-thread');
const articles = (page: Page, text: string) => thread(page).locator('article', { hasText: text });

async function visitor(): Promise<Visitor> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(server.url + '/');
  await expect
    .poll(() => thread(page).locator('article').count(), { timeout: 20_000 })
    .toBeGreaterThan(2);
  return { context, page, errors };
}

async function postAnswer(page: Page, text: string, name = 'Alice'): Promise<void> {
  const composer = thread(page).locator('lifeboat-composer').last();
  const nameField = composer.getByLabel(/your name/i);
  if (await nameField.count()) await nameField.fill(name);
  const body = composer.getByRole('textbox', { name: /your answer/i });
  await body.fill(text);
  await composer.getByRole('button', { name: /post answer/i }).click();
  // The composer clears once the answer is sent (or queued offline).
  await expect.poll(() => body.inputValue()).toBe('');
}

/** Shows answers held behind "Show N new answers", if any. */
async function showNew(page: Page): Promise<void> {
  const button = thread(page).getByRole('button', { name: /show \d+ new answers?/i });
  if (await button.count()) await button.click();
}

/** Errors a deliberately offline page logs (failed fetches, the offline reload). */
const onlyNetworkNoise = (errors: string[]) =>
  errors.filter(
    (e) =>
      !/ERR_INTERNET_DISCONNECTED|ERR_CONNECTION_RESET|Failed to fetch|net::ERR_FAILED/.test(e),
  );

describe('<lifeboat-thread> between visitors', () => {
  it('an answer written offline waits in the outbox across a reload and arrives exactly once', async () => {
    const alice = await visitor();
    const bob = await visitor();
    const warmup = `Warm-up answer from Alice ${Date.now()}`;
    await postAnswer(alice.page, warmup);
    await expect.poll(() => articles(alice.page, warmup).count()).toBe(1);

    await alice.context.setOffline(true);
    await expect
      .poll(() =>
        thread(alice.page)
          .getByText(/you are offline/i)
          .count(),
      )
      .toBeGreaterThan(0);
    const text = `Written offline: flush the DNS cache ${Date.now()}`;
    await postAnswer(alice.page, text);
    await expect.poll(() => articles(alice.page, text).count()).toBe(1);
    await expect
      .poll(() =>
        articles(alice.page, text)
          .getByText(/waiting for a connection/i)
          .count(),
      )
      .toBe(1);
    const stored = await alice.page.evaluate(() =>
      Object.keys(localStorage).filter((k) => k.endsWith(':outbox')),
    );
    expect(stored).toHaveLength(1);

    // Reloading while offline fails: the page is gone, only localStorage remains. (Chromium lifts
    // its offline emulation from the document it unloads, which then fires `online`; a real
    // offline page could not send, so this one gets a fetch that fails like the network would.)
    await alice.page.evaluate(() => {
      window.fetch = () => Promise.reject(new TypeError('Failed to fetch'));
    });
    await expect(alice.page.reload()).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
    await bob.page.waitForTimeout(500);
    await showNew(bob.page);
    expect(await articles(bob.page, text).count()).toBe(0);

    // Back online, a fresh page restores the outbox; hold its request to see the restored entry.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let sends = 0;
    await alice.page.route('**/incidents/*/posts', async (route) => {
      sends++;
      await gate;
      await route.continue();
    });
    await alice.context.setOffline(false);
    await alice.page.goto(server.url + '/');
    // The thread's chunk loads after the page's load event (the script tag is a loader).
    await expect
      .poll(
        () =>
          articles(alice.page, text)
            .getByText(/sending/i)
            .count(),
        { timeout: 15_000 },
      )
      .toBe(1);
    release();
    await expect
      .poll(() =>
        articles(alice.page, text)
          .getByText(/sending|waiting/i)
          .count(),
      )
      .toBe(0);
    await expect.poll(() => articles(alice.page, text).count()).toBe(1);
    expect(sends).toBe(1);

    await expect
      .poll(
        async () => {
          await showNew(bob.page);
          return articles(bob.page, text).count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    await bob.page.waitForTimeout(1000);
    await showNew(bob.page);
    expect(await articles(bob.page, text).count()).toBe(1);
    expect(
      await alice.page.evaluate(() =>
        Object.keys(localStorage).filter((k) => k.endsWith(':outbox')),
      ),
    ).toEqual([]);
    expect(onlyNetworkNoise(alice.errors)).toEqual([]);
    expect(bob.errors).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });

  it('an answer written offline before any session is sent under the name typed, once', async () => {
    const robin = await visitor();
    const bob = await visitor();
    expect(
      await robin.page.evaluate(() =>
        Object.keys(localStorage).some((k) => k.endsWith(':session')),
      ),
    ).toBe(false);
    await robin.context.setOffline(true);
    await expect
      .poll(() =>
        thread(robin.page)
          .getByText(/you are offline/i)
          .count(),
      )
      .toBeGreaterThan(0);
    const text = `Offline before any session: restart the router ${Date.now()}`;
    await postAnswer(robin.page, text, 'Robin Offline');
    await expect
      .poll(() =>
        articles(robin.page, text)
          .getByText(/waiting for a connection/i)
          .count(),
      )
      .toBe(1);
    // The waiting post already shows the name typed, and the outbox keeps it for the session.
    expect(await articles(robin.page, text).innerText()).toContain('Robin Offline');
    let sessions = 0;
    await robin.page.route('**/v1/sites/demo/sessions', async (route) => {
      sessions++;
      await route.continue();
    });
    await robin.context.setOffline(false);
    await expect
      .poll(
        () =>
          articles(robin.page, text)
            .getByText(/sending|waiting/i)
            .count(),
        { timeout: 10_000 },
      )
      .toBe(0);
    expect(sessions).toBe(1);
    const session = await robin.page.evaluate(() => {
      const key = Object.keys(localStorage).find((k) => k.endsWith(':session'));
      return key
        ? (JSON.parse(localStorage.getItem(key)!) as { member: { displayName: string } })
        : null;
    });
    expect(session?.member.displayName).toBe('Robin Offline');
    await expect
      .poll(
        async () => {
          await showNew(bob.page);
          return articles(bob.page, text).count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    const seen = await articles(bob.page, text).innerText();
    expect(seen).toContain('Robin Offline');
    expect(seen).not.toMatch(/\bGuest\b/);
    expect(onlyNetworkNoise(robin.errors)).toEqual([]);
    expect(bob.errors).toEqual([]);
    await robin.context.close();
    await bob.context.close();
  });

  it('after a stream cut, the replay brings every missed answer exactly once', async () => {
    const alice = await visitor();
    const bob = await visitor();
    const tag = `cut-${Date.now()}`;

    // Cut Bob's stream, and keep it cut for a while after he is back online.
    await bob.context.setOffline(true);
    await expect
      .poll(() =>
        thread(bob.page)
          .getByText(/you are offline/i)
          .count(),
      )
      .toBeGreaterThan(0);
    await postAnswer(alice.page, `${tag} one`);
    await postAnswer(alice.page, `${tag} two`);
    let blocked = 0;
    await bob.page.route('**/v1/sites/demo/stream**', (route) => {
      blocked++;
      return route.abort('connectionreset');
    });
    await bob.context.setOffline(false);
    await expect.poll(() => blocked, { timeout: 10_000 }).toBeGreaterThan(0);
    await postAnswer(alice.page, `${tag} three`);
    await expect.poll(() => articles(alice.page, tag).count()).toBe(3);
    await bob.page.unroute('**/v1/sites/demo/stream**');

    await expect
      .poll(
        async () => {
          await showNew(bob.page);
          return articles(bob.page, tag).count();
        },
        { timeout: 20_000 },
      )
      .toBe(3);
    for (const n of ['one', 'two', 'three'])
      expect(await articles(bob.page, `${tag} ${n}`).count()).toBe(1);
    await bob.page.waitForTimeout(1000);
    await showNew(bob.page);
    expect(await articles(bob.page, tag).count()).toBe(3);
    expect(onlyNetworkNoise(bob.errors)).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });

  it('"N new answers" waits above the list without moving it; edits show as "edited" live', async () => {
    const alice = await visitor();
    const bob = await visitor();
    const first = thread(bob.page).locator('ol[part="list"] > li article').first();
    const before = await first.boundingBox();
    const firstId = await first.getAttribute('id');

    const text = `Switching to the EU relay worked ${Date.now()}`;
    await postAnswer(alice.page, text);
    const button = thread(bob.page).getByRole('button', { name: /show 1 new answer/i });
    await expect.poll(() => button.count(), { timeout: 10_000 }).toBe(1);
    expect(await articles(bob.page, text).count()).toBe(0);
    const after = thread(bob.page).locator('ol[part="list"] > li article').first();
    expect(await after.getAttribute('id')).toBe(firstId);
    expect(await after.boundingBox()).toEqual(before);
    await expect
      .poll(() => thread(bob.page).locator('[aria-live="polite"]').innerText())
      .toMatch(/1 new answer/);

    await button.click();
    await expect.poll(() => articles(bob.page, text).count()).toBe(1);

    // Alice edits within the window; Bob sees the new text and "edited" in place.
    const mine = articles(alice.page, text);
    await mine.locator('..').getByRole('button', { name: 'Edit' }).click();
    const editor = thread(alice.page).getByRole('textbox', { name: /edit your post/i });
    await editor.fill(`${text} (EU relay, not US)`);
    await thread(alice.page).getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => articles(alice.page, 'EU relay, not US').count()).toBe(1);
    await expect
      .poll(() => articles(bob.page, 'EU relay, not US').count(), { timeout: 10_000 })
      .toBe(1);
    expect(await articles(bob.page, 'EU relay, not US').innerText()).toMatch(/edited/);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });

  it('a delete leaves a tombstone in place for everyone, live and after a reload; replies stay', async () => {
    const alice = await visitor();
    const bob = await visitor();
    const text = `Downgrading the SDK to 4.2 helped ${Date.now()}`;
    await postAnswer(alice.page, text);
    await expect
      .poll(
        async () => {
          await showNew(bob.page);
          return articles(bob.page, text).count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);
    const id = (await articles(bob.page, text).getAttribute('id'))!;
    // Bob replies; then Alice deletes her answer.
    await articles(bob.page, text)
      .getByRole('button', { name: /reply to/i })
      .click();
    const reply = `Same here, 4.2 works ${Date.now()}`;
    const replyForm = thread(bob.page).locator('.reply-composer');
    const nameField = replyForm.getByLabel(/your name/i);
    if (await nameField.count()) await nameField.fill('Bob');
    await replyForm.getByRole('textbox', { name: /your reply/i }).fill(reply);
    await replyForm.getByRole('button', { name: /post reply/i }).click();
    await expect.poll(() => articles(bob.page, reply).count()).toBe(1);
    await expect
      .poll(
        async () => {
          await showNew(alice.page);
          return articles(alice.page, reply).count();
        },
        { timeout: 10_000 },
      )
      .toBe(1);

    const mine = thread(alice.page).locator(`#${id}`);
    await mine.getByRole('button', { name: 'Delete' }).click();
    await mine.getByRole('button', { name: /yes, delete/i }).click();
    for (const page of [alice.page, bob.page]) {
      await expect
        .poll(() => thread(page).locator(`#${id}`).innerText(), { timeout: 10_000 })
        .toMatch(/this post was deleted/i);
      expect(await articles(page, text).count()).toBe(0);
      expect(await articles(page, reply).count()).toBe(1);
    }
    await bob.page.reload();
    await expect
      .poll(() => thread(bob.page).locator(`#${id}`).innerText(), { timeout: 20_000 })
      .toMatch(/this post was deleted/i);
    expect(await articles(bob.page, reply).count()).toBe(1);
    expect(alice.errors).toEqual([]);
    expect(bob.errors).toEqual([]);
    await alice.context.close();
    await bob.context.close();
  });
});
