import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

const outDir = resolve(import.meta.dirname, 'dist/cdn');

/** Writes dist/cdn/lifeboat-moderation.js.sri with the sha384 integrity of the module. */
function subresourceIntegrity(): Plugin {
  return {
    name: 'lifeboat-moderation-sri',
    apply: 'build',
    writeBundle() {
      const file = resolve(outDir, 'lifeboat-moderation.js');
      const hash = createHash('sha384').update(readFileSync(file)).digest('base64');
      writeFileSync(`${file}.sri`, `sha384-${hash}\n`);
    },
  };
}

/**
 * The staff module for admin pages (`<lifeboat-moderation>`), built after the visitor bundle
 * into the same directory (not emptied). Kept out of dist/cdn/lifeboat.js so visitors never load it.
 */
export default defineConfig({
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  esbuild: { target: 'es2022' },
  plugins: [subresourceIntegrity()],
  build: {
    outDir,
    emptyOutDir: false,
    target: 'es2022',
    minify: true,
    sourcemap: true,
    copyPublicDir: false,
    modulePreload: false,
    rollupOptions: {
      input: resolve(import.meta.dirname, 'src/moderation/cdn.ts'),
      preserveEntrySignatures: false,
      output: {
        format: 'es',
        entryFileNames: 'lifeboat-moderation.js',
        codeSplitting: false,
      },
    },
  },
});
