import type { FlagReason } from '@lifeboat/protocol';

export interface LifeboatFlagDetail {
  readonly incidentId: string;
  readonly postId: string;
  readonly reason: FlagReason;
  /** The reporter's optional note for the moderators. */
  readonly note: string | null;
}

/** Fired before a visitor's report ("flag") of a post is sent to the moderators. Cancel it to stop it. */
export class LifeboatFlagEvent extends Event {
  static readonly eventName = 'lifeboat-flag';
  readonly detail: LifeboatFlagDetail;

  constructor(detail: LifeboatFlagDetail) {
    super(LifeboatFlagEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-flag': LifeboatFlagEvent;
  }
}
