import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/** The demo page: the components from sources with a fake client and sample data. */
export default defineConfig({
  root: import.meta.dirname,
  define: { 'process.env.NODE_ENV': JSON.stringify('production') },
  resolve: { conditions: ['source', 'browser', 'module', 'import', 'default'] },
  build: {
    outDir: resolve(import.meta.dirname, '../dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
  },
});
