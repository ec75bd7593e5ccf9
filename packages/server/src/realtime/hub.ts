/**
 * The hub tells server instances that a site has new events. It carries only `{ site, seq }`:
 * subscribers read the events themselves from the store, so a lost notification loses nothing.
 * The memory hub serves one process; PostgreSQL LISTEN/NOTIFY or Redis pub/sub implement the
 * same interface for several instances.
 */
export interface HubNotice {
  /** Site id (not slug). */
  site: string;
  seq: number;
}

export type HubListener = (notice: HubNotice) => void;

export interface Hub {
  /** Call only after the transaction that wrote event `seq` committed. */
  publish(notice: HubNotice): void;
  /** Returns the unsubscribe function. */
  subscribe(site: string, listener: HubListener): () => void;
  close(): Promise<void>;
}

export class MemoryHub implements Hub {
  /** Listeners per site id (subclasses read the subscribed sites). */
  protected readonly listeners = new Map<string, Set<HubListener>>();

  publish(notice: HubNotice): void {
    const set = this.listeners.get(notice.site);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(notice);
      } catch {
        // one broken listener must not stop the others
      }
    }
  }

  subscribe(site: string, listener: HubListener): () => void {
    let set = this.listeners.get(site);
    if (!set) {
      set = new Set();
      this.listeners.set(site, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(site);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
