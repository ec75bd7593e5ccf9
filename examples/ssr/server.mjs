#!/usr/bin/env node
// A server-rendered status page (docs/frameworks.md): a plain Node http server that reads the
// site's status from Lifeboat, renders the page with it, and adds the script tag and the
// components. The banner's `expect` hint says what the page already knows, so the banner
// reserves its height before the script runs.
//   LIFEBOAT_SERVER=http://localhost:8787 LIFEBOAT_SITE=demo PORT=3000 node examples/ssr/server.mjs
// The Lifeboat site must allow this page's origin (LIFEBOAT_DEMO_ORIGINS for the demo site).
import { createServer } from 'node:http';

const lifeboat = (process.env.LIFEBOAT_SERVER ?? 'http://localhost:8787').replace(/\/+$/, '');
const site = process.env.LIFEBOAT_SITE ?? 'demo';
const port = Number(process.env.PORT ?? 3000);

const escape = (text) =>
  String(text).replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c],
  );

/** The site's status, or null when Lifeboat does not answer (the page still renders). */
async function readStatus() {
  try {
    const res = await fetch(`${lifeboat}/v1/sites/${encodeURIComponent(site)}/status`, {
      signal: AbortSignal.timeout(3000),
    });
    return res.ok ? await res.json() : null;
  } catch {
    return null;
  }
}

function page(status) {
  const incidents = status?.incidents ?? [];
  // What the page knows before the script runs; without a status, let the banner decide.
  const expect = status ? (incidents.length ? 'incident' : 'calm') : null;
  const components = (status?.components ?? [])
    .map((c) => `<li data-status="${escape(c.status)}">${escape(c.name)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="color-scheme" content="light dark" />
    <title>${escape(status?.site.name ?? 'Status')}</title>
    <link rel="icon" href="data:," />
    <script type="module" src="${escape(lifeboat)}/cdn/lifeboat.js" data-server="${escape(lifeboat)}" data-site="${escape(site)}"></script>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 0 auto; padding: 1rem; }
    </style>
  </head>
  <body>
    <header><h1>${escape(status?.site.name ?? 'Status')}</h1>
      <p id="summary">${escape(status?.description ?? 'Status unavailable')}</p></header>
    <main>
      <lifeboat-banner${expect ? ` expect="${expect}"` : ''}></lifeboat-banner>
      <h2>Community help</h2>
      <lifeboat-thread></lifeboat-thread>
      <lifeboat-workaround-form></lifeboat-workaround-form>
      <h2>Components</h2>
      <ul id="components">${components}</ul>
    </main>
  </body>
</html>
`;
}

createServer(async (req, res) => {
  if (req.method !== 'GET' || (req.url ?? '/').split('?')[0] !== '/') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  const html = page(await readStatus());
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}).listen(port, '127.0.0.1', () => {
  console.log(`status page on http://127.0.0.1:${port} (Lifeboat ${lifeboat}, site ${site})`);
});
