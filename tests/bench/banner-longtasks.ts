/**
 * Main-thread cost of Lifeboat on the demo page: total long-task time (PerformanceObserver
 * 'longtask', tasks over 50 ms) while the page loads and settles — without the Lifeboat
 * `<script>`, with it and only the banner on the page, and with the whole demo (banner, thread,
 * form). The rest of the page is the same. Median of a few runs; real server, real Chromium.
 */
import type { Browser } from 'playwright-core';
import { launchChromium, startLifeboat } from '../e2e/harness.js';

const RUNS = Number(process.env.BENCH_LONGTASK_RUNS ?? 5);
const SETTLE_MS = 3000;

declare global {
  interface Window {
    __longTasks: number[];
  }
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
  } finally {
    await browser.close();
    await server.stop();
  }
}
