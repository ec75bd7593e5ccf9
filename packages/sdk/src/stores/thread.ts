import type { Post, ThreadPage, ThreadSort } from '@lifeboat/protocol';
import { atom } from 'nanostores';
import type { WritableAtom } from 'nanostores';
import type { LocalPost, ThreadSnapshot } from '../client-types.js';
import type { Context, Resource } from '../context.js';
import { incidentIdOf, mountLazily, peek } from '../context.js';
import { toLifeboatError } from '../http.js';

export interface ThreadResource extends Resource {
  readonly $store: WritableAtom<ThreadSnapshot>;
  loadMore(): Promise<void>;
  /**
   * Pages in this order from now on. Before the first load it only chooses the order; after it,
   * the first page is fetched again in the new order (local posts stay) and replaces the list.
   */
  setSort(sort: ThreadSort): Promise<void>;
  /** Replaces the post with the same id, or appends it: a post is never listed twice. */
  upsert(post: LocalPost): void;
  /** Changes one post in place, if listed. */
  updatePost(postId: string, change: (post: LocalPost) => LocalPost): void;
  remove(postId: string): void;
}

/** Pages of the reader's order one poll reads at most (the first page says whether to go on). */
export const POLL_PAGES = 3;

/**
 * An incident's thread: first page on first listen, later pages on demand, live in between.
 * Pages come oldest first, or in the order chosen with `setSort` (top-level posts by helpfulness
 * or newest, each with its replies), so "load more" continues that order across pages.
 */
