/**
 * Thread rendering at scale: a real Chromium page mounts `<lifeboat-thread>` with a fake client
 * of 5,000 posts (the component sources bundled with esbuild, production mode) and prints the
 * time to the first frame after rendering, and to apply one live confirmation and one new answer.
 * `node --conditions=source --import tsx tests/bench/thread-render.ts` runs it alone.
 */
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
    console.log('\nThread rendering (Chromium, production build, time to the next frame)');
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
        `  ${String(n).padStart(6)} posts   first frame ${ms(result.render)} ms   all rendered ${ms(result.full)} ms (longest frame ${ms(result.longest)} ms)   one live confirmation ${ms(result.reaction, 1)} ms   one live answer (held) ${ms(result.live, 1)} ms`,
      );
      await page.close();
    }
  } finally {
    await browser.close();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await threadRender();
