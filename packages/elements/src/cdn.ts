/**
 * The single-file build (dist/cdn/lifeboat.all.js): every visitor component in one module, for
 * integrators who require one SRI hash for the whole embed (ADR 0032). The script tag
 * `dist/cdn/lifeboat.js` is the loader (loader/loader.ts) instead, which loads each component's
 * chunk when its tag appears.
 *
 *   <script type="module" src="https://lifeboat.example.com/cdn/lifeboat.all.js" data-site="acme"></script>
 *
 * Same data attributes as the loader (loader/runtime.ts); exposes `window.Lifeboat`.
 */
import { setMessages, startRuntime } from './loader/runtime.js';
import type { LifeboatGlobal } from './loader/global.js';
import './index.js';

function ownScript(): HTMLScriptElement | null {
  const self = new URL(import.meta.url);
  const scripts = [...document.querySelectorAll<HTMLScriptElement>('script[src]')];
  return (
    scripts.find((s) => new URL(s.src, location.href).href === self.href) ??
    document.querySelector<HTMLScriptElement>('script[data-site][src*="lifeboat"]')
  );
}

const { client, identify } = startRuntime({ script: ownScript(), src: import.meta.url });
const global: LifeboatGlobal = { client, setMessages, identify, ready: Promise.resolve(client) };
window.Lifeboat = global;
