/**
 * Gzip sizes of what the script tag costs a page (loader + chunks, beside the single bundle before
 * the split and the issue's targets) and of each package entry (minified, deps bundled).
 */
import { readFileSync } from 'node:fs';
import { gzipSync, brotliCompressSync } from 'node:zlib';
import { join } from 'node:path';
import { build } from 'esbuild';
import { BEFORE, embedSizes, TARGETS } from './embed-sizes.js';

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
  const embed = embedSizes();
  const line = (name: string, raw: number, gzip: number, note = '') =>
    console.log(
      `  ${name.padEnd(40)} ${kb(raw).padStart(9)} min  ${kb(gzip).padStart(8)} gzip${note}`,
    );
  const vs = (target: number, gzip: number) =>
    `   target ${kb(target)}${gzip <= target ? ' (met)' : ` (${kb(gzip - target)} over)`}`;
  console.log(`  Script tag, before the split (${BEFORE.commit}): every page paid for everything`);
  line('dist/cdn/lifeboat.js (one module)', BEFORE.scriptTag.raw, BEFORE.scriptTag.gzip);
  console.log(`  brotli of it: ${kb(BEFORE.scriptTag.brotli)}`);
  console.log('  Script tag now: the loader and the chunks a page uses');
  line(
    embed.bannerPath.name,
    embed.bannerPath.raw,
    embed.bannerPath.gzip,
    vs(TARGETS.bannerPath, embed.bannerPath.gzip),
  );
  line(
    embed.demoPage.name,
    embed.demoPage.raw,
    embed.demoPage.gzip,
    vs(TARGETS.demoPage, embed.demoPage.gzip),
  );
  for (const o of embed.optional) line(o.name, o.raw, o.gzip);
  line(embed.allInOne.name, embed.allInOne.raw, embed.allInOne.gzip);
  line(
    embed.moderation.name,
    embed.moderation.raw,
    embed.moderation.gzip,
    `   before ${kb(BEFORE.moderation.gzip)}`,
  );
  const brotli = embed.bannerPath.files.reduce(
    (n, f) =>
      n + brotliCompressSync(readFileSync(join(root, 'packages/elements/dist/cdn', f))).length,
    0,
  );
  console.log(`  brotli of the banner path: ${kb(brotli)}`);
  rows.push(
    {
      name: 'script tag: loader + banner path',
      raw: embed.bannerPath.raw,
      gzip: embed.bannerPath.gzip,
    },
    { name: 'script tag: demo page', raw: embed.demoPage.raw, gzip: embed.demoPage.gzip },
  );
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
