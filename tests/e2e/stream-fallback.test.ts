/**
 * An instance over its stream budget: the page is told to poll, its thread still updates (by
 * polling the snapshots, with nothing shown as offline), and once a stream slot is free again it
 * streams on its own. Real server (`lifeboat start --demo` with a budget of one stream), the built
 * script tag, real Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page, Request } from 'playwright-core';
import { launchChromium, startLifeboat, watchConsole, type RunningServer } from './harness.js';

const POLL_MS = 1000;
/** The server asks to stream again after six poll intervals. */
const RETRY_MS = 6 * POLL_MS;

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startLifeboat({
    LIFEBOAT_STREAM_BUDGET: '1',
    LIFEBOAT_STREAM_POLL_MS: String(POLL_MS),
  });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

const api = (path: string) => `${server.url}/v1/sites/demo${path}`;

/** Holds a stream slot from outside the browser until `release`. */
async function holdStream(): Promise<() => void> {
  const controller = new AbortController();
  const res = await fetch(api('/stream'), { signal: controller.signal });
  const reader = res.body!.getReader();
  let text = '';
  while (!text.includes('event: ready')) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the holder got no stream: ${text}`);
    text += new TextDecoder().decode(value);
  }
  void reader.read().catch(() => {});
  return () => controller.abort();
}

async function postAnswer(body: string): Promise<void> {
  const session = await fetch(api('/sessions'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: 'Operator' }),
  });
  const { token } = (await session.json()) as { token: string };
  const status = (await (await fetch(api('/status'))).json()) as {
    incidents: Array<{ id: string }>;
  };
  const res = await fetch(api(`/incidents/${encodeURIComponent(status.incidents[0]!.id)}/posts`), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': crypto.randomUUID(),
    },
    body: JSON.stringify({ kind: 'answer', body }),
  });
  expect(res.status).toBe(201);
}

const thread = (page: Page) => page.locator('lifeboat-thread');

/** Shows answers held behind "Show N new answers", then counts the article with `text`. */
async function answerCount(page: Page, text: string): Promise<number> {
  const button = thread(page).getByRole('button', { name: /show \d+ new answers?/i });
  if (await button.count()) await button.click();
  return thread(page).locator('article', { hasText: text }).count();
}

interface Seen {
  request: Request;
  at: number;
  responded: boolean;
  finished: boolean;
}

describe('streams under pressure', () => {
  it('an instance over its stream budget: the thread updates by polling, then streams again', async () => {
    const release = await holdStream();
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    const streams: Seen[] = [];
    const snapshots: Seen[] = [];
    page.on('request', (request) => {
      const url = new URL(request.url());
      if (!url.pathname.startsWith('/v1/sites/demo/') || request.method() !== 'GET') return;
      (url.pathname.endsWith('/stream') ? streams : snapshots).push({
        request,
        at: Date.now(),
        responded: false,
        finished: false,
      });
    });
    const seen = (request: Request) =>
      [...streams, ...snapshots].find((s) => s.request === request);
    page.on('response', (response) => {
      const s = seen(response.request());
      if (s) s.responded = true;
    });
    page.on('requestfinished', (request) => {
      const s = seen(request);
      if (s) s.finished = true;
    });

    await page.goto(server.url + '/');
    await expect
      .poll(() => thread(page).locator('article').count(), { timeout: 20_000 })
      .toBeGreaterThan(2);
    // The stream was answered with `poll`, ended, and the page polls its snapshots.
    await expect.poll(() => streams.length > 0 && streams.every((s) => s.finished)).toBe(true);
    const conditional = async () => {
      for (const s of snapshots) if ((await s.request.allHeaders())['if-none-match']) return true;
      return false;
    };
    await expect.poll(conditional, { timeout: 10_000 }).toBe(true);

    const polled = `Polled answer ${Date.now()}`;
    await postAnswer(polled);
    await expect.poll(() => answerCount(page, polled), { timeout: 15_000 }).toBe(1);
    // Nothing tells the reader anything is wrong: only the latency differs.
    expect(await thread(page).evaluate((el) => el.matches(':state(offline)'))).toBe(false);

    // A slot frees: after the suggested time the page streams again, by itself.
    const freedAt = Date.now();
    release();
    const reopened = () => streams.find((s) => s.at > freedAt && s.responded && !s.finished);
    await expect
      .poll(() => reopened() !== undefined, { timeout: RETRY_MS * 2 + 10_000 })
      .toBe(true);
    const live = reopened()!;
    expect((await live.request.response())!.status()).toBe(200);

    // Live again (a `poll` answer would have ended): the next answer arrives with no snapshot
    // request at all, while that stream stays open.
    const snapshotsBefore = snapshots.length;
    const streamed = `Streamed answer ${Date.now()}`;
    await postAnswer(streamed);
    await expect.poll(() => answerCount(page, streamed), { timeout: 10_000 }).toBe(1);
    expect(snapshots.slice(snapshotsBefore).map((s) => s.request.url())).toEqual([]);
    expect(live.finished).toBe(false);
    expect(errors).toEqual([]);
    await context.close();
  });
});
