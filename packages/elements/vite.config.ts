import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';
import { templateLiterals } from './scripts/template-literals.js';

const outDir = resolve(import.meta.dirname, 'dist/cdn');

/** Writes dist/cdn/lifeboat.js.sri with the sha384 integrity of the bundle. */
function subresourceIntegrity(): Plugin {
  return {
    name: 'lifeboat-sri',
    apply: 'build',
    writeBundle() {
      const file = resolve(outDir, 'lifeboat.js');
      const hash = createHash('sha384').update(readFileSync(file)).digest('base64');
      writeFileSync(`${file}.sri`, `sha384-${hash}\n`);
    },
  };
}

/** The script-tag bundle: one minified ES module, built from sources (no prior tsc). */
export default defineConfig({
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  esbuild: { target: 'es2022' },
  plugins: [templateLiterals(), subresourceIntegrity()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    copyPublicDir: false,
    modulePreload: false,
    rollupOptions: {
      input: resolve(import.meta.dirname, 'src/cdn.ts'),
      preserveEntrySignatures: false,
      output: {
        format: 'es',
        entryFileNames: 'lifeboat.js',
        codeSplitting: false,
      },
    },
  },
});
