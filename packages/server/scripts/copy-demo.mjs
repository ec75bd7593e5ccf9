#!/usr/bin/env node
// Part of the server's build: copies the demo pages (examples/status-page, moderation, insights)
// into dist/demo-pages, which the package exports as `@lifeboat/server/demo-pages/*` (ADR 31), so an
// installed server runs `lifeboat start --demo` without the repository.
import { cpSync, existsSync, rmSync } from 'node:fs';

const examples = new URL('../../../examples/', import.meta.url);
const out = new URL('../dist/demo-pages/', import.meta.url);
rmSync(out, { recursive: true, force: true });
for (const page of ['status-page', 'moderation', 'insights']) {
  const from = new URL(`${page}/`, examples);
  if (!existsSync(new URL('index.html', from))) {
    console.error(`copy-demo: ${from.pathname}index.html is missing`);
    process.exit(1);
  }
  cpSync(from, new URL(`${page}/`, out), { recursive: true });
}
console.log('copy-demo: dist/demo-pages has status-page, moderation, insights');
