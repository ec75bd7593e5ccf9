/**
 * The docs site: VitePress over docs/ (`pnpm docs:dev`, `pnpm docs:build`). The pages stay plain
 * Markdown that also reads well on GitHub; what the site needs on top lives here:
 * - the sidebar, built from the files present (pages.ts);
 * - links to files outside docs/ (sources, examples) rewritten to the repository;
 * - the files beside the pages that are not pages (openapi.json, screenshots) copied into the
 *   site, and a captured Statuspage summary.json served at /demo/summary.json for the banner's
 *   direct mode;
 * - the components, from their sources, in client-only demos (theme/).
 * Dead internal links fail the build (VitePress's default; only localhost examples are let by).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import type { Plugin } from 'vite';
import { defineConfig, type MarkdownRenderer as MarkdownIt } from 'vitepress';
import { docsDir, repoUrl, sidebar } from './pages.js';

const root = join(docsDir, '..');

/** The capture the banner demo reads in direct mode (githubstatus.com during an incident). */
export const demoSummary = join(
  root,
  'packages/protocol/test/fixtures/statuspage/statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
);

/**
 * Relative links that leave docs/ (`../packages/…`, `../../examples/…`) point at the
 * repository instead, where GitHub shows them.
 */
function repositoryLinks(md: MarkdownIt): void {
  md.core.ruler.push('lifeboat-repository-links', (state) => {
    const page = (state.env as { relativePath?: string }).relativePath;
    if (!page) return;
    const visit = (tokens: typeof state.tokens): void => {
      for (const token of tokens) {
        if (token.children) visit(token.children);
        if (token.type !== 'link_open') continue;
        const href = token.attrGet('href');
        if (!href || /^([a-z][a-z0-9+.-]*:|#|\/)/i.test(href)) continue;
        const [path, hash = ''] = href.split('#');
        const target = posix.normalize(posix.join('docs', posix.dirname(page), path!));
        if (target.startsWith('docs/')) continue;
        let kind = 'blob';
        try {
          if (statSync(join(root, target)).isDirectory()) kind = 'tree';
        } catch {
          // A file that does not exist: the link check of the site reports it.
        }
        token.attrSet('href', `${repoUrl}/${kind}/main/${target}${hash ? `#${hash}` : ''}`);
      }
    };
    visit(state.tokens);
  });
}

/**
 * Heading ids as GitHub makes them (lower case, punctuation dropped, each space a hyphen, no
 * collapsing), so the `#anchors` written for GitHub work on the site too.
 */
export const githubSlug = (text: string): string =>
  text
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');

/** HTML the pages may use inline; any other `<word>` in prose is a placeholder, shown as text. */
const inlineHtml = new Set(
  'a abbr b br code del details em i img ins kbd mark q s samp small span strong sub summary sup time u var wbr'.split(
    ' ',
  ),
);

/**
 * Placeholders such as `<incident>` or `<data-dir>` written outside backticks: GitHub drops
 * them, Vue fails the page on the unclosed tag; here they are shown as the text they are.
 * Components (`<lifeboat-…>`, `<LifeboatDemo>`) stay elements.
 */
function placeholdersAsText(md: MarkdownIt): void {
  md.core.ruler.push('lifeboat-placeholders', (state) => {
    for (const block of state.tokens) {
      for (const token of block.children ?? []) {
        if (token.type !== 'html_inline') continue;
        const name = /^<\/?([A-Za-z][\w-]*)/.exec(token.content)?.[1];
        if (!name || inlineHtml.has(name.toLowerCase())) continue;
        if (name.startsWith('lifeboat-') || /^[A-Z]/.test(name)) continue;
        token.type = 'text';
      }
    }
  });
}

/**
 * Each generated component page (components/lifeboat-*.md) gets its live demo under its title;
 * the Markdown stays what `pnpm docs` writes.
 */
function componentDemos(md: MarkdownIt): void {
  md.core.ruler.push('lifeboat-component-demos', (state) => {
    const page = (state.env as { relativePath?: string }).relativePath ?? '';
    if (!/^components\/lifeboat-[a-z-]+\.md$/.test(page)) return;
    const title = state.tokens.findIndex((token) => token.type === 'heading_close');
    const demo = new state.Token('html_block', '', 0);
    demo.content = '<ComponentPageDemo />\n';
    state.tokens.splice(title + 1, 0, demo);
  });
}

/** Every file of docs/ that is not a page (openapi.json, screenshots), at the same path. */
function listAssets(dir = docsDir): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...listAssets(path));
    else if (!entry.name.endsWith('.md')) files.push(relative(docsDir, path));
  }
  return files;
}

function siteAssets(): Plugin {
  const served = (): Map<string, string> => {
    const files = new Map(listAssets().map((file) => [file, join(docsDir, file)]));
    files.set('demo/summary.json', demoSummary);
    return files;
  };
  const types: Record<string, string> = { json: 'application/json', png: 'image/png' };
  return {
    name: 'lifeboat-docs-assets',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = decodeURIComponent((req.url ?? '').split('?')[0]!).replace(/^\/+/, '');
        const file = served().get(path);
        if (!file) return next();
        res.setHeader('Content-Type', types[path.split('.').pop()!] ?? 'application/octet-stream');
        res.end(readFileSync(file));
      });
    },
    generateBundle(_options, bundle) {
      // The client build only (the server build's output is thrown away).
      if (this.environment.name !== 'client') return;
      for (const [fileName, file] of served())
        if (!(fileName in bundle))
          this.emitFile({ type: 'asset', fileName, source: readFileSync(file) });
    },
  };
}

export default defineConfig({
  title: 'Lifeboat',
  description:
    'Live status banner, peer-answer thread and workarounds for status pages, as web components.',
  lang: 'en',
  cleanUrls: false,
  // Vite's dependency cache of `pnpm docs:dev` stays out of the tree (and out of lint).
  cacheDir: join(root, 'node_modules/.cache/vitepress'),
  // Dead links fail the build; only links to a local server (http://localhost:8787) are examples.
  ignoreDeadLinks: 'localhostLinks',
  lastUpdated: false,
  head: [
    ['meta', { name: 'theme-color', content: '#4f46e5' }],
    [
      'link',
      {
        rel: 'icon',
        href: `data:image/svg+xml,${encodeURIComponent('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="13" fill="none" stroke="#4f46e5" stroke-width="6"/></svg>')}`,
      },
    ],
  ],
  markdown: {
    anchor: { slugify: githubSlug },
    config: (md) => {
      repositoryLinks(md);
      placeholdersAsText(md);
      componentDemos(md);
    },
  },
  vue: {
    template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('lifeboat-') } },
  },
  vite: {
    // The components are imported from their sources, as the elements demo does.
    resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
    plugins: [siteAssets()],
    server: { fs: { allow: [root] } },
    build: { chunkSizeWarningLimit: 1500 },
  },
  themeConfig: {
    nav: [
      { text: 'Get started', link: '/getting-started' },
      { text: 'Components', link: '/components/README' },
      { text: 'HTTP API', link: '/server/api' },
      { text: 'Deploy', link: '/deploy' },
      { text: 'Decisions', link: '/decisions/' },
    ],
    sidebar: sidebar(),
    outline: { level: [2, 3] },
    search: { provider: 'local' },
    socialLinks: [{ icon: 'github', link: repoUrl }],
    editLink: { pattern: `${repoUrl}/edit/main/docs/:path`, text: 'Edit this page' },
    footer: { message: 'MIT licensed.' },
  },
});
