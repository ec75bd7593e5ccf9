/**
 * The docs site (issue 14): VitePress builds docs/ into a temporary directory, and the result is
 * checked like a reader would find it.
 * - The build passes: VitePress fails it on a dead link between pages (no ignoreDeadLinks, only
 *   localhost examples are let by), and on a page Vue cannot compile.
 * - Every Markdown page of docs/ has its HTML page and is reachable from the sidebar.
 * - Every internal link and asset of every built page resolves to a file of the site, and every
 *   `#fragment` to an id on its target page.
 * - Every component page has its live demo, and the demos render in Chromium: the banner in
 *   direct mode from the site's own summary.json, the others from sample data.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, posix } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, launchChromium, root, watchConsole } from './harness.js';

const docs = join(root, 'docs');
const out = mkdtempSync(join(tmpdir(), 'lifeboat-docs-'));
let build: { status: number | null; output: string };

/** Markdown pages of docs/ (relative, without `.md`), the site's own folder left out. */
function markdownPages(dir = docs, prefix = ''): string[] {
  const pages: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    if (entry.isDirectory())
      pages.push(...markdownPages(join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (entry.name.endsWith('.md')) pages.push(prefix + entry.name.slice(0, -3));
  }
  return pages.sort();
}

const htmlOf = (page: string): string =>
  page === 'index' || page.endsWith('/index')
    ? `${page.slice(0, -'index'.length)}index.html`
    : `${page}.html`;

function builtPages(dir = out, prefix = ''): string[] {
  const pages: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory())
      pages.push(...builtPages(join(dir, entry.name), `${prefix}${entry.name}/`));
    else if (entry.name.endsWith('.html')) pages.push(prefix + entry.name);
  }
  return pages;
}

const read = (file: string): string => readFileSync(join(out, file), 'utf8');
const ids = new Map<string, Set<string>>();
const idsOf = (file: string): Set<string> => {
  let set = ids.get(file);
  if (!set) {
    set = new Set([...read(file).matchAll(/\sid="([^"]+)"/g)].map((m) => decodeEntities(m[1]!)));
    ids.set(file, set);
  }
  return set;
};
const decodeEntities = (text: string): string =>
  text
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

beforeAll(async () => {
  const child = spawn(
    process.execPath,
    [join(root, 'node_modules/vitepress/bin/vitepress.js'), 'build', 'docs', '--outDir', out],
    { cwd: root, timeout: 240_000, env: { ...process.env, NO_COLOR: '1' } },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  build = { status, output };
}, 250_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the docs site', () => {
  it('builds, with no dead link between pages', () => {
    expect(build.output).not.toMatch(/dead link/i);
    expect(build.status, build.output.slice(-4000)).toBe(0);
  });

  it('has an HTML page for every Markdown page of docs/', () => {
    const missing = markdownPages().filter((page) => !existsSync(join(out, htmlOf(page))));
    expect(missing).toEqual([]);
  });

  it('reaches every page from the sidebar', () => {
    const html = read('getting-started.html');
    const nav = /<nav[^>]*id="VPSidebarNav"[\s\S]*?<\/nav>/.exec(html)?.[0] ?? '';
    const linked = new Set(
      [...nav.matchAll(/href="([^"#]+)/g)].map((m) =>
        m[1]!.replace(/^\//, '').replace(/\.html$/, ''),
      ),
    );
    expect(linked.size).toBeGreaterThan(20);
    const unreachable = markdownPages()
      .filter((page) => page !== 'index')
      .filter((page) => !linked.has(page.replace(/(^|\/)index$/, '$1')));
    expect(unreachable).toEqual([]);
  });

  it('resolves every internal link, asset and #fragment of every page', () => {
    const broken: string[] = [];
    for (const page of builtPages()) {
      if (page === '404.html') continue;
      const html = read(page);
      for (const [, attr, raw] of html.matchAll(/\s(href|src)="([^"]*)"/g)) {
        const url = decodeEntities(raw!);
        if (!url || /^([a-z][a-z0-9+.-]*:|\/\/)/i.test(url)) continue;
        const [beforeHash, fragment] = url.split('#');
        const path = beforeHash!.split('?')[0]!;
        let target = path
          ? path.startsWith('/')
            ? path.slice(1)
            : posix.join(posix.dirname(page), path)
          : page;
        if (target === '' || target.endsWith('/')) target += 'index.html';
        if (!existsSync(join(out, target))) {
          broken.push(`${page}: ${attr}="${url}" (no ${target})`);
          continue;
        }
        if (
          fragment &&
          target.endsWith('.html') &&
          !idsOf(target).has(decodeURIComponent(fragment))
        )
          broken.push(`${page}: ${attr}="${url}" (no id "${fragment}" in ${target})`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('shows a live demo on every component page', () => {
    const components = markdownPages().filter((page) => /^components\/lifeboat-/.test(page));
    expect(components.length).toBeGreaterThanOrEqual(5);
    const without = components.filter(
      (page) => !read(htmlOf(page)).includes('data-demo="lifeboat-'),
    );
    expect(without).toEqual([]);
  });
});

describe('the docs site in Chromium', () => {
  let browser: Browser;
  let server: Server;
  let base: string;
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.json': 'application/json',
    '.png': 'image/png',
    '.woff2': 'font/woff2',
    '.svg': 'image/svg+xml',
  };

  beforeAll(async () => {
    server = createServer((req, res) => {
      let path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
      if (path.endsWith('/')) path += 'index.html';
      const file = join(out, posix.normalize(path));
      if (!file.startsWith(out) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
      res.end(readFileSync(file));
    });
    const port = await freePort();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    base = `http://127.0.0.1:${port}`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
  });

  /** The text a component renders in its shadow root, once it has some. */
  async function demoText(path: string, tag: string): Promise<{ text: string; errors: string[] }> {
    const page = await browser.newPage();
    const errors = watchConsole(page);
    page.on('response', (response) => {
      if (response.status() >= 400) errors.push(`${response.status()} ${response.url()}`);
    });
    await page.goto(base + path);
    const handle = await page.waitForFunction(
      (name) => {
        const el = document.querySelector(`.lifeboat-demo-stage ${name}`);
        const text = el?.shadowRoot?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
        return text.length > 20 ? text : false;
      },
      tag,
      { timeout: 30_000 },
    );
    const text = (await handle.jsonValue()) as string;
    await page.close();
    return { text, errors };
  }

  it('renders the banner in direct mode from the captured summary.json', async () => {
    const summary = JSON.parse(read('demo/summary.json')) as { incidents: Array<{ name: string }> };
    const { text, errors } = await demoText('/components/lifeboat-banner.html', 'lifeboat-banner');
    expect(text).toContain(summary.incidents[0]!.name);
    expect(errors).toEqual([]);
  });

  it('renders the thread and the moderation console from sample data', async () => {
    const thread = await demoText('/components/lifeboat-thread.html', 'lifeboat-thread');
    expect(thread.text).toMatch(/answer/i);
    expect(thread.errors).toEqual([]);
    const moderation = await demoText(
      '/components/lifeboat-moderation.html',
      'lifeboat-moderation',
    );
    expect(moderation.text).toMatch(/review|queue/i);
    expect(moderation.errors).toEqual([]);
  });
});
