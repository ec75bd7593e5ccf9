/**
 * The packages as a user gets them (ADR 31): builds the four packages, `pnpm pack`s each (which
 * rewrites `workspace:*` to the version), installs the tarballs with npm into an empty project
 * outside the repository, and runs `npx lifeboat start --demo` there: the script-tag bundle and
 * the demo pages must come from the installed packages' exports, not from repository paths.
 * Needs `pnpm --filter @lifeboat/elements build` first (the bundle; the e2e suite's setup).
 *
 * better-sqlite3 compiles from source where its prebuilt binaries cannot be downloaded (GitHub is
 * out of reach here), several minutes on a busy machine; when the workspace has the same version
 * the test gives the installed copy the workspace's compiled addon, as a prebuilt download would.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, root } from './harness.js';

const PACKAGES = ['protocol', 'sdk', 'elements', 'server'] as const;
const MINUTE = 60_000;

let work: string;
let app: string;
let server: ChildProcess | null = null;
let output = '';
let base = '';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 10 * MINUTE,
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} (in ${cwd}) failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const packageJson = (dir: string) =>
  JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    version: string;
    exports: Record<string, string | Record<string, string>>;
    dependencies?: Record<string, string>;
    bin?: Record<string, string>;
  };

beforeAll(async () => {
  expect(
    fs.existsSync(path.join(root, 'packages/elements/dist/cdn/lifeboat.js')),
    'run `pnpm --filter @lifeboat/elements build` first',
  ).toBe(true);
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-pack-'));
  const packs = path.join(work, 'packs');
  app = path.join(work, 'app');
  fs.mkdirSync(packs);
  fs.mkdirSync(app);

  // Build: the TypeScript of protocol, sdk and elements (incremental; the elements build the
  // e2e setup ran made the bundle and the rest of its dist), then the server's own build.
  run(
    'pnpm',
    ['exec', 'tsc', '-b', 'packages/protocol', 'packages/sdk', 'packages/elements'],
    root,
  );
  run('pnpm', ['--filter', '@lifeboat/server', 'build'], root);
  for (const p of PACKAGES)
    run('pnpm', ['pack', '--pack-destination', packs], path.join(root, 'packages', p));
  const tarballs = fs.readdirSync(packs).map((f) => path.join(packs, f));
  expect(tarballs).toHaveLength(PACKAGES.length);

  // An empty project; better-sqlite3's build script is skipped (see above) unless needed.
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'lifeboat-smoke', private: true }),
  );
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...tarballs], app, {
    npm_config_nodedir: '/usr',
    npm_config_ignore_scripts: 'true',
  });
  const ours = path.dirname(
    createRequire(path.join(root, 'packages/server/package.json')).resolve(
      'better-sqlite3/package.json',
    ),
  );
  const theirs = path.join(app, 'node_modules/better-sqlite3');
  const addon = 'build/Release/better_sqlite3.node';
  if (
    packageJson(ours).version === packageJson(theirs).version &&
    fs.existsSync(path.join(ours, addon))
  ) {
    fs.mkdirSync(path.dirname(path.join(theirs, addon)), { recursive: true });
    fs.copyFileSync(path.join(ours, addon), path.join(theirs, addon));
  } else {
    fs.writeFileSync(
      path.join(app, 'package.json'),
      JSON.stringify({ ...packageJson(app), allowScripts: { 'better-sqlite3': true } }),
    );
    run('npm', ['rebuild', 'better-sqlite3'], app, {
      npm_config_nodedir: '/usr',
      npm_config_build_from_source: 'true',
    });
  }

  // `npx lifeboat start --demo` on a free port with a fresh data directory.
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  server = spawn(
    'npx',
    ['lifeboat', 'start', '--demo', '--port', String(port), '--data-dir', path.join(work, 'data')],
    {
      cwd: app,
      env: { ...process.env, LIFEBOAT_LOG_LEVEL: 'warn', NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<never>((_, reject) =>
    server!.once('exit', (code) => reject(new Error(`lifeboat exited (${code}):\n${output}`))),
  );
  const ready = (async () => {
    for (;;) {
      const ok = await fetch(`${base}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  await Promise.race([ready, exited]);
}, 8 * MINUTE);

afterAll(async () => {
  if (server?.pid && server.exitCode === null) {
    const done = new Promise((r) => server!.once('exit', r));
    process.kill(-server.pid, 'SIGTERM');
    await done;
  }
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed from their tarballs', () => {
  it('point every export at a shipped file with types, and at no source file', () => {
    for (const p of PACKAGES) {
      const dir = path.join(app, 'node_modules/@lifeboat', p);
      const pkg = packageJson(dir);
      expect(pkg.version).toBe(packageJson(path.join(root, 'packages', p)).version);
      for (const spec of Object.values(pkg.dependencies ?? {}))
        expect(spec).not.toMatch(/^workspace:/);
      expect(fs.existsSync(path.join(dir, 'LICENSE')), `${p} LICENSE`).toBe(true);
      // No TypeScript sources: the `source` condition is for the workspace only.
      const src = path.join(dir, 'src');
      expect(fs.existsSync(src) ? fs.readdirSync(src) : [], `${p} src/`).toEqual(
        p === 'elements' ? ['themes', 'tokens.css'] : [],
      );
      // elements ships CSS only from src/: the tokens and the theme presets.
      if (p === 'elements')
        for (const f of fs.readdirSync(path.join(src, 'themes')))
          expect(f, `${p} src/themes/${f}`).toMatch(/\.css$/);
      for (const [subpath, target] of Object.entries(pkg.exports)) {
        if (subpath.includes('*')) continue;
        if (typeof target === 'string') {
          expect(fs.existsSync(path.join(dir, target)), `${p} ${subpath}`).toBe(true);
          continue;
        }
        expect(target['types'], `${p} ${subpath} types`).toMatch(/^\.\/dist\/.*\.d\.ts$/);
        for (const [condition, file] of Object.entries(target))
          if (condition !== 'source')
            expect(
              fs.existsSync(path.join(dir, file)),
              `${p} ${subpath} ${condition}: ${file}`,
            ).toBe(true);
      }
    }
    const bin = packageJson(path.join(app, 'node_modules/@lifeboat/server')).bin!['lifeboat']!;
    expect(fs.readFileSync(path.join(app, 'node_modules/@lifeboat/server', bin), 'utf8')).toMatch(
      /^#!\/usr\/bin\/env node/,
    );
  });

  it('runs `npx lifeboat start --demo`: the bundle, the demo pages and the API', async () => {
    const installed = path.join(app, 'node_modules/@lifeboat/elements/dist/cdn');
    const bundle = await fetch(`${base}/cdn/lifeboat.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect(await bundle.text()).toBe(fs.readFileSync(path.join(installed, 'lifeboat.js'), 'utf8'));
    for (const file of ['lifeboat-moderation.js', 'lifeboat-insights.js'])
      if (fs.existsSync(path.join(installed, file)))
        expect((await fetch(`${base}/cdn/${file}`)).status, file).toBe(200);

    const home = await fetch(`${base}/`);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toContain('src="/cdn/lifeboat.js"');
    expect(html).toMatch(/<lifeboat-banner expect="(incident|calm)">/);
    expect((await fetch(`${base}/status-page.css`)).status).toBe(200);

    const moderation = await fetch(`${base}/moderation/`);
    expect(moderation.status).toBe(200);
    expect(await moderation.text()).toContain('/cdn/lifeboat-moderation.js');
    const insights = await fetch(`${base}/insights/`);
    expect(insights.status).toBe(200);
    expect(await insights.text()).toContain('/cdn/lifeboat-insights.js');

    const status = await fetch(`${base}/v1/sites/demo/status`);
    expect(status.status).toBe(200);
    expect(((await status.json()) as { site: { slug: string } }).site.slug).toBe('demo');
    expect((await fetch(`${base}/v1/openapi.json`)).status).toBe(200);
    expect(output).toContain('Lifeboat is running at');
  });
});
