/**
 * The member's session: a guest session (persisted, shared by the visitor's tabs; with a proof of
 * work when the server asks for one), or the session of a host-site sign-in token (kept in
 * memory only: the host page says at every load who is signed in, and is refreshed through
 * `refreshIdentity` before it or the host token expires).
 */
import type { GuestChallenge, Session } from '@lifeboat/protocol';
import { atom } from 'nanostores';
import type { WritableAtom } from 'nanostores';
import { LifeboatError } from './client-types.js';
import type { Request } from './http.js';

/** Where the session is kept between visits; `localStorage` by default. */
export type SessionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface IdentityOptions {
  /** A token signed by the host site (JWT); the member signs in with it at once. */
  identity?: string | null;
  /**
   * Returns a fresh host token (or null when the person signed out). Called shortly before the
   * Lifeboat session or the host token expires, and when the server refuses the session (401).
   */
  refreshIdentity?: () => Promise<string | null>;
}

export interface Sessions {
  readonly $session: WritableAtom<Session | null>;
  /** Creates the guest session, or renames the guest; with a host sign-in, that session. */
  start(displayName: string): Promise<Session>;
  /** The current session, creating one (a guest, or the host sign-in's) when there is none. */
  ensure(): Promise<Session>;
  /**
   * Runs an authenticated call. On 401 the session is dropped, a fresh one made (same display
   * name, or the host token exchanged again, refreshed when it is refused) and the call tried once
   * more.
   */
  authed<T>(call: (token: string) => Promise<T>): Promise<T>;
  /**
   * Signs in with a host token (exchanged for a session at once), or, with null, signs out back to
   * the visitor's guest session (if one is stored) or none.
   */
  identify(token: string | null): Promise<Session | null>;
  /** The current session without creating one. */
  current(): Session | null;
  /** True while a host sign-in token is set (its session may still be on its way). */
  signedIn(): boolean;
  /** Forgets the session (after the member erased their data); a host sign-in is dropped too. */
  forget(): void;
  close(): void;
}

export const GUEST_NAME = 'Guest';

/** Refresh this long before expiry at most (and at 90 % of the lifetime for short ones). */
const REFRESH_LEAD_MS = 60_000;
/** setTimeout's largest delay. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function defaultStorage(): SessionStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // Blocked third-party storage throws on access.
  }
}

/** The `exp` (ms) of a JWT, read without verifying it (the server verifies); null when absent. */
export function tokenExpiry(token: string): number | null {
  try {
    const part = token.split('.')[1] ?? '';
    const base64 = part.replace(/-/g, '+').replace(/_/g, '/');
    const padded = base64 + '='.repeat((4 - (base64.length % 4)) % 4);
    const claims = JSON.parse(atob(padded)) as { exp?: unknown };
    return typeof claims.exp === 'number' ? claims.exp * 1000 : null;
  } catch {
    return null;
  }
}

const isUnauthorized = (error: unknown) => (error as { status?: number } | null)?.status === 401;

