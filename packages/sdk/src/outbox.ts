/**
 * The post outbox and the author's post actions. A post is shown at once (optimistic), kept in
 * `localStorage` under `lifeboat:<server>:<site>:outbox` until the server acknowledges it, and
 * sent with its id as Idempotency-Key: a retry, a reload or a second tab never makes a second
 * post. Written offline, it waits (`local: 'pending'`) and is sent when the browser is back
 * online. Edit and delete are optimistic and roll back when the server refuses. A post written
 * before any session exists keeps the display name typed with it: the guest session is made
 * with that name when the post is sent (a reload in between included).
 */
import type {
  CreatePostRequest,
  EditPostRequest,
  MemberSummary,
  Post,
  Problem,
} from '@lifeboat/protocol';
import { ulid } from '@lifeboat/protocol';
import type { LocalPost } from './client-types.js';
import { LifeboatError } from './client-types.js';
import { peek } from './context.js';
import type { Request } from './http.js';
import { toLifeboatError } from './http.js';
import type { SessionStorage, Sessions } from './session.js';
import type { ThreadResource } from './stores/thread.js';

/** A post the server has not acknowledged, as persisted. */
export interface OutboxEntry {
  id: string;
  incidentId: string;
  request: CreatePostRequest & { id: string };
  author: MemberSummary;
  /** The name typed with a post written before any session: its guest session gets it. */
  displayName?: string;
  createdAt: string;
  /** `pending`: waits for the network; `failed`: the server refused it (or the network failed while online). */
  state: 'pending' | 'failed';
  error?: Pick<Problem, 'title' | 'status' | 'detail' | 'errors'> & {
    code: Problem['code'] | 'network';
  };
}

export interface PostOptions {
  /** The visitor's display name, for the guest session made when there is none yet. */
  displayName?: string;
}

export interface PostActions {
  post(incidentId: string, request: CreatePostRequest, options?: PostOptions): Promise<Post>;
  retryPost(incidentId: string, postId: string): Promise<Post>;
  discardPost(incidentId: string, postId: string): void;
  editPost(incidentId: string, postId: string, change: EditPostRequest): Promise<Post>;
  deletePost(incidentId: string, postId: string): Promise<Post>;
  /** Unsent posts, oldest first (for tests and diagnostics). */
  entries(): OutboxEntry[];
  close(): void;
}

