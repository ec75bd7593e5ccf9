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
