/**
 * <lifeboat-banner> on a real page: no layout shift on the host page (Cumulative Layout Shift
 * measured in Chromium, also with a slow API), the demo page's strict CSP with zero console
 * errors, and a host page with aggressive global CSS.
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
  options: { slowStatusMs?: number; colorScheme?: 'light' | 'dark' } = {},
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
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
  await page.goto(server.url + '/');
  return { context, page, errors };
}

/** Waits until the page has settled: banner, thread and the page's own component list shown. */
async function settled(page: Page): Promise<void> {
  await banner(page)
    .getByRole('region', { name: /webhook/i })
    .waitFor();
  await page.locator('lifeboat-thread article').first().waitFor();
  await expect.poll(() => page.locator('#component-list li').count()).toBeGreaterThan(3);
  // Late work (sparkline, live stream, fonts) gets a moment to shift things, if it would.
  await page.waitForTimeout(1500);
}

async function cls(page: Page): Promise<{ total: number; shifts: Shift[] }> {
  const shifts = await page.evaluate(() => window.__shifts);
  return { total: shifts.reduce((sum, s) => sum + s.value, 0), shifts };
}

describe('<lifeboat-banner> on the host page', () => {
  for (const width of [1280, 375]) {
    it(`adds no layout shift at ${width} px (CLS 0)`, async () => {
      const { context, page, errors } = await open(width);
      await settled(page);
      const { total, shifts } = await cls(page);
      expect(shifts, JSON.stringify(shifts, null, 1)).toEqual([]);
      expect(total).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    });

    it(`adds no layout shift at ${width} px when the status API takes 1 s`, async () => {
      const { context, page, errors } = await open(width, { slowStatusMs: 1000 });
      // The skeleton holds the space while the status is on its way.
      await banner(page).locator('[part="skeleton"]').waitFor();
      const reserved = (await banner(page).boundingBox())!.height;
      expect(reserved).toBeGreaterThan(150);
      await settled(page);
      expect((await banner(page).boundingBox())!.height).toBe(reserved);
      const { total, shifts } = await cls(page);
      expect(shifts, JSON.stringify(shifts, null, 1)).toEqual([]);
      expect(total).toBe(0);
      expect(errors).toEqual([]);
      await context.close();
    });
  }

  it('a reload (warm cache, remembered height) is still free of layout shift', async () => {
    const { context, page, errors } = await open(1280);
    await settled(page);
    await page.reload();
    await settled(page);
    const { total, shifts } = await cls(page);
    expect(shifts, JSON.stringify(shifts, null, 1)).toEqual([]);
    expect(total).toBe(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('works under the strict CSP with zero console errors, through every interaction', async () => {
    // On a phone the incident is taller than the reserved height: "Show all" is in play too.
    const { context, page, errors } = await open(375);
    await settled(page);
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
    await b.getByRole('region', { name: /webhook/i }).waitFor();
    const box = (await b.boundingBox())!;
    expect(box.width).toBeGreaterThan(300);
    expect(box.height).toBeGreaterThan(150);
    expect(await b.evaluate((el) => getComputedStyle(el).display)).toBe('block');
    const affected = b.getByRole('button', { name: /affected me too/i });
    await b.getByRole('button', { name: /show all/i }).click();
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
