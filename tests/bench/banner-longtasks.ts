/**
 * Main-thread cost of Lifeboat on the demo page: total long-task time (PerformanceObserver
 * 'longtask', tasks over 50 ms) while the page loads and settles — without the Lifeboat
 * `<script>`, with it and only the banner on the page, and with the whole demo (banner, thread,
 * form). The rest of the page is the same. Median of a few runs; real server, real Chromium.
 * Then the layout shift of the whole demo page (PerformanceObserver 'layout-shift', CLS) with an
 * incident open and all calm, with and without the page's `expect` hint, and the banner height.
 */
import type { Browser } from 'playwright-core';
import { launchChromium, startLifeboat, type RunningServer } from '../e2e/harness.js';

const RUNS = Number(process.env.BENCH_LONGTASK_RUNS ?? 5);
const SETTLE_MS = 3000;

declare global {
  interface Window {
    __longTasks: number[];
    __cls: number;
  }
}

function observeLayoutShift(): void {
  window.__cls = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<
      PerformanceEntry & { value: number; hadRecentInput: boolean }
    >)
      if (!entry.hadRecentInput) window.__cls += entry.value;
  }).observe({ type: 'layout-shift', buffered: true });
}

type Visit = 'server hint' | 'no hint, first visit' | 'no hint, next visit';

/** CLS of the whole demo page and the banner's height once settled, at one width and CPU. */
async function layoutShift(
  browser: Browser,
  url: string,
  visit: Visit,
  width: number,
  cpuSlowdown: number,
): Promise<{ cls: number; height: number }> {
  const context = await browser.newContext({
    viewport: { width, height: width < 500 ? 812 : 900 },
  });
  const page = await context.newPage();
  if (cpuSlowdown > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
  }
  await page.addInitScript(observeLayoutShift);
  if (visit !== 'server hint')
    await page.route(`${url}/`, async (route) => {
      const response = await route.fetch();
      const html = (await response.text()).replace(
        /<lifeboat-banner expect="\w+">/,
        '<lifeboat-banner>',
      );
      await route.fulfill({ response, body: html });
    });
  await page.goto(`${url}/`, { waitUntil: 'load' });
  const settle = async () => {
    await page.locator('lifeboat-banner [part="overall"]').first().waitFor();
    await page.locator('#history li').first().waitFor();
    await page.waitForTimeout(SETTLE_MS);
  };
  await settle();
  if (visit === 'no hint, next visit') {
    await page.reload({ waitUntil: 'load' });
    await settle();
  }
  const cls = await page.evaluate(() => window.__cls);
  const height = (await page.locator('lifeboat-banner').boundingBox())?.height ?? 0;
  await context.close();
  return { cls, height };
}

async function layoutShiftSection(browser: Browser, incident: RunningServer, calm: RunningServer) {
  const runs = Math.max(1, Math.ceil(RUNS / 2));
  console.log(
    `\nLayout shift of the demo page (CLS, worst of ${runs} runs; banner height once settled)`,
  );
  for (const [label, server] of [
    ['incident open', incident],
    ['all calm', calm],
  ] as const)
    for (const visit of ['server hint', 'no hint, first visit', 'no hint, next visit'] as const)
      for (const width of [1280, 375])
        for (const slowdown of [1, 4]) {
          let worst = 0;
          let height = 0;
          for (let i = 0; i < runs; i++) {
            const r = await layoutShift(browser, server.url, visit, width, slowdown);
            worst = Math.max(worst, r.cls);
            height = r.height;
          }
          console.log(
            `  ${label.padEnd(14)} ${visit.padEnd(21)} ${String(width).padStart(4)} px  CPU ${slowdown}×  CLS ${worst.toFixed(4)}  banner ${height.toFixed(0).padStart(4)} px`,
          );
        }
}

/** A demo server whose incident is resolved (admin API): the calm page. */
async function startCalm(): Promise<RunningServer> {
  const key = 'bench-admin-key-0123456789abcdef';
  const server = await startLifeboat({ LIFEBOAT_RATE_LIMITS: 'off', LIFEBOAT_ADMIN_KEY: key });
  const { incidents } = (await (await fetch(`${server.url}/v1/sites/demo/incidents`)).json()) as {
    incidents: Array<{ id: string; resolvedAt: string | null }>;
  };
  for (const incident of incidents.filter((i) => !i.resolvedAt))
    await fetch(`${server.url}/v1/sites/demo/incidents/${incident.id}/resolve`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: '{}',
    });
  return server;
}

function observeLongTasks(): void {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

type Variant = 'none' | 'banner' | 'all';

async function measure(
  browser: Browser,
  url: string,
  variant: Variant,
  cpuSlowdown: number,
): Promise<{ total: number; count: number }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  if (cpuSlowdown > 1) {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpuSlowdown });
  }
  await page.addInitScript(observeLongTasks);
  if (variant !== 'all') {
    await page.route(`${url}/`, async (route) => {
      const response = await route.fetch();
      let html = await response.text();
      if (variant === 'none')
        html = html.replace(/<script type="module" src="\/cdn\/lifeboat\.js"[^>]*><\/script>/, '');
      else
        html = html
          .replace('<lifeboat-thread></lifeboat-thread>', '')
          .replace('<lifeboat-workaround-form></lifeboat-workaround-form>', '');
      await route.fulfill({ response, body: html });
    });
  }
  await page.goto(`${url}/`, { waitUntil: 'load' });
  if (variant !== 'none') await page.locator('lifeboat-banner [part="incident"]').first().waitFor();
  await page.waitForTimeout(SETTLE_MS);
  const tasks = await page.evaluate(() => window.__longTasks);
  await context.close();
  return { total: tasks.reduce((a, b) => a + b, 0), count: tasks.length };
}

export async function bannerLongTasks(): Promise<void> {
  const server = await startLifeboat({ LIFEBOAT_RATE_LIMITS: 'off' });
  const browser = await launchChromium();
  try {
    console.log(
      `\nMain thread on the demo page (long tasks > 50 ms while loading + ${SETTLE_MS / 1000} s, median of ${RUNS} runs)`,
    );
    const ms = (n: number) => `${n.toFixed(0).padStart(5)} ms`;
    for (const slowdown of [1, 4]) {
      const runs: Record<Variant, number[]> = { none: [], banner: [], all: [] };
      for (let i = 0; i < RUNS; i++)
        for (const variant of ['none', 'banner', 'all'] as const)
          runs[variant].push((await measure(browser, server.url, variant, slowdown)).total);
      const [none, banner, all] = [median(runs.none), median(runs.banner), median(runs.all)];
      const label = slowdown === 1 ? 'this machine' : `CPU ${slowdown}× slower`;
      console.log(
        `  ${label.padEnd(17)} no script ${ms(none)}   banner only ${ms(banner)} (adds ${ms(banner - none)})   whole demo ${ms(all)} (adds ${ms(all - none)})`,
      );
    }
    const calm = await startCalm();
    try {
      await layoutShiftSection(browser, server, calm);
    } finally {
      await calm.stop();
    }
  } finally {
    await browser.close();
    await server.stop();
  }
}