export function createThread(ctx: Context, incidentId: string): ThreadResource {
  const path = `/incidents/${encodeURIComponent(incidentId)}/thread`;
  const $store = atom<ThreadSnapshot>({
    state: 'loading',
    incidentId,
    threadState: 'open',
    posts: [],
    nextCursor: null,
    loadingMore: false,
    error: null,
  });
  let generation = 0;
  /** Events at or below this sequence are already in the snapshot; -1 before the first one. */
  let seq = -1;
  let sort: ThreadSort | undefined;
  /** Pages of the current order in the list (the first, and each "load more"). */
  let pages = 0;
  /** The first page's ETag, for polling: unchanged, nothing on the site changed. */
  let etag: string | null = null;
  /** The snapshot path with the chosen order and an optional cursor. */
  const page = (cursor?: string) => {
    const query = new URLSearchParams();
    if (sort) query.set('sort', sort);
    if (cursor) query.set('cursor', cursor);
    const search = query.toString();
    return search ? `${path}?${search}` : path;
  };

  const set = (patch: Partial<ThreadSnapshot>) => $store.set({ ...peek($store), ...patch });
  const posts = () => peek($store).posts;

  /** The first page (`fresh`: revalidating any cached copy) replaces the list. */
  async function load(fresh: boolean): Promise<void> {
    const run = ++generation;
    if (peek($store).state === 'error') set({ state: 'loading', error: null });
    try {
      const { value: first, etag: tag } = (await ctx.revalidate<ThreadPage>(page(), null, fresh))!;
      if (run !== generation) return;
      const ids = new Set(first.posts.map((p) => p.id));
      seq = first.lastEventId;
      etag = tag;
      pages = 1;
      set({
        state: 'ready',
        ...(sort ? { sort } : {}),
        threadState: first.threadState,
        // Optimistic entries stay until their request settles.
        posts: [...first.posts, ...posts().filter((p) => p.local && !ids.has(p.id))],
        nextCursor: first.nextCursor,
        loadingMore: false,
        error: null,
      });
      ctx.stream.seed(seq);
      for (const event of ctx.stream.recent()) thread.apply(event);
    } catch (error) {
      if (run === generation) set({ state: 'error', error: toLifeboatError(error) });
    }
  }

  const thread: ThreadResource = {
    $store,
    mounted: false,
    // Revalidated even on a page's first load: a browser may reuse its copy for max-age plus
    // stale-while-revalidate (12 s), and the answers posted since would then come in from the
    // stream and wait behind "N new answers", so a reload would hide what the reader just saw.
    load: () => load(true),
    async reload() {
      await load(true);
      const { state, error } = peek($store);
      if (state === 'error') throw error;
      return seq >= 0 ? seq : null;
    },
    async loadMore() {
      const { state, nextCursor, loadingMore } = peek($store);
      if (state !== 'ready' || !nextCursor || loadingMore) return;
      const run = generation;
      set({ loadingMore: true, error: null });
      try {
        const next = await ctx.request<ThreadPage>('GET', page(nextCursor));
        if (run !== generation) return;
        // A post already listed came from the stream, so it is at least as new.
        const ids = new Set(posts().map((p) => p.id));
        pages++;
        set({
          posts: [...posts(), ...next.posts.filter((p) => !ids.has(p.id))],
          nextCursor: next.nextCursor,
          loadingMore: false,
        });
      } catch (error) {
        if (run === generation) set({ loadingMore: false, error: toLifeboatError(error) });
        throw toLifeboatError(error);
      }
    },
    async setSort(next) {
      if (next === sort) return;
      sort = next;
      // Not listened to yet: the first load uses the order. Else the first page again, in order
      // (a load in flight in the old order is superseded).
      if (thread.mounted) await thread.load();
    },
    apply(event) {
      if (seq < 0 || event.seq <= seq || incidentIdOf(event) !== incidentId) return;
      switch (event.type) {
        case 'post.created':
          return thread.upsert(event.post);
        case 'post.updated':
          // A post published after review arrives as an update of one never listed.
          if (event.post.state === 'published' || posts().some((p) => p.id === event.post.id)) {
            thread.upsert(event.post);
          }
          return;
        case 'reaction.changed':
          return thread.updatePost(event.postId, (p) => ({
            ...p,
            counts: event.counts,
            score: event.score ?? p.score,
          }));
        case 'affected.changed':
        case 'maintenance.updated':
          return;
        default:
          if (event.incident.threadState !== peek($store).threadState) {
            set({ threadState: event.incident.threadState });
          }
      }
    },
    upsert(post) {
      const list = posts();
      const index = list.findIndex((p) => p.id === post.id);
      set({ posts: index < 0 ? [...list, post] : list.map((p, i) => (i === index ? post : p)) });
    },
    updatePost(postId, change) {
      const list = posts();
      if (list.some((p) => p.id === postId)) {
        set({ posts: list.map((p) => (p.id === postId ? change(p) : p)) });
      }
    },
    remove(postId) {
      set({ posts: posts().filter((p) => p.id !== postId) });
    },
    retry() {
      const { state, error } = peek($store);
      if (state === 'error') void thread.load();
      else if (error) thread.loadMore().catch(() => {});
    },
    async refresh() {
      const current = peek($store);
      if (current.state === 'loading') return null; // the first load is on its way
      if (current.state === 'error') {
        await thread.load();
        const { error } = peek($store);
        if (error) throw error;
        return seq >= 0 ? seq : null;
      }
      if (current.loadingMore) return seq;
      const run = generation;
      const first = await ctx.revalidate<ThreadPage>(page(), etag);
      // 304: no event on the whole site since (the thread's ETag is the site's sequence).
      if (!first || run !== generation) return seq;
      // A cache's copy older than what the list holds (its snapshot and the events applied since,
      // up to the stream's position) is dropped: merging it would lose those events.
      if (first.value.lastEventId < Math.max(seq, ctx.stream.position() ?? -1)) return seq;
      // The pages the reader holds and one more (new posts come last, oldest first), up to a few.
      const walked = [first.value];
      let cursor = first.value.nextCursor;
      while (cursor && walked.length < Math.min(pages + 1, POLL_PAGES)) {
        const next = await ctx.request<ThreadPage>('GET', page(cursor));
        if (run !== generation) return seq;
        walked.push(next);
        cursor = next.nextCursor;
      }
      // A long thread read partly: its newest posts, for what arrived past the pages read.
      const newest =
        cursor && sort !== 'newest'
          ? await ctx.request<ThreadPage>('GET', `${path}?sort=newest`)
          : null;
      if (run !== generation) return seq;
      etag = first.etag;
      seq = first.value.lastEventId;
      const fetched = [...walked, ...(newest ? [newest] : [])].flatMap((p) => p.posts);
      const reachedEnd = cursor === null;
      const heldAll = walked.length >= pages;
      set({
        posts: mergePolled(posts(), fetched, reachedEnd),
        threadState: walked[0]!.threadState,
        ...(heldAll ? { nextCursor: cursor } : {}),
      });
      if (heldAll) pages = walked.length;
      return seq;
    },
  };
  mountLazily($store, thread, ctx.stream);
  return thread;
}

/**
 * A polled listing merged into the list the way stream events would have changed it: listed
 * posts updated in place, new published ones appended. `complete` (every page of the thread was
 * read): a post no longer listed was hidden or removed, so it goes too. Optimistic entries stay
 * until their request settles.
 */
export function mergePolled(
  list: readonly LocalPost[],
  fetched: readonly Post[],
  complete: boolean,
): LocalPost[] {
  const byId = new Map(fetched.map((p) => [p.id, p]));
  const kept = list.filter((p) => p.local || byId.has(p.id) || !complete);
  const listed = new Set(kept.map((p) => p.id));
  return [
    ...kept.map((p) => byId.get(p.id) ?? p),
    ...[...byId.values()].filter((p) => !listed.has(p.id)),
  ];
}
