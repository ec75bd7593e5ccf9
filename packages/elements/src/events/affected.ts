export interface LifeboatAffectedDetail {
  readonly incidentId: string;
  readonly affected: boolean;
}

/** Fired before "affected me too" is said or taken back. Cancel it to stop it. */
export class LifeboatAffectedEvent extends Event {
  static readonly eventName = 'lifeboat-affected';
  readonly detail: LifeboatAffectedDetail;

  constructor(detail: LifeboatAffectedDetail) {
    super(LifeboatAffectedEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-affected': LifeboatAffectedEvent;
  }
}
