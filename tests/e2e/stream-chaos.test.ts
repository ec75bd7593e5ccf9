/**
 * Stream chaos (issue 16): a TCP proxy (node:net) between Chromium and the real server cuts live
 * streams at random moments — at least 100 cuts (LIFEBOAT_CHAOS_CUTS) — while answers are posted;
 * several pages of the real demo (the built script tag) load through the proxy. Each page's
 * thread must show every answer exactly once: counted in the rendered thread, during the run (no
 * duplicate ever) and at the end (none missing).
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium, startLifeboat, watchConsole, type RunningServer } from './harness.js';

const CUTS = Number(process.env['LIFEBOAT_CHAOS_CUTS'] ?? 100);
const PAGES = 4;
/** Below the thread's windowing threshold (50 rendered posts) with the demo's own answers. */
const MAX_POSTS = 32;

let server: RunningServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

interface ChaosProxy {
  port: number;
  cuts: () => number;
  streams: () => number;
  /** Cut every live stream from now on at a random moment (or stop cutting). */
  setCutting: (on: boolean) => void;
  close: () => Promise<void>;
}

/**
 * Forwards every connection to the server; a connection that carries a stream request is cut
 * (both sides destroyed) 30–600 ms after the server's first bytes of it, at whatever point of an
 * event the bytes are.
 */
async function startChaosProxy(target: number): Promise<ChaosProxy> {
  let cuts = 0;
  let streams = 0;
  let cutting = true;
  const sockets = new Set<net.Socket>();
  const proxy = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    let stream = false;
    let scheduled = false;
    const cut = () => {
      if (client.destroyed) return;
      cuts++;
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      // Keep-alive: a connection may carry a snapshot GET first, then the stream.
      if (/^GET \/v1\/sites\/[^/ ]+\/stream[ ?]/m.test(chunk.toString('latin1'))) {
        stream = true;
        streams++;
      }
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      client.write(chunk);
      if (stream && cutting && !scheduled) {
        scheduled = true;
        setTimeout(cut, 30 + Math.random() * 570);
      }
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', end);
    upstream.on('close', end);
    client.on('error', end);
    upstream.on('error', end);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const address = proxy.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    cuts: () => cuts,
    streams: () => streams,
    setCutting: (on) => void (cutting = on),
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        proxy.close(() => resolve());
      }),
  };
}

beforeAll(async () => {
  // Posts from a few members, quickly: the limits would answer 429, not the stream.
  server = await startLifeboat({ LIFEBOAT_RATE_LIMITS: 'off' });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await server?.stop();
});

const api = (path: string) => `${server.url}/v1/sites/demo${path}`;

/** How many times each chaos answer's number appears in the page's rendered thread. */
async function renderedCounts(page: Page, tag: string): Promise<Map<number, number>> {
  const texts = await page.evaluate(() => {
    const out: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const el of root.querySelectorAll('*')) {
        if (el.tagName === 'ARTICLE') out.push(el.textContent ?? '');
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    const thread = document.querySelector('lifeboat-thread');
    if (thread?.shadowRoot) visit(thread.shadowRoot);
    return out;
  });
  const counts = new Map<number, number>();
  const pattern = new RegExp(`${tag} (\\d+):`, 'g');
  for (const text of texts)
    for (const m of text.matchAll(pattern)) {
      const n = Number(m[1]);
      counts.set(n, (counts.get(n) ?? 0) + 1);
    }
  return counts;
}

/** Shows answers held behind "Show N new answers". */
async function showNew(page: Page): Promise<void> {
  const button = page
    .locator('lifeboat-thread')
    .getByRole('button', { name: /show \d+ new answers?/i });
  if (await button.count()) await button.click({ timeout: 2000 }).catch(() => {});
}

