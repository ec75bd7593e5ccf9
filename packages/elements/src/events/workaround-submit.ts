import type { WorkaroundFields } from '@lifeboat/protocol';

/** Fired before a workaround is sent, with the workaround as detail. Cancel it to stop the submission. */
export class LifeboatWorkaroundSubmitEvent extends Event {
  static readonly eventName = 'lifeboat-workaround-submit';
  readonly detail: WorkaroundFields;

  constructor(detail: WorkaroundFields) {
    super(LifeboatWorkaroundSubmitEvent.eventName, {
      bubbles: true,
      composed: true,
      cancelable: true,
    });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-workaround-submit': LifeboatWorkaroundSubmitEvent;
  }
}
