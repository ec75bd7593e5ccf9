/**
 * Two real instances (`lifeboat start --demo`, one fresh PostgreSQL database) behind real nginx
 * (the location blocks of examples/deploy/nginx.conf), visitors in Chromium.
 *
 * Which instance serves a visitor: each browser context carries a cookie `lifeboat_pin=a|b`
 * that the test's nginx config maps to an upstream preferring that instance (the other is its
 * backup), so visitor 1 is served by A and visitor 2 by B as long as A lives; every response
 * says which instance nginx used in `X-Lifeboat-Upstream`, so the test checks it rather than
 * trusting the config. (The example config itself needs no pinning: any instance serves any
 * request.)
 */
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, launchChromium, watchConsole } from './harness.js';
import {
  Cleanup,
  createDatabase,
  nginxBinary,
  startInstance,
  startNginx,
  type Database,
  type Instance,
  type Nginx,
} from './multi-cluster.js';

const SECRET = 'e2e-multi:multi-instance-secret-0123456789abcdef';

const cleanup = new Cleanup();
let db: Database;
let a: Instance;
let b: Instance;
let proxy: Nginx;
let browser: Browser;

beforeAll(async () => {
  nginxBinary(); // fails first, and clearly, when nginx is missing
  db = createDatabase(cleanup);
  const [portA, portB, proxyPort] = [await freePort(), await freePort(), await freePort()];
  // nginx first: the instances need its origin (LIFEBOAT_PUBLIC_ORIGIN).
  proxy = await startNginx(cleanup, { a: portA, b: portB }, proxyPort);
  const env = {
    LIFEBOAT_DATABASE_URL: db.url,
    // One signing secret: a session made on A is valid on B after A is gone.
    LIFEBOAT_SECRET: SECRET,
    LIFEBOAT_TRUST_PROXY: 'loopback',
    LIFEBOAT_PUBLIC_ORIGIN: proxy.url,
    LIFEBOAT_DEMO_ORIGINS: proxy.url,
  };
  // Both start at once on the empty database: migrations and the demo seed run once.
  [a, b] = await Promise.all([
    startInstance(cleanup, { name: 'a', port: portA, env }),
    startInstance(cleanup, { name: 'b', port: portB, env }),
  ]);
  browser = await launchChromium();
  cleanup.add(() => browser.close());
}, 90_000);

afterAll(() => cleanup.run(), 60_000);

interface Visitor {
  context: BrowserContext;
  page: Page;
  errors: string[];
  /** The instance ('a' or 'b') nginx used for each stream request, in order. */
  streams: string[];
}

/** The instance nginx finally used, from `X-Lifeboat-Upstream` (a list when it retried). */
function instanceOf(upstream: string | undefined): string {
  const port = Number(upstream?.split(',').pop()?.trim().split(':').pop());
  return port === a.port ? 'a' : port === b.port ? 'b' : `? (${upstream})`;
}

const thread = (page: Page) => page.locator('lifeboat-thread');
const articles = (page: Page, text: string) => thread(page).locator('article', { hasText: text });

async function visitor(pin: 'a' | 'b'): Promise<Visitor> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addCookies([{ name: 'lifeboat_pin', value: pin, url: proxy.url }]);
  const page = await context.newPage();
  const errors = watchConsole(page);
  const streams: string[] = [];
  page.on('response', (r) => {
    if (/\/v1\/sites\/demo\/stream\b/.test(r.url()))
      streams.push(instanceOf(r.headers()['x-lifeboat-upstream']));
  });
  await page.goto(proxy.url + '/');
  await expect
    .poll(() => thread(page).locator('article').count(), { timeout: 20_000 })
    .toBeGreaterThan(2);
  await expect.poll(() => streams.length, { timeout: 10_000 }).toBeGreaterThan(0);
  // Newest first, so the order of the answers below is their order in time.
  await thread(page).getByRole('button', { name: 'Newest' }).click();
  await expect
    .poll(() => thread(page).getByRole('button', { name: 'Newest' }).getAttribute('aria-pressed'))
    .toBe('true');
  return { context, page, errors, streams };
}

async function postAnswer(page: Page, text: string, name: string): Promise<void> {
  const composer = thread(page).locator('lifeboat-composer').last();
  const nameField = composer.getByLabel(/your name/i);
  if (await nameField.count()) await nameField.fill(name);
  const body = composer.getByRole('textbox', { name: /your answer/i });
  await body.fill(text);
  await composer.getByRole('button', { name: /post answer/i }).click();
  await expect.poll(() => body.inputValue()).toBe('');
}

/** Posts through the visitor's page; the answer's status and the instance that took it. */
async function post(v: Visitor, text: string, name: string) {
  const response = v.page.waitForResponse(
    (r) => r.request().method() === 'POST' && /\/incidents\/[^/]+\/posts$/.test(r.url()),
  );
  await postAnswer(v.page, text, name);
  const r = await response;
  return { status: r.status(), instance: instanceOf(r.headers()['x-lifeboat-upstream']) };
}

/** Shows answers held behind "Show N new answers", if any. */
async function showNew(page: Page): Promise<void> {
  const button = thread(page).getByRole('button', { name: /show \d+ new answers?/i });
  if (await button.count()) await button.click();
}

