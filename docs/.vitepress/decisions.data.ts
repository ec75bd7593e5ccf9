/** The ADRs of docs/decisions, for its index page: number order, title and status line. */
import { createContentLoader } from 'vitepress';

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
        title: /^#\s+(.+)$/m.exec(page.src ?? '')?.[1]?.replace(/`/g, '') ?? page.url,
        status: /^-\s*Status:\s*(.+)$/im.exec(page.src ?? '')?.[1] ?? '',
      }))
      .sort((a, b) => a.url.localeCompare(b.url)),
});
