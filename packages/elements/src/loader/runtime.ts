/**
 * The client half of the script tag, shared by the loader's `runtime` chunk and the single-file
 * build (dist/cdn/lifeboat.all.js): reads the tag's data attributes, creates one client for the
 * page, and follows `data-identity`.
 *
 * `data-server` (default: the script's own origin) and `data-site` name the server and site.
 * Host-site sign-in (docs/identity.md): `data-identity="<JWT>"` signs the visitor in as the
 * host's member (changing the attribute later signs in again; removing it signs out), and
 * `data-identity-refresh="fnName"` names a global function that returns a fresh token (a Promise
 * of a string, or null when signed out).
 */
import { createLifeboat } from '@lifeboat/sdk';
import type { FetchLike, LifeboatClient, Session } from '@lifeboat/sdk';
import { setClientFactory, setDefaultClient } from '../client-resolver.js';
import { setMessages } from '../localize.js';

export { setMessages };

export interface Runtime {
  client: LifeboatClient | undefined;
  /** Signs in with a host token (JWT), or out with null. */
  identify(token: string | null): Promise<Session | null>;
}

/** What the page's script tag says. */
export interface TagOptions {
  script: HTMLScriptElement | null;
  /** The script's URL (the default server is its origin). */
  src: string;
  /** The status snapshot the loader started fetching at once, taken by the first status load. */
  prefetched?: { url: string; response: Promise<Response> };
}

/** The server named by the tag: `data-server`, else the script's own origin. */
export function serverOf(script: HTMLScriptElement | null, src: string): string {
  return script?.dataset.server ?? new URL(script?.src || src, location.href).origin;
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

/**
 * `fetch`, except that the first plain GET of the prefetched URL (the status store's first load:
 * no validator, no cache mode) answers with the loader's response instead of asking again.
 */
function withPrefetch(prefetched: TagOptions['prefetched']): FetchLike | undefined {
  if (!prefetched) return undefined;
  let pending: Promise<Response> | undefined = prefetched.response;
  return (url, init) => {
    const headers = (init.headers ?? {}) as Record<string, string>;
    if (
      pending &&
      url === prefetched.url &&
      (init.method ?? 'GET') === 'GET' &&
      !init.cache &&
      !headers['if-none-match']
    ) {
      const response = pending;
      pending = undefined;
      // A failed prefetch (offline, blocked) is asked again the ordinary way.
      return response.catch(() => globalThis.fetch(url, init));
    }
    return globalThis.fetch(url, init);
  };
}

/** Creates the page's client from the tag and makes it the default for every element. */
export function startRuntime({ script, src, prefetched }: TagOptions): Runtime {
  const site = script?.dataset.site;
  setClientFactory(createLifeboat);
  const client = site
    ? createLifeboat({
        server: serverOf(script, src),
        site,
        identity: script?.dataset.identity || null,
        refreshIdentity: refreshCallback(script),
        fetch: withPrefetch(prefetched),
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
  return { client, identify };
}
