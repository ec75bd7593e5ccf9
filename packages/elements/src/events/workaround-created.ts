import type { Post } from '@lifeboat/protocol';

export interface LifeboatWorkaroundCreatedDetail {
  readonly post: Post;
}

/** Fired after the server accepted a workaround (published, or pending review). */
export class LifeboatWorkaroundCreatedEvent extends Event {
  static readonly eventName = 'lifeboat-workaround-created';
  readonly detail: LifeboatWorkaroundCreatedDetail;

  constructor(detail: LifeboatWorkaroundCreatedDetail) {
    super(LifeboatWorkaroundCreatedEvent.eventName, {
      bubbles: true,
      composed: true,
      cancelable: false,
    });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-workaround-created': LifeboatWorkaroundCreatedEvent;
  }
}
