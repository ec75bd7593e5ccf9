import type { SiteStatus } from '@lifeboat/protocol';

/**
 * Fired by `<lifeboat-banner>` when the official status is first known and whenever it really
 * changes (severity, components, incidents' phase, impact or updates, maintenances) — not on
 * counts or re-renders. Not cancelable: it reports, it does not ask.
 */
export class LifeboatStatusChangeEvent extends Event {
  static readonly eventName = 'lifeboat-status-change';
  readonly detail: SiteStatus;

  constructor(detail: SiteStatus) {
    super(LifeboatStatusChangeEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'lifeboat-status-change': LifeboatStatusChangeEvent;
  }
}