/** The tagged answers on a page, in the order shown ("p1"…"pN"). */
async function shown(page: Page, tag: string): Promise<string[]> {
  await showNew(page);
  const texts = await articles(page, tag).allInnerTexts();
  return texts.map((t) => new RegExp(`${tag}-(p\\d+)`).exec(t)?.[1] ?? '?');
}

/** A post through the proxy with no pin (the shared upstream), as a plain API client. */
async function apiPost(token: string, incident: string, body: string) {
  const r = await fetch(
    `${proxy.url}/v1/sites/demo/incidents/${encodeURIComponent(incident)}/posts`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: JSON.stringify({ kind: 'answer', body }),
    },
  );
  return { status: r.status, instance: instanceOf(r.headers.get('x-lifeboat-upstream') ?? '') };
}

/** The one error a page logs when its stream's instance dies: the stream cut off mid-response. */
const withoutCutStream = (errors: string[]) =>
  errors.filter((e) => e !== 'Failed to load resource: net::ERR_INCOMPLETE_CHUNKED_ENCODING');

describe('several instances behind nginx', () => {
  it('seeded the demo site once although both instances started together', () => {
    expect(db.query("SELECT COUNT(*) FROM sites WHERE slug = 'demo'")).toBe('1');
    expect(
      db.query(
        "SELECT COUNT(*) FROM incidents i JOIN sites s ON s.id = i.site_id WHERE s.slug = 'demo'",
      ),
    ).toBe('3');
    expect(
      db.query(
        "SELECT COUNT(*) FROM members m JOIN sites s ON s.id = m.site_id WHERE s.slug = 'demo' AND m.kind = 'staff'",
      ),
    ).toBe('1');
  });

  it('visitors on different instances see each other live, and lose nothing when one instance is killed', async () => {
    onTestFailed(() => {
      console.error(`${proxy.logs()}\ninstance a:\n${a.output()}\ninstance b:\n${b.output()}`);
    });
    const v1 = await visitor('a');
    const v2 = await visitor('b');
    expect(v1.streams).toEqual(['a']);
    expect(v2.streams).toEqual(['b']);
    const tag = `relay${Date.now().toString(36)}`;
    const text = (n: number) => `${tag}-p${n}: restarting the webhook relay worked`;

    // Visitor 1 (on A) posts; visitor 2 (on B) sees it without a reload.
    expect(await post(v1, text(1), 'Ana on A')).toEqual({ status: 201, instance: 'a' });
    await expect.poll(() => shown(v2.page, tag), { timeout: 10_000 }).toEqual(['p1']);

    // An API client for the posts during the outage.
    const session = await fetch(`${proxy.url}/v1/sites/demo/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Carol (API)' }),
    });
    const { token } = (await session.json()) as { token: string };
    const status = (await (await fetch(`${proxy.url}/v1/sites/demo/status`)).json()) as {
      incidents: Array<{ id: string }>;
    };
    const incident = status.incidents[0]!.id;
    // A crashes while both streams are open. Visitor 1's reconnection waits at the browser until
    // the outage posts are made, so they can only reach visitor 1 by the replay from its last
    // event id.
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let reconnects = 0;
    await v1.page.route('**/v1/sites/demo/stream**', async (route) => {
      reconnects++;
      await gate;
      await route.continue();
    });
    await a.kill();
    await expect.poll(() => reconnects, { timeout: 10_000 }).toBeGreaterThan(0);

    // During the outage, while visitor 1 has no stream: posts through the proxy land on B.
    for (const n of [2, 3])
      expect(await apiPost(token, incident, text(n))).toEqual({
        status: 201,
        instance: 'b',
      });
    await expect.poll(() => shown(v2.page, tag), { timeout: 10_000 }).toEqual(['p3', 'p2', 'p1']);
    expect(await shown(v1.page, tag)).toEqual(['p1']);
    release();

    // Visitor 1's stream reconnects through nginx, to B; visitor 2's never moved.
    await expect.poll(() => v1.streams.at(-1), { timeout: 20_000 }).toBe('b');
    await v1.page.unroute('**/v1/sites/demo/stream**');
    expect(v1.streams.slice(0, -1).every((s) => s === 'a')).toBe(true);
    expect(new Set(v2.streams)).toEqual(new Set(['b']));

    // After the outage: both visitors post, both through B now (visitor 1's upstream falls back
    // to its backup: nginx had not sent the POST to A, whose port refuses connections).
    expect(await post(v2, text(4), 'Ben on B')).toEqual({ status: 201, instance: 'b' });
    expect(await post(v1, text(5), 'Ana on A')).toEqual({ status: 201, instance: 'b' });

    // Every post, once, newest first, for both visitors.
    const all = ['p5', 'p4', 'p3', 'p2', 'p1'];
    for (const v of [v1, v2])
      await expect.poll(() => shown(v.page, tag), { timeout: 20_000 }).toEqual(all);
    await v1.page.waitForTimeout(1500);
    for (const v of [v1, v2]) expect(await shown(v.page, tag)).toEqual(all);
    expect(db.query(`SELECT COUNT(*) FROM posts WHERE body LIKE '${tag}-%'`)).toBe('5');

    expect(withoutCutStream(v1.errors)).toEqual([]);
    expect(v2.errors).toEqual([]);
    await v1.context.close();
    await v2.context.close();
  }, 120_000);
});
