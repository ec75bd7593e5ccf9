/**
 * Direct mode's status store for `<lifeboat-banner status-url>`, with the normalizers
 * (`@lifeboat/sdk/direct`) loaded on first listen: a banner fed by a Lifeboat server never loads
 * them (the script tag's banner chunk does not carry them).
 */
import type { SiteStatus } from '@lifeboat/protocol';
import { LifeboatError, type Loadable } from '@lifeboat/sdk';
import { atom, onMount, type ReadableAtom } from 'nanostores';

export function lazyDirectStatus(statusUrl: string): ReadableAtom<Loadable<SiteStatus>> {
  const $status = atom<Loadable<SiteStatus>>({ state: 'loading' });
  let inner: Promise<ReadableAtom<Loadable<SiteStatus>>> | undefined;
  onMount($status, () => {
    let live = true;
    let stop: (() => void) | undefined;
    inner ??= import('@lifeboat/sdk/direct').then(
      (direct) => direct.createDirectStatus({ statusUrl }).$status,
    );
    inner.then(
      (store) => {
        if (live) stop = store.subscribe((value) => $status.set(value));
      },
      (error: unknown) => {
        inner = undefined;
        $status.set({
          state: 'error',
          error: new LifeboatError({
            title: 'Network error',
            status: 0,
            code: 'network',
            detail: error instanceof Error ? error.message : String(error),
          }),
        });
      },
    );
    return () => {
      live = false;
      stop?.();
    };
  });
  return $status;
}
