import type { PostKind } from '@lifeboat/protocol';

export interface LifeboatPostDetail {
  readonly incidentId: string;
  readonly body: string;
  readonly kind: PostKind;
  readonly parentId: string | null;
}

/** Fired before an answer or reply is posted. Cancel it to stop the post. */
export class LifeboatPostEvent extends Event {
  static readonly eventName = 'lifeboat-post';
  readonly detail: LifeboatPostDetail;

  constructor(detail: LifeboatPostDetail) {
    super(LifeboatPostEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-post': LifeboatPostEvent;
  }
}
