import type { MemberIncidentState } from '@lifeboat/protocol';
import { atom, onMount } from 'nanostores';
import type { WritableAtom } from 'nanostores';
import type { Context } from '../context.js';
import { peek } from '../context.js';

export interface MeResource {
  readonly $store: WritableAtom<MemberIncidentState>;
  update(change: (state: MemberIncidentState) => MemberIncidentState): void;
}

/**
 * What the member did on an incident. Fetched on first listen when a session exists (no session
 * is ever created just to read); changed optimistically by the actions.
 */
export function createMe(ctx: Context, incidentId: string): MeResource {
  const $store = atom<MemberIncidentState>({ affected: false, reactions: {} });
  /** Bumped by every local change, so an older fetch never overwrites a newer click. */
  let changes = 0;
  onMount($store, () => {
    const session = ctx.sessions.$session.get();
    if (!session) return;
    const before = changes;
    ctx
      .request<MemberIncidentState>('GET', `/incidents/${encodeURIComponent(incidentId)}/me`, {
        token: session.token,
      })
      .then(
        (state) => before === changes && $store.set(state),
        () => {}, // Not knowing what the member did only leaves the buttons unpressed.
      );
  });
  return {
    $store,
    update(change) {
      changes++;
      $store.set(change(peek($store)));
    },
  };
}
