export interface LifeboatNavigateDetail {
  readonly incidentId: string;
  readonly postId: string;
}

/** Fired when a link to a post is followed (banner "See in thread"). Cancel it to handle the navigation yourself; otherwise a `<lifeboat-thread>` on the page reveals the post. */
export class LifeboatNavigateEvent extends Event {
  static readonly eventName = 'lifeboat-navigate';
  readonly detail: LifeboatNavigateDetail;

  constructor(detail: LifeboatNavigateDetail) {
    super(LifeboatNavigateEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-navigate': LifeboatNavigateEvent;
  }
}
