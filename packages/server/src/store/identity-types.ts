/** Identity shapes of the storage interface (store/sqlite-members.ts implements them). */
import type { MemberRole } from '@lifeboat/protocol';

/** A member as the host site's verified token describes it. */
export interface SsoProfile {
  /** The host's own id of the person (claim `id`). */
  externalId: string;
  displayName: string;
  avatarUrl: string | null;
  role: MemberRole;
  badges: string[];
}

/**
 * The keys a site's host tokens are verified with (`sites.sso`, JSON). Secrets stay on the
 * server: the admin API reports only which kinds are set.
 */
export interface SiteSsoConfig {
  /** HS256 shared secret. */
  hs256Secret?: string;
  /** ES256 (P-256) or EdDSA (Ed25519) public keys, each a PEM block or a JWK as JSON text. */
  publicKeys?: string[];
}

/** What erasing a member changed: the event sequences to publish, and counts for the record. */
export interface EraseOutcome {
  seqs: number[];
  posts: number;
  reactions: number;
  affected: number;
  flags: number;
}
