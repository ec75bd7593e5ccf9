/**
 * A site's host sign-in keys as the store keeps them: the HS256 secret sealed (secret-box.ts),
 * public keys as they are. Every read and write of `sites.sso` outside the store goes through
 * here. A plaintext secret from an older database, or one sealed under a key that is no longer
 * the first, is sealed again under the first key on first use.
 */
import type { SiteSsoConfig, Store } from '../store/store.js';
import type { SecretBox } from './secret-box.js';

export interface SsoLog {
  warn(obj: object, msg: string): void;
}

/** The site's keys, with the HS256 secret opened (absent when it cannot be opened). */
export async function readSiteSso(
  store: Store,
  box: SecretBox,
  siteId: string,
  log?: SsoLog,
): Promise<SiteSsoConfig> {
  const stored = await store.getSiteSso(siteId);
  if (!stored.hs256Secret) return stored;
  const { plain, needsReseal } = box.open(stored.hs256Secret);
  const { hs256Secret: _sealed, ...rest } = stored;
  if (plain === null) {
    log?.warn(
      { siteId },
      "site sso: the stored HS256 secret cannot be opened with LIFEBOAT_SECRET's keys (rotated away or lost); set it again",
    );
    return rest;
  }
  const open: SiteSsoConfig = { ...rest, hs256Secret: plain };
  if (needsReseal) await writeSiteSso(store, box, siteId, open);
  return open;
}

/** Stores the site's keys, sealing the HS256 secret. */
export async function writeSiteSso(
  store: Store,
  box: SecretBox,
  siteId: string,
  sso: SiteSsoConfig,
): Promise<void> {
  await store.setSiteSso(
    siteId,
    sso.hs256Secret ? { ...sso, hs256Secret: box.seal(sso.hs256Secret) } : sso,
  );
}

/**
 * At start: every site's stored secret read once, so plaintext rows of an older database (and
 * ones sealed under a key no longer first) are sealed now, not only when someone signs in.
 */
export async function sealStoredSecrets(store: Store, box: SecretBox, log?: SsoLog): Promise<void> {
  for (const site of await store.listSites()) await readSiteSso(store, box, site.id, log);
}
