/**
 * The script tag (dist/cdn/lifeboat.js), a loader of a few KB:
 *
 *   <script type="module" src="https://lifeboat.example.com/cdn/lifeboat.js" data-site="acme"></script>
 *
 * Reads its data attributes (loader/runtime.ts), starts fetching the status snapshot at once,
 * and loads a component's chunk when its tag first appears in the DOM (a scan, then a
 * MutationObserver): the banner at once, the thread and the workaround form when near the
 * viewport or when the page is idle. Chunks are content-hashed files under chunks/; the loader
 * carries each one's sha384 and fetches it through `<link rel="modulepreload" integrity>`, and
 * imports it only once that passed, so a changed chunk is refused (ADR 0032). Shared chunks (lit, the SDK core) load
 * once; optional code inside the chunks (direct-mode normalizers, popover positioning, proof of
 * work) goes through the same check when first used.
 */
import { chunks, entries } from 'virtual:lifeboat-chunks';
import type { MessageOverrides } from '../localize.js';
import type { LifeboatGlobal } from './global.js';
import { holdBanner } from './hold-banner.js';
import type * as RuntimeModule from './runtime.js';

type Entry = keyof typeof entries;

/** Each visitor tag, its chunk, and whether it may wait until near the viewport or idle. */
const TAGS: Record<string, [Entry, boolean]> = {
  'lifeboat-banner': ['banner', false],
  'lifeboat-thread': ['thread', true],
  'lifeboat-workaround-form': ['workaround-form', true],
};
/** How far outside the viewport a waiting tag starts loading. */
const NEAR = '800px';

const self = import.meta.url;
const script =
  [...document.querySelectorAll<HTMLScriptElement>('script[src]')].find(
    (s) => new URL(s.src, location.href).href === self,
  ) ?? document.querySelector<HTMLScriptElement>('script[data-site][src*="lifeboat"]');

/** Whether this browser preloads modules (where it does not, integrity is not checked). */
const preloads = document.createElement('link').relList.supports?.('modulepreload') ?? false;

/**
 * Fetches a chunk and everything it imports through `<link rel="modulepreload" integrity>`:
 * resolves once all are in the module map, checked; rejects when any is refused. Only then is
 * the chunk imported: an import after a refused preload would fetch it again, unchecked.
 */
const preloaded = new Map<string, Promise<void>>();
function preload(file: string): Promise<void> {
  let done = preloaded.get(file);
  if (done) return done;
  const [integrity, imports] = chunks[file] ?? ['', []];
  const link = document.createElement('link');
  link.rel = 'modulepreload';
  link.crossOrigin = 'anonymous';
  link.integrity = integrity;
  link.href = new URL(file, self).href;
  const fetched = new Promise<void>((resolve, reject) => {
    link.onload = () => resolve();
    link.onerror = () => reject(new Error(`Lifeboat: ${file} was refused (integrity or network).`));
  });
  done = Promise.all([preloads ? fetched : undefined, ...imports.map(preload)]).then(() => {});
  preloaded.set(file, done);
  document.head.append(link);
  return done;
}

/** Imports a chunk (a file relative to the loader) once it and its imports passed the check. */
async function load(file: string): Promise<unknown> {
  await preload(file);
  return import(/* @vite-ignore */ new URL(file, self).href);
}

// Dynamic imports inside the chunks come here (the build rewrites them), so they are checked too.
(globalThis as Record<string, unknown>).__lifeboatImport = (specifier: string, from: string) => {
  const url = new URL(specifier, from).href;
  const file = url.startsWith(new URL('.', self).href)
    ? url.slice(new URL('.', self).href.length)
    : '';
  return chunks[file] ? load(file) : import(/* @vite-ignore */ url);
};

// The status snapshot, asked for now; the client takes this response for its first load.
const site = script?.dataset.site;
const server = (
  script?.dataset.server ?? new URL(script?.src || self, location.href).origin
).replace(/\/+$/, '');
let prefetched: { url: string; response: Promise<Response> } | undefined;
if (site) {
  const url = `${server}/v1/sites/${encodeURIComponent(site)}/status`;
  const response = fetch(url, { method: 'GET', headers: { accept: 'application/json' } });
  response.catch(() => undefined);
  prefetched = { url, response };
}

let runtime: RuntimeModule.Runtime | undefined;
let module: typeof RuntimeModule | undefined;
const queued: MessageOverrides[] = [];
const started = (load(entries.runtime) as Promise<typeof RuntimeModule>).then((m) => {
  module = m;
  runtime = m.startRuntime({ script, src: self, prefetched });
  for (const overrides of queued.splice(0)) m.setMessages(overrides);
  return runtime;
});
started.catch((error: unknown) => console.error('Lifeboat: could not load the runtime:', error));

const lifeboat: LifeboatGlobal = {
  get client() {
    return runtime?.client;
  },
  setMessages(overrides) {
    if (module) module.setMessages(overrides);
    else queued.push(overrides);
  },
  identify: async (token) => (await started).identify(token),
  ready: started.then((r) => r.client),
};
window.Lifeboat = lifeboat;

/** Loads a tag's chunk once (after the runtime made the page's client). */
const loading = new Map<string, Promise<unknown>>();
function define(tag: string): void {
  const [entry] = TAGS[tag]!;
  if (loading.has(tag)) return;
  const ready = preload(entries[entry]);
  ready.catch(() => undefined);
  const done = started
    .then(() => load(entries[entry]))
    .catch((error: unknown) => console.error(`Lifeboat: could not load <${tag}>:`, error));
  loading.set(tag, done);
  if (loading.size === Object.keys(TAGS).length) mutations.disconnect();
}

/** A tag that may wait: loads when near the viewport, or when the page is idle. */
const waiting = new Set<string>();
const near = new IntersectionObserver(
  (seen) => {
    for (const { isIntersecting, target } of seen) {
      if (isIntersecting) define(target.localName);
      if (loading.has(target.localName)) near.unobserve(target);
    }
  },
  { rootMargin: NEAR },
);
function idle(run: () => void): void {
  if ('requestIdleCallback' in window) requestIdleCallback(run, { timeout: 2000 });
  else setTimeout(run, 200);
}

function found(el: Element): void {
  const tag = el.localName;
  if (tag === 'lifeboat-banner' && el instanceof HTMLElement) holdBanner(el, server, site);
  if (loading.has(tag)) return;
  const lazy = TAGS[tag]![1];
  if (!lazy) return define(tag);
  near.observe(el);
  if (waiting.has(tag)) return;
  waiting.add(tag);
  idle(() => define(tag));
}

const selector = Object.keys(TAGS).join(',');
function scan(root: ParentNode): void {
  if (root instanceof Element && root.localName in TAGS) found(root);
  for (const el of root.querySelectorAll(selector)) found(el);
}

const mutations = new MutationObserver((records) => {
  for (const record of records)
    for (const node of record.addedNodes) if (node instanceof Element) scan(node);
});
mutations.observe(document, { childList: true, subtree: true });
scan(document);
