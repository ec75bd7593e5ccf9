import type {
  AffectedResult,
  FlagResult,
  Incident,
  MemberExport,
  MemberSummary,
  Post,
  ProblemReportResult,
  ReactionKind,
  ReactionResult,
  SignalsResult,
} from '@lifeboat/protocol';
import { atom } from 'nanostores';
import type { ConnectionState, LifeboatClient } from './client-types.js';
import { LifeboatError } from './client-types.js';
import type { Context, Resource } from './context.js';
import { incidentIdOf, peek } from './context.js';
import type { FetchLike } from './http.js';
import { createRequest, createRevalidate, toLifeboatError } from './http.js';
import { createPostActions } from './outbox.js';
import type { SessionStorage } from './session.js';
import { createSessions, defaultStorage, GUEST_NAME } from './session.js';
import type { EventSourceConstructor } from './stream.js';
import { createStream } from './stream.js';
import { createEmailActions } from './email.js';
import { createSimilarWorkarounds } from './similar.js';
import type { AffectedHistoryResource } from './stores/affected-history.js';
import { createAffectedHistory } from './stores/affected-history.js';
import { createIncident } from './stores/incident.js';
import type { LoadableResource } from './stores/loadable.js';
import type { MeResource } from './stores/me.js';
import { createMe } from './stores/me.js';
import { createStatus } from './stores/status.js';
import type { ThreadResource } from './stores/thread.js';
import { createThread } from './stores/thread.js';

export interface LifeboatOptions {
  /** Origin (and optional path prefix) of the Lifeboat server, e.g. `https://lifeboat.example.com`. */
  server: string;
  /** The site's slug. */
  site: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** Defaults to the global `EventSource`; without one the stores load but do not stay live. */
  EventSource?: EventSourceConstructor;
  /** Where the session is kept; defaults to `localStorage` when usable, `null` keeps it in memory. */
  storage?: SessionStorage | null;
  /**
   * A sign-in token minted by the host site (JWT; docs/identity.md): the member posts under the
   * host's name, avatar, role and badges instead of as a guest. Change it with `identify()`.
   */
  identity?: string | null;
  /**
   * Returns a fresh host token (or null once the person signed out). Called shortly before the
   * Lifeboat session or the host token expires, and when the server refuses the session.
   */
  refreshIdentity?: () => Promise<string | null>;
}

type Counts = Post['counts'];

/** Author of an optimistic post sent before any session exists. */
const GUEST: MemberSummary = { id: '', displayName: GUEST_NAME, role: 'member', staff: false };

const countKey = (kind: ReactionKind) => (kind === 'worked' ? 'worked' : 'didntWork');

function moveReaction(counts: Counts, from: ReactionKind | null, to: ReactionKind | null): Counts {
  const next = { ...counts };
  if (from) next[countKey(from)] = Math.max(0, next[countKey(from)] - 1);
  if (to) next[countKey(to)]++;
  return next;
}

