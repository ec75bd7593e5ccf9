/**
 * Identity in real Chromium against the real server (`lifeboat start --demo`) and the built
 * script tag, on a status page of another origin: `data-identity` (an HS256 token the company
 * minted) makes the visitor post as that named member with their badge; a staff role claim shows
 * the staff badge; a guest on a site that always asks for proof of work still posts (the SDK
 * solves the challenge with Web Crypto).
 */
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import {
  freePort,
  launchChromium,
  root,
  serveStatic,
  startLifeboat,
  watchConsole,
  type RunningServer,
} from './harness.js';

const ADMIN_KEY = 'e2e-admin-key-0123456789abcdefghij';
const HOST_SECRET = 'e2e-host-secret-0123456789abcdef0123';
let server: RunningServer;
let browser: Browser;
let hostPort: number;
let host: { url: string; close: () => Promise<void> } | undefined;

/** What the company's backend does for a signed-in customer (docs/identity.md). */
function mint(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: now, exp: now + 300, aud: 'demo', jti: crypto.randomUUID(), ...claims })}`;
  return `${head}.${crypto.createHmac('sha256', HOST_SECRET).update(head).digest('base64url')}`;
}

function statusPage(identity: string | null, refreshTo?: string): string {
  const integrity = readFileSync(
    join(root, 'packages/elements/dist/cdn/lifeboat.js.sri'),
    'utf8',
  ).trim();
  let attr = identity ? ` data-identity="${identity}"` : '';
  // The host page's own refresh function (its backend would mint the fresh token).
  const refresh = refreshTo
    ? `<script>window.freshLifeboatToken = async () => ${JSON.stringify(refreshTo)};</script>`
    : '';
  if (refreshTo) attr += ' data-identity-refresh="freshLifeboatToken"';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Acme status</title><link rel="icon" href="data:,">${refresh}
<script type="module" src="${server.url}/cdn/lifeboat.js" integrity="${integrity}" crossorigin="anonymous"
  data-server="${server.url}" data-site="demo"${attr}></script></head>
<body><main><lifeboat-thread></lifeboat-thread></main></body></html>`;
}

async function admin(path: string, body: unknown): Promise<void> {
  const res = await fetch(`${server.url}/v1/admin/sites/demo/${path}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  hostPort = await freePort();
  server = await startLifeboat({
    LIFEBOAT_ADMIN_KEY: ADMIN_KEY,
    LIFEBOAT_DEMO_ORIGINS: `http://127.0.0.1:${hostPort}`,
  });
  browser = await launchChromium();
  await admin('sso', { hs256Secret: HOST_SECRET });
});

afterAll(async () => {
  await host?.close();
  await browser?.close();
  await server?.stop();
});

/** Opens the host's status page with the given identity and waits for the thread. */
async function open(
  identity: string | null,
  refreshTo?: string,
): Promise<{ page: Page; errors: string[]; close: () => Promise<void> }> {
  await host?.close();
  host = await serveStatic({ '/index.html': statusPage(identity, refreshTo) }, hostPort);
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = watchConsole(page);
  await page.goto(host.url + '/');
  await expect
    .poll(() => page.locator('lifeboat-thread').locator('article').count(), { timeout: 20_000 })
    .toBeGreaterThan(0);
  return { page, errors, close: () => context.close() };
}

async function postAnswer(page: Page, text: string, name?: string): Promise<void> {
  const composer = page.locator('lifeboat-thread').locator('lifeboat-composer').last();
  if (name) await composer.getByLabel(/your name/i).fill(name);
  const body = composer.getByRole('textbox', { name: /your answer/i });
  await body.fill(text);
  await composer.getByRole('button', { name: /post answer/i }).click();
  await expect.poll(() => body.inputValue(), { timeout: 20_000 }).toBe('');
}

const article = (page: Page, text: string) =>
  page.locator('lifeboat-thread').locator('article', { hasText: text });

