/** Gzip sizes of the script-tag bundle and of each package entry (minified, deps bundled). */
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { join } from 'node:path';
import { build } from 'esbuild';

const root = new URL('../..', import.meta.url).pathname;

const entries: Array<[string, string]> = [
  ['@lifeboat/protocol', 'packages/protocol/src/index.ts'],
  ['@lifeboat/sdk', 'packages/sdk/src/index.ts'],
  ['@lifeboat/elements/banner.js', 'packages/elements/src/banner/banner.ts'],
  ['@lifeboat/elements/thread.js', 'packages/elements/src/thread/thread.ts'],
  [
    '@lifeboat/elements/workaround-form.js',
    'packages/elements/src/workaround-form/workaround-form.ts',
  ],
  ['@lifeboat/elements (all)', 'packages/elements/src/index.ts'],
];

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function sizes(): Promise<Array<{ name: string; raw: number; gzip: number }>> {
  const rows: Array<{ name: string; raw: number; gzip: number }> = [];
  const cdn = readFileSync(join(root, 'packages/elements/dist/cdn/lifeboat.js'));
  rows.push({
    name: 'script tag dist/cdn/lifeboat.js',
    raw: cdn.length,
    gzip: gzipSync(cdn, { level: 9 }).length,
  });
  console.log(`  brotli of the script tag: ${kb(brotliCompressSync(cdn).length)}`);
  for (const [name, file] of entries) {
    const result = await build({
      entryPoints: [join(root, file)],
      bundle: true,
      minify: true,
      format: 'esm',
      write: false,
      conditions: ['source'],
      define: { 'process.env.NODE_ENV': '"production"' },
      tsconfigRaw: {
        compilerOptions: { experimentalDecorators: true, useDefineForClassFields: false },
      },
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.contents;
    rows.push({ name, raw: code.length, gzip: gzipSync(code, { level: 9 }).length });
  }
  for (const r of rows)
    console.log(
      `  ${r.name.padEnd(40)} ${kb(r.raw).padStart(9)} min  ${kb(r.gzip).padStart(8)} gzip`,
    );
  return rows;
}
