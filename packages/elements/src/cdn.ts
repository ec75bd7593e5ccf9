/**
 * The script-tag bundle (dist/cdn/lifeboat.js):
 *
 *   <script type="module" src="https://lifeboat.example.com/lifeboat.js" data-site="acme"></script>
 *
 * Reads `data-server` (default: the script's own origin) and `data-site` from its own tag,
 * creates one client for the page, defines every component and exposes `window.Lifeboat`.
 */
import { createLifeboat } from '@lifeboat/sdk';
import type { LifeboatClient } from '@lifeboat/sdk';
import { setClientFactory, setDefaultClient } from './client-resolver.js';
import { setMessages } from './localize.js';
import './index.js';

declare global {
  interface Window {
    Lifeboat?: { client: LifeboatClient | undefined; setMessages: typeof setMessages };
  }
}

function ownScript(): HTMLScriptElement | null {
  const self = new URL(import.meta.url);
  const scripts = [...document.querySelectorAll<HTMLScriptElement>('script[src]')];
  return (
    scripts.find((s) => new URL(s.src, location.href).href === self.href) ??
    document.querySelector<HTMLScriptElement>('script[data-site][src*="lifeboat"]')
  );
}

const script = ownScript();
const site = script?.dataset.site;
const server =
  script?.dataset.server ?? new URL(script?.src ?? import.meta.url, location.href).origin;
setClientFactory(createLifeboat);
const client = site ? createLifeboat({ server, site }) : undefined;
if (client) setDefaultClient(client);
else console.warn('Lifeboat: add data-site="<your site>" to the <script> tag.');

window.Lifeboat = { client, setMessages };
