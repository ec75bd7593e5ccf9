/**
 * <lifeboat-banner> on a real page: no layout shift on the host page (Cumulative Layout Shift
 * measured in Chromium with a PerformanceObserver, also with a slow API) with an incident open —
 * first visit (one compact line, details on a click), next visit (incident height reserved),
 * `expect="incident"` — and all calm (one compact line, no empty box); zero axe violations; the
 * demo page's strict CSP with zero console errors; a host page with aggressive global CSS.
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

const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef';

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

interface Shift {
  value: number;
  sources: Array<{ node: string; from: number[]; to: number[] }>;
}

declare global {
  interface Window {
    __shifts: Shift[];
    __csp: string[];
    __statusChanges: string[];
  }
}

/** Installed before any page script: layout shifts (buffered), CSP violations, status events. */
function instrument(): void {
  window.__shifts = [];
  window.__csp = [];
  window.__statusChanges = [];
  const describe = (node: Node | null): string => {
    if (!node) return '?';
    const el = node instanceof Element ? node : node.parentElement;
    if (!el) return node.nodeName;
    const root = el.getRootNode();
    const host = root instanceof ShadowRoot ? `${root.host.localName} >>> ` : '';
    return `${host}${el.localName}${el.id ? `#${el.id}` : ''}${el.className && typeof el.className === 'string' ? `.${el.className.trim().split(/\s+/).join('.')}` : ''}`;
  };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<
      PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
        sources?: Array<{
          node: Node | null;
          previousRect: DOMRectReadOnly;
          currentRect: DOMRectReadOnly;
        }>;
      }
    >) {
      if (entry.hadRecentInput) continue;
      window.__shifts.push({
        value: entry.value,
        sources: (entry.sources ?? []).map((s) => ({
          node: describe(s.node),
          from: [s.previousRect.y, s.previousRect.height],
          to: [s.currentRect.y, s.currentRect.height],
        })),
      });
    }
  }).observe({ type: 'layout-shift', buffered: true });
  document.addEventListener('securitypolicyviolation', (e) =>
    window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`),
  );
  document.addEventListener('lifeboat-status-change', (e) =>
    window.__statusChanges.push((e as CustomEvent<{ severity: string }>).detail.severity),
  );
}

const banner = (page: Page) => page.locator('lifeboat-banner');

async function open(
  width: number,
  options: {
    slowStatusMs?: number;
    colorScheme?: 'light' | 'dark';
    /**
     * The demo server renders `expect` (incident or calm) into the page, as a server-rendered
     * status page would; `none` takes it out again: a page that knows nothing.
     */
    hint?: 'server' | 'none';
    on?: RunningServer;
  } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const target = options.on ?? server;
  const context = await browser.newContext({
    viewport: { width, height: width < 500 ? 812 : 900 },
    colorScheme: options.colorScheme ?? 'light',
  });
  const page = await context.newPage();
  await page.addInitScript(instrument);
  const errors = watchConsole(page);
  if (options.slowStatusMs) {
    await page.route('**/v1/sites/demo/status', async (route) => {
      await new Promise((r) => setTimeout(r, options.slowStatusMs));
      await route.continue();
    });
  }
  if (options.hint === 'none') {
    await page.route(`${target.url}/`, async (route) => {
      const response = await route.fetch();
      const body = (await response.text()).replace(
        /<lifeboat-banner expect="\w+">/,
        '<lifeboat-banner>',
      );
      await route.fulfill({ response, body });
    });
  }
  await page.goto(target.url + '/');
  return { context, page, errors };
}

/** Waits until the page has settled: banner, thread and the page's own component list shown. */
async function settled(page: Page, shown: 'summary' | 'incident' | 'calm'): Promise<void> {
  const b = banner(page);
  if (shown === 'incident') await b.getByRole('region', { name: /webhook/i }).waitFor();
  else if (shown === 'summary') await b.getByRole('button', { name: 'Show details' }).waitFor();
  else await b.locator('[part="overall"]').waitFor();
  // The thread loads even while the page hides its section (calm, or the compact line).
  if (shown !== 'calm')
    await page.locator('lifeboat-thread article').first().waitFor({ state: 'attached' });
  await expect.poll(() => page.locator('#component-list li').count()).toBeGreaterThan(3);
  await page.locator('#history li').first().waitFor();
  // Late work (sparkline, live stream, fonts) gets a moment to shift things, if it would.
  await page.waitForTimeout(1500);
}

async function cls(page: Page): Promise<{ total: number; shifts: Shift[] }> {
  const shifts = await page.evaluate(() => window.__shifts);
  return { total: shifts.reduce((sum, s) => sum + s.value, 0), shifts };
}

async function expectNoShift(page: Page): Promise<void> {
  const { total, shifts } = await cls(page);
  expect(shifts, JSON.stringify(shifts, null, 1)).toEqual([]);
  expect(total).toBe(0);
}

const height = async (page: Page) => (await banner(page).boundingBox())!.height;

describe('<lifeboat-banner> on the host page, an incident open', () => {
  for (const width of [1280, 375]) {
    it(`first visit at ${width} px, no hint: the incident in one compact line, details on a click (CLS 0)`, async () => {
      const { context, page, errors } = await open(width, { hint: 'none' });
      await settled(page, 'summary');
      const b = banner(page);
      expect(await height(page)).toBeLessThan(80);
      expect(await b.locator('[part="title"]').textContent()).toMatch(/webhook/i);
      await expectNoShift(page);
      expect(await axeViolations(page)).toEqual([]);
      // The visitor's click opens it (shifts right after input are not layout instability).
      await b.getByRole('button', { name: 'Show details' }).click();
      await b.getByRole('region', { name: /webhook/i }).waitFor();
      expect(await height(page)).toBeGreaterThan(250);
      expect(await b.getByRole('button', { name: /show all/i }).count()).toBe(0);
      await page.waitForTimeout(500);
      await expectNoShift(page);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`next visit at ${width} px, no hint: the incident height is reserved and the incident shown (CLS 0)`, async () => {
      const { context, page, errors } = await open(width, { hint: 'none' });
      await settled(page, 'summary');
      await page.reload();
      await settled(page, 'incident');
      expect(await height(page)).toBeGreaterThan(250);
      await expectNoShift(page);
      expect(await axeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`a page that says expect="incident" shows it on the first visit at ${width} px (CLS 0)`, async () => {
      expect(await (await fetch(server.url + '/')).text()).toContain(
        '<lifeboat-banner expect="incident">',
      );
      const { context, page, errors } = await open(width);
      await settled(page, 'incident');
      expect(await page.locator('lifeboat-thread').isVisible()).toBe(true);
      expect(await height(page)).toBeGreaterThan(250);
      await expectNoShift(page);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`adds no layout shift at ${width} px when the status API takes 1 s`, async () => {
      const { context, page, errors } = await open(width, { slowStatusMs: 1000, hint: 'none' });
      // The skeleton holds the space while the status is on its way.
      await banner(page).locator('[part="skeleton"]').waitFor();
      const reserved = await height(page);
      expect(reserved).toBeGreaterThan(40);
      await settled(page, 'summary');
      expect(await height(page)).toBe(reserved);
      await expectNoShift(page);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('works under the strict CSP with zero console errors, through every interaction', async () => {
    // On a phone the incident is taller than the incident height: "Show all" is in play too.
    const { context, page, errors } = await open(375);
    await settled(page, 'incident');
    const b = banner(page);
    await b.getByRole('button', { name: /show all/i }).click();
    await b.getByRole('button', { name: /timeline/i }).click();
    await expect
      .poll(() => b.getByRole('dialog', { name: /official updates/i }).isVisible())
      .toBe(true);
    await page.keyboard.press('Escape');
    await expect.poll(() => b.getByRole('dialog').count()).toBe(0);
    const affected = b.getByRole('button', { name: /affected me too/i });
    await affected.click();
    await expect.poll(() => affected.getAttribute('aria-pressed')).toBe('true');
    await b.getByRole('button', { name: /collapse/i }).click();
    await b.getByRole('button', { name: /expand/i }).click();
    // The status-change event reached the page (its own script refreshes its component list).
    expect(await page.evaluate(() => window.__statusChanges)).toEqual(['major']);
    expect(await page.evaluate(() => window.__csp)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('renders, and its buttons stay visible and operable, under aggressive global CSS', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    const errors = watchConsole(page);
    const hostile = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Hostile page</title>
    <style>
      * { all: unset !important; font-size: 40px !important; line-height: 0 !important;
          color: transparent !important; pointer-events: none !important;
          visibility: hidden !important; letter-spacing: 20px !important; }
      button { display: none !important; }
      div, section, p, span, ol, li, a { display: none !important; }
      lifeboat-banner { font-family: "Comic Sans MS" !important; }
    </style>
    <script type="module" src="/cdn/lifeboat.js" data-site="demo"></script>
  </head>
  <body>
    <h1>Our status</h1>
    <lifeboat-banner></lifeboat-banner>
  </body>
</html>`;
    await page.route(`${server.url}/hostile.html`, (route) =>
      route.fulfill({ contentType: 'text/html; charset=utf-8', body: hostile }),
    );
    await page.goto(`${server.url}/hostile.html`);
    const b = banner(page);
    const details = b.getByRole('button', { name: 'Show details' });
    await details.waitFor();
    expect(await details.isVisible()).toBe(true);
    await details.click();
    await b.getByRole('region', { name: /webhook/i }).waitFor();
    const box = (await b.boundingBox())!;
    expect(box.width).toBeGreaterThan(300);
    expect(box.height).toBeGreaterThan(150);
    expect(await b.evaluate((el) => getComputedStyle(el).display)).toBe('block');
    const affected = b.getByRole('button', { name: /affected me too/i });
    expect(await affected.isVisible()).toBe(true);
    const color = await affected.evaluate((el) => getComputedStyle(el).color);
    expect(color).not.toBe('rgba(0, 0, 0, 0)');
    await affected.click();
    await expect.poll(() => affected.getAttribute('aria-pressed')).toBe('true');
    const timeline = b.getByRole('button', { name: /timeline/i });
    expect(await timeline.isVisible()).toBe(true);
    await timeline.click();
    await expect.poll(() => b.getByRole('dialog').isVisible()).toBe(true);
    expect(errors).toEqual([]);
    await context.close();
  });
});

