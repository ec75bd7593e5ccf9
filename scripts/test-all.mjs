#!/usr/bin/env node
// The README's test command (`pnpm test`): every suite, one summary line at the end.
//   typecheck, lint            counted as one test each
//   vitest (unit)              protocol, sdk, server — real HTTP, real SQLite
//   vitest (unit on PostgreSQL) the server suites again, each test server on a fresh database
//   @web/test-runner           components in Chromium
//   vitest (e2e)               real server + demo page + built script tag in Chromium; the four
//                              packages packed, installed with npm, `npx lifeboat start --demo`
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ensureChromium } from './ensure-chromium.mjs';

const root = new URL('..', import.meta.url).pathname;
const results = join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const tally = [];
const run = (cmd, args, opts = {}) => {
  console.log(`\n▶ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...opts });
  return r.status === 0;
};
const record = (suite, passed, failed) => {
  tally.push({ suite, passed, failed });
  console.log(`  ${suite}: ${passed} passed, ${failed} failed`);
};
// A suite that exits non-zero with no failed test (a file that does not load) counts one failure.
const vitestCounts = (file, ok) => {
  try {
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const failed = json.numFailedTests;
    return [json.numPassedTests, failed || ok ? failed : 1];
  } catch {
    return [0, 1];
  }
};

const chrome = ensureChromium();
const env = { ...process.env, CHROME_PATH: chrome };

// Build first: the e2e suite loads the real script-tag bundle.
if (!run('pnpm', ['--filter', '@lifeboat/elements', 'build'], { env })) record('build', 0, 1);

record('typecheck', ...(run('pnpm', ['typecheck'], { env }) ? [1, 0] : [0, 1]));
record('lint', ...(run('pnpm', ['lint'], { env }) ? [1, 0] : [0, 1]));

// PostgreSQL test databases (LIFEBOAT_TEST_PG, default the local server): the harness creates one
// per test server and drops it at close, named after this run (LIFEBOAT_TEST_RUN), so what the
// run leaves behind is found (and dropped) without touching a run going on beside it.
const pgBase = (process.env.LIFEBOAT_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
const runId = `r${Date.now().toString(36)}`;
const psql = (sql) =>
  spawnSync(
    'psql',
    [`${pgBase}/postgres`, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql],
    { encoding: 'utf8' },
  );
const testDatabases = () => {
  const r = psql("SELECT datname FROM pg_database WHERE datname LIKE 'lb\\_test\\_%'");
  return r.status === 0 ? r.stdout.split('\n').filter(Boolean) : null;
};
const dropDatabases = (names) => {
  for (const name of names) psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
};
// A ULID's first 10 characters are its time in ms (Crockford base 32).
const ulidTime = (ulid) =>
  [...ulid.slice(0, 10).toUpperCase()].reduce(
    (t, c) => t * 32 + '0123456789ABCDEFGHJKMNPQRSTVWXYZ'.indexOf(c),
    0,
  );
const unitOk = run(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--project',
    'unit',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${join(results, 'unit.json')}`,
  ],
  { env: { ...env, LIFEBOAT_TEST_ENGINE: 'sqlite', LIFEBOAT_TEST_RUN: runId } },
);
record('unit (vitest)', ...vitestCounts(join(results, 'unit.json'), unitOk));

// The server suites once more, on PostgreSQL.
const before = testDatabases();
if (before === null) {
  console.log(`\n  PostgreSQL at ${pgBase} does not answer: the PostgreSQL suite cannot run.`);
  record('unit on PostgreSQL (vitest)', 0, 1);
} else {
  // Leftovers of earlier runs that were killed: no test server lives an hour.
  const stale = before.filter((name) => {
    const id = /_([0-9a-z]{26})$/.exec(name)?.[1];
    return id !== undefined && ulidTime(id) < Date.now() - 3_600_000;
  });
  if (stale.length) {
    console.log(`\n  dropping ${stale.length} test database(s) left by earlier runs`);
    dropDatabases(stale);
  }
  const pgOk = run(
    'pnpm',
    [
      'exec',
      'vitest',
      'run',
      '--project',
      'unit',
      'packages/server',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(results, 'unit-postgres.json')}`,
    ],
    { env: { ...env, LIFEBOAT_TEST_ENGINE: 'postgres', LIFEBOAT_TEST_RUN: runId } },
  );
  record('unit on PostgreSQL (vitest)', ...vitestCounts(join(results, 'unit-postgres.json'), pgOk));
  const left = (testDatabases() ?? []).filter((name) => name.startsWith(`lb_test_${runId}_`));
  if (left.length) {
    console.log(`\n  the run left ${left.length} test database(s) behind: ${left.join(', ')}`);
    dropDatabases(left);
    record('no test database left behind', 0, 1);
  }
}

const wtrSummary = join(root, 'packages/elements/test-results/summary.json');
rmSync(wtrSummary, { force: true });
const wtrOk = run('pnpm', ['--filter', '@lifeboat/elements', 'test'], { env });
if (existsSync(wtrSummary)) {
  const s = JSON.parse(readFileSync(wtrSummary, 'utf8'));
  record('components (web-test-runner)', s.passed, s.failed + (wtrOk || s.failed ? 0 : 1));
} else record('components (web-test-runner)', 0, 1);

const e2eOk = run(
  'pnpm',
  [
    'exec',
    'vitest',
    'run',
    '--project',
    'e2e',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${join(results, 'e2e.json')}`,
  ],
  { env },
);
record('e2e (playwright + chromium)', ...vitestCounts(join(results, 'e2e.json'), e2eOk));

const passed = tally.reduce((n, t) => n + t.passed, 0);
const failed = tally.reduce((n, t) => n + t.failed, 0);
console.log('\nSummary');
for (const t of tally)
  console.log(`  ${t.suite.padEnd(32)} ${t.passed} passed, ${t.failed} failed`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
