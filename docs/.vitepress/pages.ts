/**
 * The site's sidebar, built from the Markdown files present at build time: a curated order for
 * the pages we know, and every other page of docs/ in a last group, so a page added by anyone
 * appears without touching this file. `tests/e2e/docs-site.test.ts` checks that every page is
 * reachable from it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DefaultTheme } from 'vitepress';

export const docsDir = join(import.meta.dirname, '..');

/** The repository, for links to files outside docs/ (sources, examples). */
export const repoUrl = 'https://github.com/lifeboat-status/lifeboat';

/** Pages (paths relative to docs/, without `.md`) in the order each group shows them. */
const curated: { text: string; pages: string[] }[] = [
  {
    text: 'Start here',
    pages: ['getting-started', 'embed', 'theming', 'frameworks', 'sdk', 'README'],
  },
  {
    text: 'Guides',
    pages: [
      'banner',
      'thread',
      'workarounds',
      'email',
      'identity',
      'moderation',
      'moderation-component',
      'reputation',
      'early-warning',
      'insights',
      'exports',
      'status-sources',
      'webhooks',
    ],
  },
  {
    text: 'Server',
    pages: [
      'server/configuration',
      'server/api',
      'server/stream',
      'server/cdn',
      'staff-sign-in',
      'metrics',
      'security',
    ],
  },
  { text: 'Operations', pages: ['deploy', 'releasing', 'testing'] },
];

/** Markdown files of one folder of docs/ (relative paths, without `.md`), sorted. */
export function pagesIn(folder: string): string[] {
  const dir = folder ? join(docsDir, folder) : docsDir;
  return readdirSync(dir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => (folder ? `${folder}/` : '') + name.slice(0, -3));
}

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A page's sidebar text: its first `# ` heading without Markdown, escaped (VitePress renders
 * sidebar text as HTML, and a component's heading is its tag name).
 */
export function pageTitle(page: string): string {
  const source = readFileSync(join(docsDir, `${page}.md`), 'utf8');
  const frontmatterTitle = /^---\n[\s\S]*?^title:\s*(.+)$[\s\S]*?^---$/m.exec(source)?.[1];
  const heading = /^#\s+(.+)$/m.exec(source)?.[1];
  const text = (frontmatterTitle ?? heading ?? page)
    .replace(/`/g, '')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .trim();
  return escapeHtml(text);
}

/**
 * An ADR's title with its number from the file name (`0007 The banner never moves the host
 * page`): the headings number themselves in several ways ("7.", "0010 —").
 */
export function decisionTitle(file: string, heading: string): string {
  const number = /(\d{4})-[^/]*$/.exec(file)?.[1];
  const title = heading.replace(/^\s*(ADR\s*)?\d+\s*(\.|:|—|-)?\s*/i, '');
  return number ? `${number} ${title}` : title;
}

const link = (page: string): string =>
  '/' + (page.endsWith('index') ? page.slice(0, -'index'.length) : page);

const item = (page: string, text = pageTitle(page)): DefaultTheme.SidebarItem => ({
  text,
  link: link(page),
});

export function sidebar(): DefaultTheme.SidebarItem[] {
  const present = new Set([...pagesIn(''), ...pagesIn('server')]);
  present.delete('index');
  const groups: DefaultTheme.SidebarItem[] = [];
  for (const group of curated) {
    const pages = group.pages.filter((page) => present.delete(page));
    if (pages.length)
      groups.push({
        text: group.text,
        items: pages.map((page) => (page === 'README' ? item(page, 'All pages') : item(page))),
      });
  }
  if (present.size)
    groups.push({ text: 'More', items: [...present].sort().map((page) => item(page)) });

  const components = pagesIn('components').filter((page) => page !== 'components/README');
  groups.push({
    text: 'Components',
    collapsed: false,
    items: [item('components/README', 'Overview'), ...components.map((page) => item(page))],
  });

  const decisions = pagesIn('decisions').filter((page) => page !== 'decisions/index');
  groups.push({
    text: 'Architecture decisions',
    collapsed: true,
    items: [
      item('decisions/index', 'All decisions'),
      ...decisions.map((page) => item(page, decisionTitle(page, pageTitle(page)))),
    ],
  });
  return groups;
}
