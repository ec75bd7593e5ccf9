/**
 * End-to-end harness: the real `lifeboat start --demo` process on a free port with a fresh data
 * directory, real Chromium through playwright-core, axe-core for accessibility.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, extname } from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

export const root = new URL('../..', import.meta.url).pathname;

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      s.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

export interface RunningServer {
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  stop: () => Promise<number | null>;
}

/**
 * Starts the server exactly as `pnpm start` does (the elements bundle must be built); on `port`
 * when given (a test that must know the URL before, e.g. an OpenID Connect redirect URI).
 */
export async function startLifeboat(
  env: Record<string, string> = {},
  knownPort?: number,
): Promise<RunningServer> {
  const port = knownPort ?? (await freePort());
  const dataDir = mkdtempSync(join(tmpdir(), 'lifeboat-e2e-'));
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'packages/server/src/cli/main.ts',
      'start',
      '--demo',
      '--port',
      String(port),
    ],
    {
      cwd: root,
      env: { ...process.env, LIFEBOAT_DATA_DIR: dataDir, LIFEBOAT_LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`server exited early:\n${output}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    dataDir,
    process: child,
    output: () => output,
    stop: () =>
      new Promise((resolve) => {
        // Already ended (by exiting, or by a signal such as a test's SIGKILL).
        if (child.exitCode !== null || child.signalCode !== null) {
          rmSync(dataDir, { recursive: true, force: true });
          return resolve(child.exitCode);
        }
        child.once('exit', (code) => {
          rmSync(dataDir, { recursive: true, force: true });
          resolve(code);
        });
        child.kill('SIGINT');
      }),
  };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROME_PATH || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** Collects console errors and page errors (CSP violations show up as console errors). */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return errors;
}

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);

/** Runs axe-core in the page (injected over CDP, so the page's strict CSP stays on). */
export async function axeViolations(page: Page): Promise<Array<{ id: string; nodes: string[] }>> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: {
          run: (
            o?: object,
          ) => Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }>;
        };
      }
    ).axe;
    const result = await axe.run({ resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      nodes: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
}

/** A static server on another origin, for the cross-origin embed. */
export async function serveStatic(
  files: Record<string, string>,
  port?: number,
): Promise<{ url: string; close: () => Promise<void> }> {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.css': 'text/css',
  };
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const body = files[path === '/' ? '/index.html' : path];
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res
      .writeHead(200, { 'content-type': types[extname(path) || '.html'] ?? 'text/plain' })
      .end(body);
  });
  const listenPort = port ?? (await freePort());
  await new Promise<void>((r) => server.listen(listenPort, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${listenPort}`,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/**
 * The built script tag and its chunks (packages/elements/dist/cdn, .js files), keyed by path
 * from the directory (`/lifeboat.js`, `/chunks/core-….js`), for serveStatic.
 */
export function cdnFiles(): Record<string, string> {
  const dir = join(root, 'packages/elements/dist/cdn');
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' }))
    if (name.endsWith('.js')) files[`/${name}`] = readFileSync(join(dir, name), 'utf8');
  return files;
}
