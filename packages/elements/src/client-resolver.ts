import type { LifeboatClient } from '@lifeboat/sdk';

/** Creates a client for a server and site (`createLifeboat` from `@lifeboat/sdk`). */
export type ClientFactory = (options: { server: string; site: string }) => LifeboatClient;

let pageDefault: LifeboatClient | undefined;
let factory: ClientFactory | undefined;
const registry = new Map<string, LifeboatClient>();

const keyOf = (server: string, site: string): string => `${server.replace(/\/+$/, '')}\n${site}`;

/** Makes `client` the page default (the script tag's `data-server` / `data-site`). */
export function setDefaultClient(client: LifeboatClient | undefined): void {
  pageDefault = client;
  if (client) registry.set(keyOf(client.server, client.site), client);
}

/** Lets elements create a client from their `server` and `site` attributes. */
export function setClientFactory(create: ClientFactory | undefined): void {
  factory = create;
}

/** Forgets the default, factory and shared clients (tests). */
export function resetClients(): void {
  pageDefault = undefined;
  factory = undefined;
  registry.clear();
}

/**
 * The shared client for `server` + `site`, one per page: the page default when the attributes are
 * missing or match it, else one created by the factory and reused for the same pair.
 */
export function sharedClient(
  server?: string | null,
  site?: string | null,
): LifeboatClient | undefined {
  if (!server && !site) return pageDefault;
  const resolvedServer = server || pageDefault?.server;
  const resolvedSite = site || pageDefault?.site;
  if (!resolvedServer || !resolvedSite) return undefined;
  const key = keyOf(resolvedServer, resolvedSite);
  let client = registry.get(key);
  if (!client && factory) {
    client = factory({ server: resolvedServer, site: resolvedSite });
    registry.set(key, client);
  }
  return client;
}

/**
 * The client an element uses: its own `client` property, else one provided through context,
 * else the shared client for its `server` / `site` attributes (or the page default).
 */
export function resolveClient(el: {
  client?: LifeboatClient;
  contextClient?: LifeboatClient;
  server?: string | null;
  site?: string | null;
}): LifeboatClient | undefined {
  return el.client ?? el.contextClient ?? sharedClient(el.server, el.site);
}
