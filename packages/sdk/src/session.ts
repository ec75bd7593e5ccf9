import type { Session } from '@lifeboat/protocol';
import { atom } from 'nanostores';
import type { WritableAtom } from 'nanostores';
import type { Request } from './http.js';

/** Where the session is kept between visits; `localStorage` by default. */
export type SessionStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface Sessions {
  readonly $session: WritableAtom<Session | null>;
  /** Creates the session, or renames the member when one exists. */
  start(displayName: string): Promise<Session>;
  /** The current session, creating a guest one when there is none. */
  ensure(): Promise<Session>;
  /**
   * Runs an authenticated call. On 401 the stored session is dropped, a fresh one made (same
   * display name) and the call tried once more.
   */
  authed<T>(call: (token: string) => Promise<T>): Promise<T>;
}

export const GUEST_NAME = 'Guest';

export function defaultStorage(): SessionStorage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // Blocked third-party storage throws on access.
  }
}

export function createSessions(
  request: Request,
  storage: SessionStorage | null,
  key: string,
): Sessions {
  const $session = atom<Session | null>(read());
  let creating: Promise<Session> | null = null;

  function read(): Session | null {
    try {
      const session = JSON.parse(storage?.getItem(key) ?? 'null') as Session | null;
      return session?.token && Date.parse(session.expiresAt) > Date.now() ? session : null;
    } catch {
      return null;
    }
  }

  function save(session: Session | null): void {
    $session.set(session);
    try {
      if (session) storage?.setItem(key, JSON.stringify(session));
      else storage?.removeItem(key);
    } catch {
      // Full or blocked storage: the session lives for this page only.
    }
  }

  function create(displayName: string): Promise<Session> {
    creating ??= request<Session>('POST', '/sessions', { body: { displayName } })
      .then((session) => (save(session), session))
      .finally(() => (creating = null));
    return creating;
  }

  /** The session of this page, or one another tab of the same visitor stored meanwhile. */
  function current(): Session | null {
    const session = $session.get() ?? read();
    if (session && !$session.get()) $session.set(session);
    return session;
  }

  function ensure(): Promise<Session> {
    const session = current();
    return session ? Promise.resolve(session) : create(GUEST_NAME);
  }

  // Another tab of the same visitor started, renamed or dropped the session.
  globalThis.addEventListener?.('storage', (event: StorageEvent) => {
    if (event.key === key) $session.set(read());
  });

  const isUnauthorized = (error: unknown) => (error as { status?: number } | null)?.status === 401;

  return {
    $session,
    async start(displayName) {
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
        if ($session.get()?.token === session.token) save(null);
        const fresh = $session.get() ?? (await create(session.member.displayName));
        return call(fresh.token);
      }
    },
  };
}
