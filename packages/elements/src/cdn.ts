/**
 * The script-tag bundle (dist/cdn/lifeboat.js):
 *
 *   <script type="module" src="https://lifeboat.example.com/lifeboat.js" data-site="acme"></script>
 *
 * Reads `data-server` (default: the script's own origin) and `data-site` from its own tag,
 * creates one client for the page, defines every component and exposes `window.Lifeboat`.
 *
 * Host-site sign-in (docs/identity.md): `data-identity="<JWT>"` signs the visitor in as the
 * host's member (changing the attribute later signs in again; removing it signs out), and
 * `data-identity-refresh="fnName"` names a global function that returns a fresh token (a Promise
 * of a string, or null when signed out). `Lifeboat.identify(token)` does the same from script.
 */
import { createLifeboat } from '@lifeboat/sdk';
import type { LifeboatClient, Session } from '@lifeboat/sdk';
import { setClientFactory, setDefaultClient } from './client-resolver.js';
import { setMessages } from './localize.js';
import './index.js';

declare global {
  interface Window {
    Lifeboat?: {
      client: LifeboatClient | undefined;
      setMessages: typeof setMessages;
      /** Signs in with a host token (JWT), or out with null. */
      identify(token: string | null): Promise<Session | null>;
    };
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

/** The refresh callback named by `data-identity-refresh` (a global function), if any. */
function refreshCallback(
  script: HTMLScriptElement | null,
): (() => Promise<string | null>) | undefined {
  const name = script?.dataset.identityRefresh;
  if (!name) return undefined;
  return async () => {
    const fn = (window as unknown as Record<string, unknown>)[name];
    if (typeof fn !== 'function') {
      console.warn(`Lifeboat: data-identity-refresh names "${name}", which is not a function.`);
      return null;
    }
    const token: unknown = await (fn as () => unknown)();
    return typeof token === 'string' && token ? token : null;
  };
}

const script = ownScript();
const site = script?.dataset.site;
const server =
  script?.dataset.server ?? new URL(script?.src ?? import.meta.url, location.href).origin;
setClientFactory(createLifeboat);
const client = site
  ? createLifeboat({
      server,
      site,
      identity: script?.dataset.identity || null,
      refreshIdentity: refreshCallback(script),
    })
  : undefined;
if (client) setDefaultClient(client);
else console.warn('Lifeboat: add data-site="<your site>" to the <script> tag.');

const identify = async (token: string | null): Promise<Session | null> => {
  if (!client) throw new Error('Lifeboat: add data-site="<your site>" to the <script> tag.');
  return client.identify(token);
};

// The host page may sign in or out later by changing the attribute.
if (client && script) {
  new MutationObserver(() => {
    identify(script.dataset.identity || null).catch((error: unknown) =>
      console.warn('Lifeboat: sign-in refused:', error),
    );
  }).observe(script, { attributes: true, attributeFilter: ['data-identity'] });
}

window.Lifeboat = { client, setMessages, identify };