describe('stream chaos', () => {
  it(`shows every answer exactly once while a proxy cuts live streams ${CUTS}+ times`, async () => {
    const proxy = await startChaosProxy(server.port);
    try {
      const origin = `http://127.0.0.1:${proxy.port}`;
      const pages: Array<{ page: Page; errors: string[] }> = [];
      for (let i = 0; i < PAGES; i++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
        contexts.push(context);
        const page = await context.newPage();
        const errors = watchConsole(page);
        await page.goto(origin + '/');
        await expect
          .poll(() => page.locator('lifeboat-thread').locator('article').count(), {
            timeout: 30_000,
          })
          .toBeGreaterThan(2);
        pages.push({ page, errors });
      }

      const status = (await (await fetch(api('/status'))).json()) as {
        incidents: Array<{ id: string }>;
      };
      const incident = status.incidents[0]!.id;
      const tokens: string[] = [];
      for (const name of ['Ana', 'Bo', 'Cy']) {
        const r = await fetch(api('/sessions'), {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ displayName: name }),
        });
        tokens.push(((await r.json()) as { token: string }).token);
      }
      const tag = `Chaos${Date.now().toString(36)}`;
      let posted = 0;
      const post = async () => {
        const n = posted++;
        const r = await fetch(api(`/incidents/${encodeURIComponent(incident)}/posts`), {
          method: 'POST',
          headers: {
            authorization: `Bearer ${tokens[n % tokens.length]}`,
            'content-type': 'application/json',
            'idempotency-key': crypto.randomUUID(),
          },
          body: JSON.stringify({
            kind: 'answer',
            body: `${tag} ${n}: moving to the EU relay helped`,
          }),
        });
        expect(r.status, await r.clone().text()).toBe(201);
      };

      // Posts flow while the proxy cuts; duplicates are looked for all along.
      const started = Date.now();
      const duplicates: string[] = [];
      let lastPost = 0;
      while (proxy.cuts() < CUTS) {
        if (Date.now() - started > 240_000)
          throw new Error(`only ${proxy.cuts()} cuts in 240 s (${proxy.streams()} streams)`);
        const spacing = Math.max(150, ((CUTS / 4) * 1000) / MAX_POSTS);
        if (posted < MAX_POSTS && Date.now() - lastPost > spacing) {
          lastPost = Date.now();
          await post();
        }
        for (const [i, { page }] of pages.entries())
          for (const [n, count] of await renderedCounts(page, tag))
            if (count > 1) duplicates.push(`page ${i}: answer ${n} shown ${count} times`);
        await new Promise((r) => setTimeout(r, 250));
      }
      while (posted < MAX_POSTS) await post();
      const cuts = proxy.cuts();
      const streams = proxy.streams();
      proxy.setCutting(false);

      // Once streams stay up, every page shows every answer, once.
      const missing: string[] = [];
      for (const [i, { page }] of pages.entries()) {
        await expect
          .poll(
            async () => {
              await showNew(page);
              const counts = await renderedCounts(page, tag);
              return [...Array(posted).keys()].filter((n) => counts.get(n) !== 1).length;
            },
            { timeout: 30_000, interval: 500 },
          )
          .toBe(0)
          .catch(async () => {
            const counts = await renderedCounts(page, tag);
            missing.push(
              `page ${i}: ${[...Array(posted).keys()]
                .filter((n) => counts.get(n) !== 1)
                .map((n) => `${n}×${counts.get(n) ?? 0}`)
                .join(' ')}`,
            );
          });
        for (const [n, count] of await renderedCounts(page, tag))
          if (count > 1) duplicates.push(`page ${i} at the end: answer ${n} shown ${count} times`);
      }
      const seconds = (Date.now() - started) / 1000;
      console.log(
        `stream chaos: ${cuts} live streams cut (of ${streams} opened) in ${seconds.toFixed(0)} s ` +
          `across ${PAGES} pages; ${posted} answers posted; pages showing every answer exactly once: ` +
          `${PAGES - missing.length} of ${PAGES}; duplicates seen: ${duplicates.length}`,
      );
      expect(cuts).toBeGreaterThanOrEqual(CUTS);
      expect(duplicates).toEqual([]);
      expect(missing).toEqual([]);
      for (const { errors } of pages)
        // A cut stream is a network error in the console; nothing else is.
        expect(errors.filter((e) => !/ERR_|network|EventSource|Failed to load/i.test(e))).toEqual(
          [],
        );
    } finally {
      await proxy.close();
    }
  }, 400_000);
});
