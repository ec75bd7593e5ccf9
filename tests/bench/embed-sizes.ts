/**
 * What the script tag costs a page, from the built files in packages/elements/dist/cdn (gzip
 * level 9 of each file as sent; deterministic for one build): the loader plus every chunk a
 * page's components import, each counted once. Used by `pnpm bench` (section `sizes`) and by the
 * budget test (tests/e2e/budgets.test.ts).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const root = new URL('../..', import.meta.url).pathname;
export const cdnDir = join(root, 'packages/elements/dist/cdn');

interface ChunkTable {
  chunks: Record<string, [integrity: string, imports: string[]]>;
  entries: Record<string, string>;
}

export interface PathSize {
  name: string;
  files: string[];
  raw: number;
  gzip: number;
}

/** Sizes measured before the split (one 186,495-byte module), for the before/after table. */
export const BEFORE = {
  commit: '2b047ae',
  scriptTag: { raw: 186_495, gzip: 60_079, brotli: 51_679 },
  moderation: { raw: 81_718, gzip: 27_104 },
};

/** The targets (issue 13) for the loader + banner path and the demo page, gzip bytes. */
export const TARGETS = { bannerPath: 16 * 1024, demoPage: 40 * 1024 };

const gzipOf = (file: string) => gzipSync(readFileSync(join(cdnDir, file)), { level: 9 }).length;
const rawOf = (file: string) => readFileSync(join(cdnDir, file)).length;

export function chunkTable(): ChunkTable {
  return JSON.parse(
    readFileSync(join(root, 'packages/elements/dist/cdn-chunks.json'), 'utf8'),
  ) as ChunkTable;
}

/** The loader and every chunk the named entries import (transitively), each once. */
export function pathOf(name: string, entries: string[], table = chunkTable()): PathSize {
  const files = new Set<string>(['lifeboat.js']);
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const dep of table.chunks[file]?.[1] ?? []) visit(dep);
  };
  for (const entry of entries) {
    const file = table.entries[entry];
    if (!file) throw new Error(`No chunk for entry ${entry}: build @lifeboat/elements first.`);
    visit(file);
  }
  const list = [...files];
  return {
    name,
    files: list,
    raw: list.reduce((n, f) => n + rawOf(f), 0),
    gzip: list.reduce((n, f) => n + gzipOf(f), 0),
  };
}

export function singleFile(name: string, file: string): PathSize {
  return { name, files: [file], raw: rawOf(file), gzip: gzipOf(file) };
}

/** The paths the budgets are about. */
export function embedSizes(): {
  bannerPath: PathSize;
  demoPage: PathSize;
  allInOne: PathSize;
  moderation: PathSize;
  optional: PathSize[];
} {
  const table = chunkTable();
  const optional = Object.keys(table.chunks)
    .filter((f) => /^chunks\/(position|direct|challenge)-/.test(f))
    .map((f) => singleFile(`on first use: ${f.replace(/^chunks\/|-[\w-]{8}\.js$/g, '')}`, f));
  return {
    bannerPath: pathOf('loader + banner path', ['runtime', 'banner'], table),
    demoPage: pathOf(
      'demo page (banner, thread, form)',
      ['runtime', 'banner', 'thread', 'workaround-form'],
      table,
    ),
    allInOne: singleFile('single file lifeboat.all.js', 'lifeboat.all.js'),
    moderation: singleFile('moderation console module', 'lifeboat-moderation.js'),
    optional,
  };
}