describe('<lifeboat-banner> on the host page, all calm', () => {
  let calm: RunningServer;
  beforeAll(async () => {
    calm = await startLifeboat({ LIFEBOAT_ADMIN_KEY: ADMIN_KEY });
    const { incidents } = (await (await fetch(`${calm.url}/v1/sites/demo/incidents`)).json()) as {
      incidents: Array<{ id: string; resolvedAt: string | null }>;
    };
    for (const incident of incidents.filter((i) => !i.resolvedAt)) {
      const res = await fetch(`${calm.url}/v1/sites/demo/incidents/${incident.id}/resolve`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: '{}',
      });
      expect(res.status).toBe(200);
    }
  });
  afterAll(async () => {
    await calm?.stop();
  });

  for (const width of [1280, 375]) {
    it(`shows one compact line and no empty box at ${width} px (CLS 0)`, async () => {
      expect(await (await fetch(calm.url + '/')).text()).toContain(
        '<lifeboat-banner expect="calm">',
      );
      const { context, page, errors } = await open(width, { on: calm });
      await settled(page, 'calm');
      const b = banner(page);
      const box = (await b.boundingBox())!;
      expect(box.height).toBeLessThan(80);
      // nothing hidden, nothing left blank: the content fills the card
      const inner = (await b.locator('.inner').boundingBox())!;
      expect(box.height - inner.height).toBeLessThan(48);
      expect(await b.getByRole('button', { name: /show all|show details/i }).count()).toBe(0);
      await expectNoShift(page);
      expect(await axeViolations(page)).toEqual([]);
      // and it stays compact on the next visit
      await page.reload();
      await settled(page, 'calm');
      expect((await b.boundingBox())!.height).toBe(box.height);
      await expectNoShift(page);
      expect(errors).toEqual([]);
      await context.close();
    });
  }
});
