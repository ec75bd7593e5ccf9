/**
 * Pluggable notifiers: how the server tells the outside world that something happened on a site
 * (issue 12: an early-warning spike; issue 15: signed outgoing webhooks plug in here).
 *
 * A notifier is registered once on the app context (`app.lifeboat.notifiers.register(n)`); an
 * emitter calls `app.lifeboat.notifiers.notify(siteId, { type, ...payload })`, which hands the
 * event to every registered notifier. A notifier that throws or rejects is logged and skipped: a
 * failing integration never fails the request or the detector that emitted the event.
 */

/** An event for the outside world: a dotted `type` (`spike.detected`, …) and its payload. */
export interface NotifierEvent {
  type: string;
  [key: string]: unknown;
}

export interface Notifier {
  notify(siteId: string, event: NotifierEvent): void | Promise<void>;
}

interface NotifierLog {
  warn(obj: unknown, msg?: string): void;
}

export class NotifierRegistry implements Notifier {
  readonly #notifiers = new Set<Notifier>();

  constructor(private readonly log: NotifierLog | null = null) {}

  /** Adds a notifier; returns a function that removes it again. */
  register(notifier: Notifier): () => void {
    this.#notifiers.add(notifier);
    return () => this.#notifiers.delete(notifier);
  }

  get size(): number {
    return this.#notifiers.size;
  }

  /** Hands the event to every notifier and waits for them; never throws. */
  async notify(siteId: string, event: NotifierEvent): Promise<void> {
    await Promise.all(
      [...this.#notifiers].map(async (notifier) => {
        try {
          await notifier.notify(siteId, event);
        } catch (err) {
          this.log?.warn({ err, siteId, type: event.type }, 'notifier failed');
        }
      }),
    );
  }
}
