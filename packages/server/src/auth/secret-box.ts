/**
 * Secrets Lifeboat must store to do its job (a site's HS256 host sign-in secret) are stored
 * sealed: AES-256-GCM under a key derived (HKDF-SHA256) from the server's signing secret
 * (`LIFEBOAT_SECRET` or `<data-dir>/secret`), never kept in the database. A copy of the database
 * alone (a backup, a replica, a read-only SQL injection) then holds no usable sign-in secret.
 * ADR 0020.
 *
 * Envelope: `lbsec:v1:<kid>:<iv>:<ciphertext+tag>` (base64url), the kid naming the signing key
 * it was sealed under, so a rotated LIFEBOAT_SECRET still opens what the old key sealed (while
 * the old key is listed) and `needsReseal` says to seal it again under the first key. A value
 * without the prefix is a plaintext row of an older database: it is read as is, and resealed on
 * first use.
 */
import crypto from 'node:crypto';
import type { SigningKey } from './tokens.js';

const PREFIX = 'lbsec:v1:';
const INFO = 'lifeboat stored secrets v1';

export class SecretBox {
  private readonly keys: Array<{ kid: string; key: Buffer }>;

  constructor(signingKeys: readonly SigningKey[]) {
    this.keys = signingKeys.map((k) => ({
      kid: k.kid,
      key: Buffer.from(crypto.hkdfSync('sha256', k.secret, 'lifeboat', INFO, 32)),
    }));
  }

  /** Seals a secret under the first key. */
  seal(plain: string): string {
    const first = this.keys[0];
    if (!first) throw new Error('No signing key configured.');
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', first.key, iv);
    cipher.setAAD(Buffer.from(PREFIX + first.kid));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${first.kid}:${iv.toString('base64url')}:${body.toString('base64url')}`;
  }

  /** True for a sealed value (whether or not it opens). */
  static isSealed(stored: string): boolean {
    return stored.startsWith(PREFIX);
  }

  /**
   * Opens a stored value: a sealed one with its key, a plaintext one (older database) as is.
   * `needsReseal`: plaintext, or sealed under a key that is no longer the first. `plain` is null
   * when it cannot be opened (its key is gone, or it was tampered with).
   */
  open(stored: string): { plain: string | null; needsReseal: boolean } {
    if (!SecretBox.isSealed(stored)) return { plain: stored, needsReseal: true };
    const [kid = '', iv = '', body = ''] = stored.slice(PREFIX.length).split(':');
    const entry = this.keys.find((k) => k.kid === kid);
    if (!entry) return { plain: null, needsReseal: false };
    try {
      const data = Buffer.from(body, 'base64url');
      const decipher = crypto.createDecipheriv(
        'aes-256-gcm',
        entry.key,
        Buffer.from(iv, 'base64url'),
      );
      decipher.setAAD(Buffer.from(PREFIX + kid));
      decipher.setAuthTag(data.subarray(data.length - 16));
      const plain = Buffer.concat([
        decipher.update(data.subarray(0, data.length - 16)),
        decipher.final(),
      ]).toString('utf8');
      return { plain, needsReseal: entry !== this.keys[0] };
    } catch {
      return { plain: null, needsReseal: false };
    }
  }
}