export function createSessions(
  request: Request,
  storage: SessionStorage | null,
  key: string,
  options: IdentityOptions = {},
): Sessions {
  /** The host token while signed in through the host site; null: guest mode. */
  let identity: string | null = options.identity || null;
  const $session = atom<Session | null>(identity ? null : read());
  let creating: Promise<Session> | null = null;
  let exchanging: { token: string; promise: Promise<Session> } | null = null;
  let signingIn: { token: string; promise: Promise<Session | null> } | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;

  function read(): Session | null {
    try {
      const session = JSON.parse(storage?.getItem(key) ?? 'null') as Session | null;
      return session?.token && Date.parse(session.expiresAt) > Date.now() ? session : null;
    } catch {
      return null;
    }
  }

  function persist(session: Session | null): void {
    try {
      if (session) storage?.setItem(key, JSON.stringify(session));
      else storage?.removeItem(key);
    } catch {
      // Full or blocked storage: the session lives for this page only.
    }
  }

  /** Keeps a guest session for this page and the visitor's other tabs. */
  function save(session: Session | null): void {
    $session.set(session);
    persist(session);
  }

  async function createGuest(displayName: string): Promise<Session> {
    try {
      return await request<Session>('POST', '/sessions', { body: { displayName } });
    } catch (error) {
      if ((error as LifeboatError | null)?.code !== 'challenge_required') throw error;
    }
    // The server asks for a proof of work first: solve its challenge and try once more.
    // The solver loads only when a challenge comes (most visitors never get one).
    const solver = import('./challenge.js');
    const challenge = await request<GuestChallenge>('GET', '/sessions/challenge');
    const { solveToPayload } = await solver;
    const altcha = await solveToPayload(challenge);
    if (!altcha)
      throw new LifeboatError({
        title: 'Proof of work not solved',
        status: 0,
        code: 'challenge_failed',
        detail: 'No number in range solves the server challenge.',
      });
    return request<Session>('POST', '/sessions', { body: { displayName, altcha } });
  }

  function create(displayName: string): Promise<Session> {
    creating ??= createGuest(displayName)
      .then((session) => {
        // A host sign-in that arrived meanwhile keeps the page; the guest session waits in storage.
        if (identity === null) save(session);
        else persist(session);
        return session;
      })
      .finally(() => (creating = null));
    return creating;
  }

  /** The session of this page, or (as a guest) one another tab of the same visitor stored meanwhile. */
  function current(): Session | null {
    const session = $session.get() ?? (identity === null ? read() : null);
    if (session && !$session.get()) $session.set(session);
    return session && Date.parse(session.expiresAt) > Date.now() ? session : null;
  }

  // ---- host sign-in ----

  function schedule(session: Session, token: string): void {
    clearTimeout(timer);
    if (closed) return;
    const now = Date.now();
    const sessionEnds = Date.parse(session.expiresAt);
    const tokenEnds = tokenExpiry(token) ?? Infinity;
    // Without a callback only a session shorter than its host token can be renewed (same token).
    if (!options.refreshIdentity && tokenEnds <= sessionEnds) return;
    const ends = Math.min(sessionEnds, tokenEnds);
    if (!Number.isFinite(ends)) return;
    const lead = Math.min(REFRESH_LEAD_MS, (ends - now) / 10);
    const delay = Math.min(MAX_DELAY_MS, Math.max(0, ends - lead - now));
    timer = setTimeout(() => void refresh().catch(() => {}), delay);
  }

  function exchange(token: string): Promise<Session> {
    if (exchanging?.token === token) return exchanging.promise;
    const promise = request<Session>('POST', '/sessions/sso', { body: { token } })
      .then((session) => {
        if (identity === token) {
          $session.set(session);
          schedule(session, token);
        }
        return session;
      })
      .finally(() => {
        if (exchanging?.promise === promise) exchanging = null;
      });
    exchanging = { token, promise };
    return promise;
  }

  /** Back to the guest session of this visitor, if one is stored. */
  function signOut(): null {
    identity = null;
    clearTimeout(timer);
    $session.set(read());
    return null;
  }

  /** A fresh host token from the page, exchanged; a null token signs out. */
  async function refresh(): Promise<Session | null> {
    if (!options.refreshIdentity) {
      // Without a callback the same token is exchanged again while it is still valid.
      if (identity && (tokenExpiry(identity) ?? Infinity) > Date.now()) return exchange(identity);
      return signOut();
    }
    const token = await options.refreshIdentity();
    if (closed) return null;
    if (!token) return signOut();
    identity = token;
    return exchange(token);
  }

  /**
   * Exchanges the current host token; when refused, asks the page for a fresh one (once). One
   * sign-in at a time: concurrent callers share it.
   */
  function signIn(): Promise<Session | null> {
    const token = identity!;
    if (signingIn?.token !== token) {
      const promise = signInWith(token).finally(() => {
        if (signingIn?.promise === promise) signingIn = null;
      });
      signingIn = { token, promise };
    }
    return signingIn.promise;
  }

  async function signInWith(token: string): Promise<Session | null> {
    try {
      return await exchange(token);
    } catch (error) {
      if (!isUnauthorized(error) || identity !== token) throw error;
      if (!options.refreshIdentity) {
        signOut();
        throw error;
      }
      const fresh = await options.refreshIdentity();
      // The page signed in with another token meanwhile: that one wins.
      if (identity !== token) return identity === null ? null : signIn();
      if (!fresh) return signOut();
      identity = fresh;
      try {
        return await exchange(fresh);
      } catch (again) {
        if (isUnauthorized(again) && identity === fresh) signOut();
        throw again;
      }
    }
  }

  async function ensure(): Promise<Session> {
    for (;;) {
      const session = current();
      if (session) return session;
      if (identity === null) return create(GUEST_NAME);
      const signedIn = await signIn();
      if (signedIn) return signedIn;
      // Signed out meanwhile: continue as a guest.
    }
  }

  // Another tab of the same visitor started, renamed or dropped the guest session.
  const onStorage = (event: StorageEvent) => {
    if (event.key === key && identity === null) $session.set(read());
  };
  globalThis.addEventListener?.('storage', onStorage);

  if (identity)
    signIn().catch((error: unknown) =>
      console.warn('Lifeboat: the host sign-in token was refused:', (error as Error).message),
    );

  return {
    $session,
    current,
    signedIn: () => identity !== null,
    async start(displayName) {
      if (identity !== null) return ensure();
      const existing = creating ? await creating.catch(() => null) : current();
      if (!existing) return create(displayName);
      try {
        const session = await request<Session>('PATCH', '/sessions/me', {
          body: { displayName },
          token: existing.token,
        });
        save(session);
        return session;
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        save(null);
        return create(displayName);
      }
    },
    ensure,
    async authed(call) {
      const session = await ensure();
      try {
        return await call(session.token);
      } catch (error) {
        if (!isUnauthorized(error)) throw error;
        if ($session.get()?.token === session.token) {
          if (identity === null) save(null);
          else $session.set(null);
        }
        const fresh =
          current() ??
          (identity === null ? await create(session.member.displayName) : await ensure());
        return call(fresh.token);
      }
    },
    async identify(token) {
      if (!token) return signOut();
      // The same token again (a re-render of the host page): keep the session it has.
      if (token === identity && current()) return current();
      identity = token;
      $session.set(null);
      return signIn();
    },
    forget() {
      identity = null;
      clearTimeout(timer);
      save(null);
    },
    close() {
      closed = true;
      clearTimeout(timer);
      globalThis.removeEventListener?.('storage', onStorage);
    },
  };
}
