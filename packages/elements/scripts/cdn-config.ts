import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin, type UserConfig } from 'vite';
import { templateLiterals } from './template-literals.js';

const outDir = resolve(import.meta.dirname, '../dist/cdn');

/** Writes `<file>.sri` with the sha384 integrity of the built module. */
function subresourceIntegrity(fileName: string): Plugin {
  return {
    name: `lifeboat-sri:${fileName}`,
    apply: 'build',
    writeBundle() {
      const file = resolve(outDir, fileName);
      const hash = createHash('sha384').update(readFileSync(file)).digest('base64');
      writeFileSync(`${file}.sri`, `sha384-${hash}\n`);
    },
  };
}

/**
 * One CDN module in dist/cdn: a minified ES module built from sources (no prior tsc), with its
 * templates minified and its SRI hash written beside it.
 */
export function cdnModule(options: {
  /** Entry, relative to the package. */
  entry: string;
  fileName: string;
  /** Only the first build of the directory empties it. */
  emptyOutDir: boolean;
}): UserConfig {
  return defineConfig({
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
    esbuild: { target: 'es2022' },
    plugins: [templateLiterals(), subresourceIntegrity(options.fileName)],
    build: {
      outDir,
      emptyOutDir: options.emptyOutDir,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      copyPublicDir: false,
      modulePreload: false,
      rollupOptions: {
        input: resolve(import.meta.dirname, '..', options.entry),
        preserveEntrySignatures: false,
        output: { format: 'es', entryFileNames: options.fileName, codeSplitting: false },
      },
    },
  });
}

/** The chunk table the loader is built with: written by the chunk build, read by the loader's. */
const chunkTable = resolve(import.meta.dirname, '../dist/cdn-chunks.json');

const sri = (bytes: Buffer | string): string =>
  `sha384-${createHash('sha384').update(bytes).digest('base64')}`;

/**
 * Dynamic imports inside a chunk go through the loader's `__lifeboatImport`, which fetches the
 * chunk with its integrity first (ADR 0032); without the loader they are plain imports.
 */
function checkedDynamicImports(): Plugin {
  return {
    name: 'lifeboat-checked-dynamic-imports',
    apply: 'build',
    renderChunk(code) {
      const out = code.replace(
        /\bimport\((["'])(\.{1,2}\/[^"']+)\1\)/g,
        (_all, quote: string, spec: string) =>
          `(globalThis.__lifeboatImport??(s=>import(s)))(new URL(${quote}${spec}${quote},import.meta.url).href,import.meta.url)`,
      );
      return out === code ? null : { code: out, map: null };
    },
  };
}

/**
 * Vite wraps dynamic imports in a helper that preloads their CSS and imports; the chunks have
 * none beyond the one they import, and the loader preloads with integrity itself: the helper
 * only calls the import.
 */
function noPreloadHelper(): Plugin {
  const id = '\0vite/preload-helper.js';
  return {
    name: 'lifeboat-no-preload-helper',
    enforce: 'pre',
    resolveId: (source) => (source === id ? id : null),
    load: (source) => (source === id ? 'export const __vitePreload = (load) => load();' : null),
  };
}

/** Writes the chunk table: each chunk's sha384 and static imports, and each entry's chunk. */
function chunkManifest(): Plugin {
  return {
    name: 'lifeboat-chunk-manifest',
    apply: 'build',
    writeBundle(_options, bundle) {
      const chunks: Record<string, [string, string[]]> = {};
      const entries: Record<string, string> = {};
      for (const output of Object.values(bundle)) {
        if (output.type !== 'chunk') continue;
        chunks[output.fileName] = [
          sri(readFileSync(resolve(outDir, output.fileName))),
          [...output.imports],
        ];
        if (output.isEntry) entries[output.name] = output.fileName;
      }
      writeFileSync(chunkTable, `${JSON.stringify({ chunks, entries }, null, 2)}\n`);
    },
  };
}

/**
 * What every visitor component needs, in one shared chunk loaded once: lit, nanostores, the SDK
 * client (not its optional parts: direct mode, proof of work), the message table, the base
 * element and shared styles, and the runtime that creates the page's client.
 */
const CORE = new RegExp(
  [
    String.raw`/node_modules/(lit|lit-html|lit-element|@lit/[^/]+|nanostores)/(?!directives/|directive)`,
    String.raw`/packages/sdk/src/(?!direct\.ts|challenge\.ts)`,
    String.raw`/packages/elements/src/(localize|message-table|client-resolver|context)\.ts`,
    String.raw`/packages/elements/src/(base|styles|loader)/`,
    String.raw`/packages/elements/src/controllers/(store|clock)-controller\.ts`,
    String.raw`vite/preload-helper`,
  ].join('|'),
);

/**
 * The visitor components as content-hashed chunks under dist/cdn/chunks (built first: it empties
 * dist/cdn): one per component, the runtime (the page's client), and shared chunks (lit, the
 * SDK core) that each loads once. The loader (dist/cdn/lifeboat.js) is built after it.
 */
export function cdnChunks(entries: Record<string, string>): UserConfig {
  return defineConfig({
    define: { 'process.env.NODE_ENV': JSON.stringify('production') },
    resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
    esbuild: { target: 'es2022' },
    plugins: [noPreloadHelper(), templateLiterals(), checkedDynamicImports(), chunkManifest()],
    build: {
      outDir,
      emptyOutDir: true,
      target: 'es2022',
      minify: true,
      sourcemap: true,
      copyPublicDir: false,
      modulePreload: false,
      rollupOptions: {
        input: Object.fromEntries(
          Object.entries(entries).map(([name, entry]) => [
            name,
            resolve(import.meta.dirname, '..', entry),
          ]),
        ),
        preserveEntrySignatures: 'exports-only',
        output: {
          format: 'es',
          entryFileNames: 'chunks/[name]-[hash].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
          codeSplitting: { groups: [{ name: 'core', test: (id: string) => CORE.test(id) }] },
        },
      },
    },
  });
}

/** The loader's chunk table, as the module `virtual:lifeboat-chunks`. */
function chunkTableModule(): Plugin {
  const id = 'virtual:lifeboat-chunks';
  return {
    name: 'lifeboat-chunk-table',
    resolveId: (source) => (source === id ? `\0${id}` : null),
    load(source) {
      if (source !== `\0${id}`) return null;
      const { chunks, entries } = JSON.parse(readFileSync(chunkTable, 'utf8')) as {
        chunks: unknown;
        entries: unknown;
      };
      return `export const chunks = ${JSON.stringify(chunks)};\nexport const entries = ${JSON.stringify(entries)};`;
    },
  };
}

/** The script tag dist/cdn/lifeboat.js: the loader, built after the chunks it names. */
export function cdnLoader(options: { entry: string; fileName: string }): UserConfig {
  const config = cdnModule({ ...options, emptyOutDir: false });
  config.plugins = [chunkTableModule(), ...(config.plugins ?? [])];
  return config;
}
