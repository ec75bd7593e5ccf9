/** The ADRs of docs/decisions, for its index page: number order, title and status line. */
import { createContentLoader } from 'vitepress';
import { decisionTitle } from './pages.js';

export interface Decision {
  url: string;
  title: string;
  status: string;
}

declare const data: Decision[];
export { data };

export default createContentLoader('decisions/*.md', {
  includeSrc: true,
  transform: (pages): Decision[] =>
    pages
      .filter((page) => !page.url.endsWith('/decisions/'))
      .map((page) => ({
        url: page.url,
        title: decisionTitle(
          page.url.replace(/\.html$/, ''),
          /^#\s+(.+)$/m.exec(page.src ?? '')?.[1]?.replace(/`/g, '') ?? page.url,
        ),
        // "accepted (2026-11-23)", without what follows it on the line.
        status: /^-\s*Status:\s*(\w+(\s*\([^)]*\))?)/im.exec(page.src ?? '')?.[1] ?? '',
      }))
      .sort((a, b) => a.url.localeCompare(b.url)),
});
