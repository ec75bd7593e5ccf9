import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { defaultReporter } from '@web/test-runner';
import { chromeLauncher } from '@web/test-runner-chrome';

const here = dirname(fileURLToPath(import.meta.url));

/** Counts passed / failed / skipped tests and writes them to test-results/summary.json. */
function summaryReporter(file = resolve(here, 'test-results/summary.json')) {
  const totals = { passed: 0, failed: 0, skipped: 0, files: 0 };
  const walk = (suite) => {
    for (const test of suite?.tests ?? []) {
      if (test.skipped) totals.skipped++;
      else if (test.passed) totals.passed++;
      else totals.failed++;
    }
    for (const child of suite?.suites ?? []) walk(child);
  };
  return {
    reportTestFileResults({ sessionsForTestFile }) {
      totals.files++;
      for (const session of sessionsForTestFile) {
        walk(session.testResults);
        // A file that failed to load has no results but errors: count it as one failure.
        if (!session.testResults && session.errors?.length) totals.failed++;
      }
    },
    onTestRunFinished() {
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(
        file,
        `${JSON.stringify({ ...totals, total: totals.passed + totals.failed }, null, 2)}\n`,
      );
    },
  };
}

export default {
  rootDir: resolve(here, '../..'),
  files: [resolve(here, 'src/**/*.test.ts')],
  nodeResolve: { exportConditions: ['source', 'browser', 'development'] },
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: resolve(here, 'tsconfig.test.json'), target: 'es2022' }),
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
        headless: true,
        args: [
          '--no-sandbox',
          '--headless',
          '--disable-gpu',
          '--disable-dev-shm-usage',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--no-first-run',
          // A page in the background still gets timers and animation frames.
          '--disable-background-timer-throttling',
          '--disable-renderer-backgrounding',
          '--disable-backgrounding-occluded-windows',
        ],
      },
    }),
  ],
  // One page at a time: pages in the background tab of a shared browser get no layout-driven
  // observations reliably (banner height tests and axe runs hung with two at once).
  concurrency: 1,
  testFramework: { config: { timeout: 5000 } },
  testRunnerHtml: (testFramework) => `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8" /><script>window.process = { env: { NODE_ENV: 'development' } };</script></head>
  <body><script type="module" src="${testFramework}"></script></body>
</html>`,
  reporters: [defaultReporter(), summaryReporter()],
};
