/**
 * The sites behind `/v1/sites/:site`, by slug, held in memory for a moment so a spike of reads
 * does not ask the store for the same site on every request. A site changed through this
 * instance's admin API is forgotten at once; a change made elsewhere (another instance, the CLI)
 * shows within `ttlMs`. Only sites that exist are held, so unknown slugs cannot grow it.
 *
 * The records' `eventSeq` is as old as the record: read sequences from SiteSequences instead.
 */
import type { SiteRecord, Store } from '../store/store.js';

interface Held {
  site: SiteRecord;
  until: number;
}

export class SiteDirectory {
  private readonly bySlug = new Map<string, Held>();
  private readonly loading = new Map<string, Promise<SiteRecord | null>>();
  /** Grows with every `forget`: a read that started before one is not held. */
  private generation = 0;

  constructor(
    private readonly store: Pick<Store, 'getSiteBySlug'>,
    private readonly ttlMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The site of `slug` (null when there is none): from memory while fresh, else from the store. */
  get(slug: string): SiteRecord | null | Promise<SiteRecord | null> {
    const held = this.bySlug.get(slug);
    if (held && held.until > this.now()) return held.site;
    let pending = this.loading.get(slug);
    if (!pending) {
      pending = this.load(slug).finally(() => this.loading.delete(slug));
      this.loading.set(slug, pending);
    }
    return pending;
  }

  /**
   * The site of `slug` if it is held and fresh, else null: never reads the store (the cached-read
   * fast path asks before routing, for URLs no route may take; a lookup it started would have no
   * one to hear its failure).
   */
  peek(slug: string): SiteRecord | null {
    const held = this.bySlug.get(slug);
    return held && held.until > this.now() ? held.site : null;
  }

  /** Forgets a site (by id, under any slug it was held by) after it changed. */
  forget(siteId: string): void {
    this.generation++;
    for (const [slug, held] of this.bySlug) if (held.site.id === siteId) this.bySlug.delete(slug);
  }

  private async load(slug: string): Promise<SiteRecord | null> {
    const generation = this.generation;
    const site = await this.store.getSiteBySlug(slug);
    if (generation !== this.generation) return site;
    if (site) this.bySlug.set(slug, { site, until: this.now() + this.ttlMs });
    else this.bySlug.delete(slug);
    return site;
  }
}