describe('identity in the browser', () => {
  it('data-identity: the visitor posts as the named member with their badge', async () => {
    const { page, errors, close } = await open(
      mint({ id: 'cust-100', name: 'Dana from Globex', badges: ['enterprise'] }),
    );
    const composer = page.locator('lifeboat-thread').locator('lifeboat-composer').last();
    // Signed in: no name to type, the composer says who posts.
    await expect
      .poll(() => composer.getByText(/Dana from Globex/).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await composer.getByLabel(/your name/i).count()).toBe(0);

    const text = `Pinning the webhook client to TLS 1.2 fixed it for us ${Date.now()}`;
    await postAnswer(page, text);
    const answer = article(page, text);
    await expect.poll(() => answer.count()).toBe(1);
    expect(await answer.getByText('Dana from Globex').count()).toBeGreaterThan(0);
    expect(await answer.getByText('enterprise', { exact: true }).count()).toBe(1);
    expect(await answer.getByText('Staff', { exact: true }).count()).toBe(0);
    expect(errors).toEqual([]);
    await close();
  });

  it('a staff role claim shows the staff badge; Lifeboat.identify(null) signs out', async () => {
    const { page, errors, close } = await open(
      mint({ id: 'emp-7', name: 'Sam (Acme support)', role: 'staff' }),
    );
    const text = `We are rolling back the webhook deploy now ${Date.now()}`;
    const composer = page.locator('lifeboat-thread').locator('lifeboat-composer').last();
    await expect
      .poll(() => composer.getByText(/Sam \(Acme support\)/).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    await postAnswer(page, text);
    const answer = article(page, text);
    await expect.poll(() => answer.count()).toBe(1);
    expect(await answer.getByText('Staff', { exact: true }).count()).toBe(1);

    await page.evaluate(() =>
      (
        window as unknown as { Lifeboat: { identify(t: null): Promise<unknown> } }
      ).Lifeboat.identify(null),
    );
    await expect.poll(() => composer.getByLabel(/your name/i).count(), { timeout: 10_000 }).toBe(1);
    expect(errors).toEqual([]);
    await close();
  });

  it('an expired data-identity is refreshed through data-identity-refresh', async () => {
    const expired = mint({
      id: 'cust-200',
      name: 'Old Token',
      exp: Math.floor(Date.now() / 1000) - 3600,
    });
    const fresh = mint({ id: 'cust-200', name: 'Fresh Token' });
    const { page, close } = await open(expired, fresh);
    const composer = page.locator('lifeboat-thread').locator('lifeboat-composer').last();
    await expect
      .poll(() => composer.getByText(/Fresh Token/).count(), { timeout: 15_000 })
      .toBeGreaterThan(0);
    expect(await composer.getByLabel(/your name/i).count()).toBe(0);
    await close();
  });

  it("a guest on a site with guestChallenge 'always' still posts: the SDK solves the proof of work", async () => {
    await admin('policy', { guestChallenge: 'always' });
    try {
      const bare = await fetch(`${server.url}/v1/sites/demo/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: 'Bot' }),
      });
      expect(bare.status).toBe(428);

      const { page, errors, close } = await open(null);
      const challenges: string[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('/sessions/challenge')) challenges.push(r.url());
      });
      const text = `Waiting five minutes and retrying the webhook worked ${Date.now()}`;
      await postAnswer(page, text, 'Gus the guest');
      const answer = article(page, text);
      await expect.poll(() => answer.count(), { timeout: 20_000 }).toBe(1);
      expect(await answer.getByText('Gus the guest').count()).toBeGreaterThan(0);
      expect(challenges).toHaveLength(1);
      // The first session attempt is refused with 428 by design; nothing else may fail.
      expect(errors.filter((e) => !/428/.test(e))).toEqual([]);
      await close();
    } finally {
      await admin('policy', { guestChallenge: 'under_load' });
    }
  });
});
