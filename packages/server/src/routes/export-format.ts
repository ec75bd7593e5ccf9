/**
 * Thread exports as streams of text (docs/exports.md): a JSON document, or CSV tables of the
 * posts, the workarounds and the report. Each generator reads the store a page at a time through
 * `pages` and yields text as it goes; the caller writes it to the response with backpressure, so
 * the next page is read only when the client has taken the one before.
 */
import type { Incident, IncidentReport, WorkaroundFields } from '@lifeboat/protocol';
import type { ExportPost } from '../store/sql-export.js';
import { csvCell, reportCsv } from './report-format.js';

export type ExportTable = 'posts' | 'workarounds' | 'report';

/** Reads the posts after a cursor (an id), one page; an empty page ends the export. */
export type PageReader = (after: string, kind: 'all' | 'workaround') => Promise<ExportPost[]>;

const csvRow = (cells: Array<string | number | boolean | null | undefined>) =>
  cells.map((c) => csvCell(c ?? null)).join(',') + '\r\n';

/** A post as it is exported: the author as shown, its state, its confirmations. */
export function exportedPost(post: ExportPost) {
  return {
    id: post.id,
    parentId: post.parentId,
    kind: post.kind,
    status: post.state,
    deletedAt: post.deletedAt ?? null,
    mergedInto: post.mergedInto ?? null,
    author: {
      id: post.author.id,
      displayName: post.author.displayName,
      role: post.author.role,
    },
    createdAt: post.createdAt,
    editedAt: post.editedAt,
    verified: post.verified,
    pinned: post.pinned,
    confirmations: { worked: post.counts.worked, didntWork: post.counts.didntWork },
    score: post.score,
    flags: post.flagCount,
    body: post.body,
  };
}

/** A workaround with its structured fields. */
export function exportedWorkaround(post: ExportPost) {
  const w: Partial<WorkaroundFields> = post.workaround ?? {};
  return {
    id: post.id,
    status: post.state,
    deletedAt: post.deletedAt ?? null,
    title: w.title ?? '',
    steps: w.steps ?? [],
    component: w.component ?? null,
    platform: w.platform ?? null,
    risk: w.risk ?? null,
    riskNote: w.riskNote ?? null,
    expiresAt: w.expiresAt ?? null,
    verified: post.verified,
    pinned: post.pinned,
    confirmations: { worked: post.counts.worked, didntWork: post.counts.didntWork },
    author: { id: post.author.id, displayName: post.author.displayName, role: post.author.role },
    createdAt: post.createdAt,
  };
}

async function* paged(pages: PageReader, kind: 'all' | 'workaround'): AsyncGenerator<ExportPost[]> {
  let after = '';
  for (;;) {
    const page = await pages(after, kind);
    if (!page.length) return;
    yield page;
    after = page.at(-1)!.id;
  }
}

/**
 * `{"exportedAt", "site", "incident", "posts": [...], "workarounds": [...], "report"}`: the
 * posts and workarounds written a page at a time, the report (null until the incident is
 * resolved) last.
 */
export async function* jsonExport(input: {
  site: string;
  incident: Incident;
  pages: PageReader;
  report: () => Promise<IncidentReport | null>;
}): AsyncGenerator<string> {
  const head = {
    format: 'lifeboat-thread-export',
    version: 1,
    exportedAt: new Date().toISOString(),
    site: input.site,
    incident: input.incident,
  };
  yield `${JSON.stringify(head).slice(0, -1)},"posts":[`;
  let first = true;
  for await (const page of paged(input.pages, 'all')) {
    yield (first ? '\n' : ',\n') + page.map((p) => JSON.stringify(exportedPost(p))).join(',\n');
    first = false;
  }
  yield '\n],"workarounds":[';
  first = true;
  for await (const page of paged(input.pages, 'workaround')) {
    yield (
      (first ? '\n' : ',\n') + page.map((p) => JSON.stringify(exportedWorkaround(p))).join(',\n')
    );
    first = false;
  }
  yield `\n],"report":${JSON.stringify(await input.report())}}\n`;
}

export const POST_COLUMNS = [
  'id',
  'parent_id',
  'kind',
  'status',
  'deleted_at',
  'merged_into',
  'author_id',
  'author_name',
  'author_role',
  'created_at',
  'edited_at',
  'verified',
  'pinned',
  'worked',
  'didnt_work',
  'score',
  'flags',
  'body',
] as const;

export const WORKAROUND_COLUMNS = [
  'id',
  'status',
  'deleted_at',
  'title',
  'steps',
  'component',
  'platform',
  'risk',
  'risk_note',
  'expires_at',
  'verified',
  'pinned',
  'worked',
  'didnt_work',
  'author_id',
  'author_name',
  'author_role',
  'created_at',
] as const;

/** One CSV table (RFC 4180, CRLF, formula cells defused by `csvCell`). */
export async function* csvExport(input: {
  table: ExportTable;
  pages: PageReader;
  report: () => Promise<IncidentReport | null>;
}): AsyncGenerator<string> {
  if (input.table === 'report') {
    const report = await input.report();
    if (report) yield reportCsv(report);
    return;
  }
  if (input.table === 'posts') {
    yield csvRow([...POST_COLUMNS]);
    for await (const page of paged(input.pages, 'all'))
      yield page
        .map((p) => {
          const e = exportedPost(p);
          return csvRow([
            e.id,
            e.parentId,
            e.kind,
            e.status,
            e.deletedAt,
            e.mergedInto,
            e.author.id,
            e.author.displayName,
            e.author.role,
            e.createdAt,
            e.editedAt,
            e.verified,
            e.pinned,
            e.confirmations.worked,
            e.confirmations.didntWork,
            e.score,
            e.flags,
            e.body,
          ]);
        })
        .join('');
    return;
  }
  yield csvRow([...WORKAROUND_COLUMNS]);
  for await (const page of paged(input.pages, 'workaround'))
    yield page
      .map((p) => {
        const w = exportedWorkaround(p);
        return csvRow([
          w.id,
          w.status,
          w.deletedAt,
          w.title,
          w.steps.join('\n'),
          w.component,
          w.platform,
          w.risk,
          w.riskNote,
          w.expiresAt,
          w.verified,
          w.pinned,
          w.confirmations.worked,
          w.confirmations.didntWork,
          w.author.id,
          w.author.displayName,
          w.author.role,
          w.createdAt,
        ]);
      })
      .join('');
}
