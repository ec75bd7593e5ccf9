import type { ReactionKind } from '@lifeboat/protocol';

export interface LifeboatConfirmDetail {
  readonly incidentId: string;
  readonly postId: string;
  /** The confirmation to set, or null to clear the current one. */
  readonly kind: ReactionKind | null;
}

/** Fired before a "worked for me" / "didn't work" confirmation is set or cleared (`kind: null`). Cancel it to stop it. */
export class LifeboatConfirmEvent extends Event {
  static readonly eventName = 'lifeboat-confirm';
  readonly detail: LifeboatConfirmDetail;

  constructor(detail: LifeboatConfirmDetail) {
    super(LifeboatConfirmEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-confirm': LifeboatConfirmEvent;
  }
}
