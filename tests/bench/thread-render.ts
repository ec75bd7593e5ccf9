/**
 * Thread rendering at scale: a real Chromium page mounts `<lifeboat-thread>` with a fake client
 * of 5,000 posts (the component sources bundled with esbuild, production mode) and prints the
 * time to the first frame after rendering, the time to scroll through the whole thread with the
 * longest frame meanwhile (the thread renders only the posts near the viewport; ADR 0011), the
 * longest frame after a jump, and the time to apply one live confirmation and one new answer.
 * `node --conditions=source --import tsx tests/bench/thread-render.ts` runs it alone.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { launchChromium, root } from '../e2e/harness.js';

const SIZES = (process.env.BENCH_THREAD_POSTS ?? '1000,5000').split(',').map(Number);

export async function threadRender(): Promise<void> {
  const bundle = await build({
    entryPoints: [fileURLToPath(new URL('./thread-render/page.mts', import.meta.url))],
    bundle: true,
    format: 'esm',
    write: false,
    minify: true,
    conditions: ['source'],
    tsconfig: `${root}packages/elements/tsconfig.json`,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'error',
  });
  const browser = await launchChromium();
  try {
    const load = os.loadavg()[0]!.toFixed(1);
    console.log(
      `\nThread rendering (Chromium, production build, time to the next frame; load average ${load} on ${os.cpus().length} cores)`,
    );
    for (const n of SIZES) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.setContent('<!doctype html><html><body></body></html>');
      await page.addScriptTag({ content: bundle.outputFiles[0]!.text, type: 'module' });
      await page.waitForFunction(() => 'runBench' in window);
      const result = await page.evaluate(
        (count) =>
          (window as unknown as { runBench(n: number): Promise<Record<string, number>> }).runBench(
            count,
          ),
        n,
      );
      const ms = (x: number | undefined, digits = 0) => x!.toFixed(digits).padStart(6);
      console.log(
        `  ${String(n).padStart(6)} posts   first frame ${ms(result.render)} ms (${result.rendered} posts in the DOM)   scrolling 600 px a frame past ${result.seen} posts: ${ms(result.scroll)} ms, longest frame ${ms(result.longest)} ms   longest frame after a jump ${ms(result.jump)} ms   one live confirmation ${ms(result.reaction, 1)} ms   one live answer (held) ${ms(result.live, 1)} ms`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await threadRender();
