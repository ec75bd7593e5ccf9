/**
 * The SQLite hub's eyes on other processes: once a second it reads every site's event sequence
 * and tells the hub about the sites whose sequence grew, so events written by another process on
 * the same file — the `lifeboat incident …` CLI — reach this server's open streams within a
 * second. (On PostgreSQL every event row is announced by NOTIFY instead: realtime/pg-hub.ts.)
 * A notice for events this process wrote itself costs one empty read; a lost one loses nothing
 * (streams read from the event table).
 */
import type { Store } from '../store/store.js';
import type { Hub } from './hub.js';

export interface SequenceWatchOptions {
  store: Pick<Store, 'listSites'>;
  hub: Hub;
  intervalMs?: number;
  log?: { error(obj: object, msg: string): void };
}

export class SequenceWatch {
  /** The last event sequence seen per site (null until the first read). */
  private sequences: Map<string, number> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(private readonly o: SequenceWatchOptions) {}

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.watch();
    const next = () => {
      this.timer = setTimeout(() => {
        void this.watch().finally(() => {
          if (this.running) next();
        });
      }, this.o.intervalMs ?? 1000);
      this.timer.unref?.();
    };
    next();
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.sequences = null;
  }

  /**
   * Reads every site's sequence and announces the sites whose sequence grew since the last read
   * (the first read only records them). Returns the sites announced.
   */
  async watch(): Promise<string[]> {
    try {
      const sites = await this.o.store.listSites();
      const previous = this.sequences;
      this.sequences = new Map(sites.map((site) => [site.id, site.eventSeq]));
      if (!previous) return [];
      const grown = sites.filter((site) => site.eventSeq > (previous.get(site.id) ?? 0));
      for (const site of grown) this.o.hub.publish({ site: site.id, seq: site.eventSeq });
      return grown.map((site) => site.id);
    } catch (err) {
      // After stop() the store may be closing: nothing to report.
      if (this.running) this.o.log?.error({ err }, 'sequence watch: reading sequences failed');
      return [];
    }
  }
}