export interface PostActionsOptions {
  request: Request;
  sessions: Sessions;
  thread(incidentId: string): ThreadResource;
  storage: SessionStorage | null;
  /** The localStorage key of this server and site. */
  key: string;
  /** Author of an optimistic post sent before any session exists. */
  guest: MemberSummary;
  /** Automatic resends after a network failure while online (same Idempotency-Key). */
  retries?: number;
  retryDelay?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const offline = () => globalThis.navigator?.onLine === false;

interface WindowLike {
  addEventListener?(type: string, listener: () => void): void;
  removeEventListener?(type: string, listener: () => void): void;
}

export function createPostActions(options: PostActionsOptions): PostActions {
  const { request, sessions, thread, storage, key, guest } = options;
  const retries = options.retries ?? 2;
  const retryDelay = options.retryDelay ?? 400;
  const entries = new Map<string, OutboxEntry>(read().map((e) => [e.id, e]));
  const sending = new Map<string, Promise<Post>>();
  const win = globalThis as WindowLike;
  const postsPath = (incidentId: string) => `/incidents/${encodeURIComponent(incidentId)}/posts`;
  const postPath = (postId: string) => `/posts/${encodeURIComponent(postId)}`;

  function read(): OutboxEntry[] {
    try {
      const list = JSON.parse(storage?.getItem(key) ?? '[]') as unknown;
      return Array.isArray(list)
        ? (list as OutboxEntry[]).filter((e) => e && typeof e.id === 'string' && e.request)
        : [];
    } catch {
      return [];
    }
  }

  function persist(): void {
    try {
      if (entries.size) storage?.setItem(key, JSON.stringify([...entries.values()]));
      else storage?.removeItem(key);
    } catch {
      // Full or blocked storage: the outbox lives for this page only.
    }
  }

  function localPost(entry: OutboxEntry, local: LocalPost['local']): LocalPost {
    const { request: req } = entry;
    return {
      id: entry.id,
      incidentId: entry.incidentId,
      parentId: req.parentId ?? null,
      kind: req.kind,
      body: req.body,
      workaround: req.workaround ?? null,
      author: entry.author,
      state: 'published',
      verified: false,
      pinned: false,
      counts: { worked: 0, didntWork: 0 },
      createdAt: entry.createdAt,
      editedAt: null,
      score: 0,
      local,
      ...(local === 'failed' && entry.error
        ? { localError: new LifeboatError(entry.error as Problem) }
        : {}),
    };
  }

  function mark(entry: OutboxEntry, state: OutboxEntry['state'], error?: LifeboatError): void {
    entry.state = state;
    if (error)
      entry.error = {
        title: error.message,
        status: error.status,
        code: error.code,
        errors: [...error.errors],
      };
    else delete entry.error;
    persist();
    thread(entry.incidentId).upsert(localPost(entry, state));
  }

  async function send(entry: OutboxEntry): Promise<Post> {
    const posts = thread(entry.incidentId);
    if (offline()) {
      mark(entry, 'pending');
      return localPost(entry, 'pending');
    }
    posts.updatePost(entry.id, ({ localError: _, ...p }) => ({ ...p, local: 'sending' }));
    for (let attempt = 0; ; attempt++) {
      try {
        // Written before any session: make it now, with the name typed then (not "Guest").
        if (entry.displayName && !sessions.$session.get()) await sessions.start(entry.displayName);
        const post = await sessions.authed((token) =>
          request<Post>('POST', postsPath(entry.incidentId), {
            body: entry.request,
            token,
            headers: { 'idempotency-key': entry.id },
          }),
        );
        entries.delete(entry.id);
        persist();
        posts.upsert(post);
        return post;
      } catch (caught) {
        const error = toLifeboatError(caught);
        if (error.code === 'network' && offline()) {
          // Went offline meanwhile: wait for the `online` event.
          mark(entry, 'pending');
          return localPost(entry, 'pending');
        }
        if (attempt >= retries || error.code !== 'network') {
          mark(entry, 'failed', error);
          throw error;
        }
        await sleep(retryDelay * 2 ** attempt * (0.5 + Math.random() / 2));
      }
    }
  }

  function resend(id: string): Promise<Post> {
    let pending = sending.get(id);
    if (!pending) {
      pending = send(entries.get(id)!).finally(() => sending.delete(id));
      sending.set(id, pending);
    }
    return pending;
  }

  /** Back online: send what waits, and what failed only for want of a network. */
  function flush(): void {
    for (const entry of entries.values()) {
      if (entry.state === 'pending' || entry.error?.code === 'network')
        resend(entry.id).catch(() => undefined);
    }
  }

  // Posts left by an earlier page (a reload, offline): show them, then send them.
  for (const entry of entries.values())
    thread(entry.incidentId).upsert(localPost(entry, entry.state));
  win.addEventListener?.('online', flush);
  if (entries.size && !offline()) queueMicrotask(flush);

  /** Optimistic change of a listed post; the previous value comes back on failure. */
  async function optimistic(
    incidentId: string,
    postId: string,
    change: (post: LocalPost) => LocalPost,
    call: (token: string) => Promise<Post>,
  ): Promise<Post> {
    const posts = thread(incidentId);
    const previous = peek(posts.$store).posts.find((p) => p.id === postId);
    if (previous) posts.updatePost(postId, change);
    try {
      const post = await sessions.authed(call);
      posts.upsert(post);
      return post;
    } catch (error) {
      if (previous) posts.updatePost(postId, () => previous);
      throw toLifeboatError(error);
    }
  }

  return {
    post(incidentId, req, { displayName } = {}) {
      const id = req.id ?? ulid();
      const inFlight = sending.get(id);
      if (inFlight) return inFlight;
      const member = peek(sessions.$session)?.member;
      const name = member ? undefined : displayName?.trim() || undefined;
      const entry: OutboxEntry = entries.get(id) ?? {
        id,
        incidentId,
        request: { ...req, id },
        author: member ?? (name ? { ...guest, displayName: name } : guest),
        ...(name ? { displayName: name } : {}),
        createdAt: new Date().toISOString(),
        state: 'pending',
      };
      entries.set(id, entry);
      persist();
      thread(incidentId).upsert(localPost(entry, 'sending'));
      return resend(id);
    },

    retryPost(_incidentId, postId) {
      if (!entries.has(postId)) {
        return Promise.reject(
          new LifeboatError({ title: 'No unsent post with this id', status: 0, code: 'not_found' }),
        );
      }
      return resend(postId);
    },

    discardPost(incidentId, postId) {
      if (sending.has(postId) || !entries.delete(postId)) return;
      persist();
      thread(incidentId).remove(postId);
    },

    editPost(incidentId, postId, change) {
      const waiting = entries.get(postId);
      if (waiting && !sending.has(postId)) {
        // Not sent yet: change what will be sent.
        waiting.request = { ...waiting.request, body: change.body, workaround: change.workaround };
        persist();
        thread(incidentId).updatePost(postId, (p) => ({ ...p, body: change.body }));
        return Promise.resolve(localPost(waiting, waiting.state));
      }
      return optimistic(
        incidentId,
        postId,
        (p) => ({ ...p, body: change.body, editedAt: new Date().toISOString() }),
        (token) => request<Post>('PATCH', postPath(postId), { body: change, token }),
      );
    },

    deletePost(incidentId, postId) {
      const waiting = entries.get(postId);
      if (waiting && !sending.has(postId)) {
        const gone = localPost(waiting, waiting.state);
        entries.delete(postId);
        persist();
        thread(incidentId).remove(postId);
        return Promise.resolve(gone);
      }
      return optimistic(
        incidentId,
        postId,
        (p) => ({ ...p, body: '', workaround: null, deletedAt: new Date().toISOString() }),
        (token) => request<Post>('DELETE', postPath(postId), { token }),
      );
    },

    entries: () => [...entries.values()],

    close() {
      win.removeEventListener?.('online', flush);
      entries.clear();
    },
  };
}