/** Creates a client for one site of one Lifeboat server. One per page is enough. */
export function createLifeboat(options: LifeboatOptions): LifeboatClient {
  const server = options.server.replace(/\/+$/, '');
  const { site } = options;
  const base = `${server}/v1/sites/${encodeURIComponent(site)}`;
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const request = createRequest(base, fetchFn);
  const storage = options.storage === undefined ? defaultStorage() : options.storage;
  const sessions = createSessions(request, storage, `lifeboat:${server}:${site}:session`, {
    identity: options.identity,
    refreshIdentity: options.refreshIdentity,
  });
  const $connection = atom<ConnectionState>('idle');
  const mounted = <T extends Resource>(list: Iterable<T>) => [...list].filter((r) => r.mounted);
  /** The oldest sequence the snapshots hold (where streaming resumes), or null. */
  const oldest = (seqs: Array<number | null>) => {
    const held = seqs.filter((seq): seq is number => seq !== null);
    return held.length ? Math.min(...held) : null;
  };
  const stream = createStream(
    `${base}/stream`,
    options.EventSource ?? (globalThis as { EventSource?: EventSourceConstructor }).EventSource,
    $connection,
    {
      event(event) {
        status.apply(event);
        const id = incidentIdOf(event);
        if (id === null) return;
        incidents.get(id)?.apply(event);
        threads.get(id)?.apply(event);
        histories.get(id)?.apply(event);
      },
      async reset() {
        // Every snapshot again, past the caches (`no-cache`), incidents first as for polling. The
        // stream then resumes from the oldest sequence they hold, however old a cache's copy.
        // Each settles before the answer: one that failed makes the stream try again later.
        const settled = await Promise.allSettled(
          mounted(incidents.values()).map((r) => r.reload()),
        );
        settled.push(
          ...(await Promise.allSettled(
            mounted([status, ...threads.values(), ...histories.values()]).map((r) => r.reload()),
          )),
        );
        const failed = settled.find((r) => r.status === 'rejected');
        if (failed) throw failed.reason;
        return oldest(settled.map((r) => (r.status === 'fulfilled' ? r.value : null)));
      },
      async poll() {
        // Incidents first: their snapshots carry no sequence, so when streaming resumes from the
        // oldest sequence the others hold, every event replayed is newer than them too.
        await Promise.all(mounted(incidents.values()).map((r) => r.refresh()));
        return oldest(
          await Promise.all(
            mounted([status, ...threads.values(), ...histories.values()]).map((r) => r.refresh()),
          ),
        );
      },
    },
  );
  const ctx: Context = {
    request,
    revalidate: createRevalidate(base, fetchFn),
    stream,
    sessions,
  };

  const status = createStatus(ctx);
  const incidents = new Map<string, LoadableResource<Incident>>();
  const threads = new Map<string, ThreadResource>();
  const mes = new Map<string, MeResource>();
  const histories = new Map<string, AffectedHistoryResource>();

  const resources = () => [
    status,
    ...incidents.values(),
    ...threads.values(),
    ...histories.values(),
  ];
  const cached = <T>(
    cache: Map<string, T>,
    id: string,
    create: (ctx: Context, id: string) => T,
  ): T => {
    let value = cache.get(id);
    if (!value) cache.set(id, (value = create(ctx, id)));
    return value;
  };
  const incident = (id: string) => cached(incidents, id, createIncident);
  const thread = (id: string) => cached(threads, id, createThread);
  const me = (id: string) => cached(mes, id, createMe);
  const history = (id: string) =>
    cached(histories, id, (c, incidentId) => createAffectedHistory(c, incidentId));
  const incidentPath = (id: string) => `/incidents/${encodeURIComponent(id)}`;
  /** Posts, their persisted outbox (offline, reloads) and the author's edit and delete. */
  const posts = createPostActions({
    request,
    sessions,
    thread,
    storage,
    key: `lifeboat:${server}:${site}:outbox`,
    guest: GUEST,
  });
  const similarWorkarounds = createSimilarWorkarounds(request);
  const subscribeByEmail = createEmailActions({ request, sessions });

  /** Changes an incident wherever it is held: its own store and the status's open list. */
  function patchIncident(id: string, change: (incident: Incident) => Incident): void {
    incidents.get(id)?.update(change);
    status.update((s) => ({
      ...s,
      incidents: s.incidents.map((i) => (i.id === id ? change(i) : i)),
    }));
  }

  /** Changes a post's counts in its thread and where it is an incident's top workaround. */
  function patchCounts(
    incidentId: string,
    postId: string,
    change: (counts: Counts) => Counts,
  ): void {
    thread(incidentId).updatePost(postId, (p) => ({ ...p, counts: change(p.counts) }));
    patchIncident(incidentId, (i) => {
      const top = i.topWorkaround;
      return top?.id === postId
        ? { ...i, topWorkaround: { ...top, counts: change(top.counts) } }
        : i;
    });
  }

  return {
    server,
    site,
    $status: status.$store,
    $connection,
    $session: sessions.$session,
    incident: (id) => incident(id).$store,
    thread: (id) => thread(id).$store,
    me: (id) => me(id).$store,
    affectedHistory: (id) => history(id).$store,

    startSession: (displayName) => sessions.start(displayName),
    identify: (token) =>
      sessions.identify(token).catch((error) => {
        throw toLifeboatError(error);
      }),

    async exportMyData() {
      // Nothing is stored about a visitor without a session: never create one just to export.
      if (!sessions.current() && !sessions.signedIn())
        throw new LifeboatError({
          title: 'No session',
          status: 401,
          code: 'unauthorized',
          detail: 'There is no session on this site, so nothing is stored about you.',
        });
      return sessions.authed((token) =>
        request<MemberExport>('GET', '/members/me/export', { token }),
      );
    },

    async deleteMyData() {
      if (!sessions.current() && !sessions.signedIn()) return;
      await sessions.authed((token) => request<void>('DELETE', '/members/me', { token }));
      sessions.forget();
    },

    post: (incidentId, req, options) => posts.post(incidentId, req, options),
    retryPost: (incidentId, postId) => posts.retryPost(incidentId, postId),
    discardPost: (incidentId, postId) => posts.discardPost(incidentId, postId),
    editPost: (incidentId, postId, change) => posts.editPost(incidentId, postId, change),
    deletePost: (incidentId, postId) => posts.deletePost(incidentId, postId),

    async react(incidentId, postId, kind) {
      const mine = me(incidentId);
      const setMine = (k: ReactionKind | null) =>
        mine.update((s) => {
          const { [postId]: _, ...reactions } = s.reactions;
          return { ...s, reactions: k ? { ...reactions, [postId]: k } : reactions };
        });
      const previous = peek(mine.$store).reactions[postId] ?? null;
      setMine(kind);
      patchCounts(incidentId, postId, (c) => moveReaction(c, previous, kind));
      try {
        const result = await sessions.authed((token) =>
          request<ReactionResult>(
            kind ? 'PUT' : 'DELETE',
            `/posts/${encodeURIComponent(postId)}/reaction`,
            {
              token,
              body: kind ? { kind } : undefined,
            },
          ),
        );
        setMine(result.reaction);
        patchCounts(incidentId, postId, () => result.counts);
        return result;
      } catch (error) {
        setMine(previous);
        patchCounts(incidentId, postId, (c) => moveReaction(c, kind, previous));
        throw toLifeboatError(error);
      }
    },

    flag: (postId, reason, note) =>
      sessions
        .authed((token) =>
          request<FlagResult>('POST', `/posts/${encodeURIComponent(postId)}/flags`, {
            token,
            body: { reason, note: note?.trim() || null },
          }),
        )
        .catch((error: unknown) => {
          throw toLifeboatError(error);
        }),

    async setAffected(incidentId, affected) {
      const mine = me(incidentId);
      const flip = (from: boolean, to: boolean) => {
        mine.update((s) => ({ ...s, affected: to }));
        if (from !== to) {
          patchIncident(incidentId, (i) => ({
            ...i,
            affectedCount: Math.max(0, i.affectedCount + (to ? 1 : -1)),
          }));
        }
      };
      const previous = peek(mine.$store).affected;
      flip(previous, affected);
      try {
        const result = await sessions.authed((token) =>
          request<AffectedResult>(
            affected ? 'PUT' : 'DELETE',
            `${incidentPath(incidentId)}/affected`,
            { token },
          ),
        );
        mine.update((s) => ({ ...s, affected: result.affected }));
        patchIncident(incidentId, (i) => ({ ...i, affectedCount: result.count }));
        return result;
      } catch (error) {
        flip(affected, previous);
        throw toLifeboatError(error);
      }
    },

    reportProblem: (component) =>
      sessions
        .authed((token) =>
          request<ProblemReportResult>('POST', '/problem-reports', {
            token,
            body: component ? { component } : {},
          }),
        )
        .catch((error: unknown) => {
          throw toLifeboatError(error);
        }),

    signals: () =>
      request<SignalsResult>('GET', '/signals').catch((error: unknown) => {
        throw toLifeboatError(error);
      }),

    subscribeByEmail,
    similarWorkarounds,

    loadMore: (incidentId) => thread(incidentId).loadMore(),
    sortThread: (incidentId, sort) => thread(incidentId).setSort(sort),

    retry() {
      for (const resource of resources()) if (resource.mounted) resource.retry();
      stream.wake();
    },

    close() {
      sessions.close();
      stream.close();
      incidents.clear();
      threads.clear();
      mes.clear();
      histories.clear();
      posts.close();
    },
  };
}
