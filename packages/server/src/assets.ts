/**
 * Where the server finds the files it serves besides the API (ADR 31), through package exports
 * so an installed `@lifeboat/server` finds them in its own node_modules:
 * - the script-tag bundle (/cdn/*): `@lifeboat/elements/cdn/*` (its dist/cdn directory);
 * - the demo pages (/, /moderation/, /insights/ in demo mode): `@lifeboat/server/demo-pages/*`, the
 *   server's dist/demo-pages, copied from the repository's examples/ by the server's build
 *   (scripts/copy-demo.mjs). Running from the TypeScript sources (a checkout, `pnpm start`, the
 *   tests) they come from examples/ itself, so an edit there shows without a build.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The demo pages the server serves, each a directory with an index.html. */
export const DEMO_PAGES = ['status-page', 'moderation', 'insights'] as const;
export type DemoPage = (typeof DEMO_PAGES)[number];

const fromSource = import.meta.url.endsWith('.ts');

/** The directory of the script-tag bundle: the `@lifeboat/elements/cdn/*` export. */
export function cdnDirectory(): string {
  return path.dirname(fileURLToPath(import.meta.resolve('@lifeboat/elements/cdn/lifeboat.js')));
}

/** The directory of one demo page. */
export function demoDirectory(page: DemoPage): string {
  if (fromSource)
    return fileURLToPath(new URL(`../../../examples/${page}/`, import.meta.url)).replace(/\/$/, '');
  return path.dirname(
    fileURLToPath(import.meta.resolve(`@lifeboat/server/demo-pages/${page}/index.html`)),
  );
}
