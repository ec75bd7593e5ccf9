/**
 * `@lifeboat/sdk/moderation`: the staff side of a site — the moderation queue, the audit log,
 * actions and the staff stream. A separate entry, so the visitor bundle does not carry it.
 *
 *   const moderation = createModeration({ server, site: 'acme', token: staffToken });
 *   moderation.$queue.subscribe(render);
 *   await moderation.act(postId, 'approve', 'Checked the link');
 */
import type {
  AuditEntry,
  AuditPage,
  Incident,
  LifeboatEvent,
  ModerationActionName,
  ModerationQueue,
  QueueItem,
  SitePolicy,
} from '@lifeboat/protocol';
import { atom, onMount } from 'nanostores';
import type { LifeboatError } from '../client-types.js';
import { peek } from '../context.js';
import type { FetchLike } from '../http.js';
import { createRequest, toLifeboatError } from '../http.js';
import {
  CLEARING_ACTIONS,
  emptyQueue,
  markBanned,
  optimisticPost,
  reduceQueue,
  removeItem,
  restoreItem,
} from './queue.js';
import { createStaffStream } from './staff-stream.js';
import { createSpikes } from './spikes.js';
import type {
  AuditSnapshot,
  ModerationClient,
  PostActionResult,
  QueueSnapshot,
  StaffConnectionState,
} from './types.js';

export type { SpikeAction, SpikeActionResult, SpikesSnapshot } from './spikes.js';
export type {
  AuditSnapshot,
  ModerationClient,
  PostActionResult,
  QueueFailure,
  QueueSnapshot,
  StaffConnectionState,
} from './types.js';
export {
  createSseParser,
  type SseHandlers,
  type SseMessage,
  type SseParser,
} from './sse-parser.js';
export type {
  AuditEntry,
  AuditPage,
  FlagReason,
  ModerationActionName,
  ModerationQueue,
  ModerationReason,
  ModerationReasonCode,
  PostModerationAction,
  QueueItem,
  SitePolicy,
} from '@lifeboat/protocol';

export interface ModerationOptions {
  /** Origin (and optional path prefix) of the Lifeboat server. */
  server: string;
  /** The site's slug. */
  site: string;
  /** A staff or moderator session token, or the server's admin key. Sent only as a header. */
  token: string;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
}

/** Recent events kept to replay onto a snapshot that was fetched while the stream ran. */
const RECENT = 256;

export function createModeration(options: ModerationOptions): ModerationClient {
  const server = options.server.replace(/\/+$/, '');
  const { site, token } = options;
  const base = `${server}/v1/sites/${encodeURIComponent(site)}`;
  const fetchFn: FetchLike = options.fetch ?? ((url, init) => globalThis.fetch(url, init));
  const request = createRequest(base, fetchFn);
  const authed = <T>(method: string, path: string, body?: unknown) =>
    request<T>(method, path, body === undefined ? { token } : { token, body });

  const $queue = atom<QueueSnapshot>(emptyQueue());
  const $audit = atom<AuditSnapshot>({
    state: 'loading',
    entries: [],
    nextCursor: null,
    loadingMore: false,
    error: null,
  });
  const $connection = atom<StaffConnectionState>('idle');
  const $slowMode = atom<number | null>(null);
  let recent: LifeboatEvent[] = [];
  /** Events at or below this sequence are in the queue snapshot; -1 before the first one. */
  let queueSeq = -1;
  let queueRun = 0;
  let auditRun = 0;
  let queueMounted = false;
  let auditMounted = false;

  const stream = createStaffStream({
    url: `${base}/moderation/stream`,
    token,
    fetch: fetchFn,
    $connection,
    handlers: {
      event(event) {
        recent.push(event);
        if (recent.length > RECENT) recent.shift();
        applyToQueue(event);
        if (event.type === 'moderation.audit') {
          prependAudit([event.entry]);
          applySlowMode(event.entry);
        }
        if ((event.type === 'spike.detected' || event.type === 'spike.updated') && spikesMounted)
          spikes.apply(event.spike);
      },
      reset() {
        recent = [];
        if (spikesMounted) void spikes.load();
        if (queueMounted) void loadQueue();
        if (auditMounted) void loadAudit();
      },
    },
  });

  function authFailureOf(error: LifeboatError): void {
    if (error.status === 401 || error.status === 403) $connection.set('unauthorized');
  }
  const spikes = createSpikes(authed, authFailureOf);
  let spikesMounted = false;
  // Spikes: fetched on first listen, live through the queue's stream (as the audit log).
  onMount(spikes.$spikes, () => {
    spikesMounted = true;
    const unlistenQueue = $queue.listen(() => {});
    void spikes.load();
    return () => {
      spikesMounted = false;
      spikes.reset();
      unlistenQueue();
    };
  });

  const setQueue = (patch: Partial<QueueSnapshot>) => $queue.set({ ...peek($queue), ...patch });
  const setAudit = (patch: Partial<AuditSnapshot>) => $audit.set({ ...peek($audit), ...patch });

  function applyToQueue(event: LifeboatEvent): void {
    const snapshot = peek($queue);
    if (snapshot.state !== 'ready' || event.seq <= queueSeq) return;
    const items = reduceQueue(snapshot.items, event);
    if (items !== snapshot.items) setQueue({ items });
  }

  function prependAudit(entries: AuditEntry[]): void {
    const snapshot = peek($audit);
    if (snapshot.state !== 'ready') return;
    const fresh = entries.filter((e) => !snapshot.entries.some((x) => x.id === e.id));
    if (fresh.length) setAudit({ entries: [...fresh, ...snapshot.entries] });
  }

  function applySlowMode(entry: AuditEntry): void {
    const seconds = entry.detail?.seconds;
    if (entry.action === 'slow_mode' && typeof seconds === 'number') $slowMode.set(seconds);
  }

  function authFailure(error: LifeboatError): void {
    if (error.status === 401 || error.status === 403) $connection.set('unauthorized');
  }

  async function loadQueue(): Promise<void> {
    const run = ++queueRun;
    if (peek($queue).state === 'error') setQueue({ state: 'loading', error: null });
    try {
      const [pending, flagged] = await Promise.all([
        authed<ModerationQueue>('GET', '/moderation/queue?queue=pending'),
        authed<ModerationQueue>('GET', '/moderation/queue?queue=flagged'),
      ]);
      if (run !== queueRun) return;
      queueSeq = Math.min(pending.lastEventId, flagged.lastEventId);
      let items: QueueItem[] = [];
      for (const item of [...pending.items, ...flagged.items]) {
        if (!items.some((i) => i.post.id === item.post.id)) items.push(item);
      }
      // An action in flight keeps its post out of the list until it settles.
      const acting = peek($queue).acting;
      items = items.filter((i) => {
        const action = acting[i.post.id];
        return !(action && CLEARING_ACTIONS.has(action));
      });
      setQueue({ state: 'ready', items, error: null });
      stream.seed(queueSeq);
      for (const event of recent) applyToQueue(event);
    } catch (error) {
      if (run !== queueRun) return;
      const failure = toLifeboatError(error);
      authFailure(failure);
      setQueue({ state: 'error', error: failure });
    }
  }

  async function loadAudit(): Promise<void> {
    const run = ++auditRun;
    if (peek($audit).state === 'error') setAudit({ state: 'loading', error: null });
    try {
      const page = await authed<AuditPage>('GET', '/moderation/audit');
      if (run !== auditRun) return;
      // Entries the stream prepended while the page was on its way stay on top.
      const ids = new Set(page.entries.map((e) => e.id));
      const live = peek($audit).entries.filter((e) => !ids.has(e.id));
      setAudit({
        state: 'ready',
        entries: [...live, ...page.entries],
        nextCursor: page.nextCursor,
        loadingMore: false,
        error: null,
      });
    } catch (error) {
      if (run !== auditRun) return;
      const failure = toLifeboatError(error);
      authFailure(failure);
      setAudit({ state: 'error', error: failure });
    }
  }

  onMount($queue, () => {
    queueMounted = true;
    stream.acquire();
    void loadQueue();
    return () => {
      queueMounted = false;
      queueRun++;
      queueSeq = -1;
      $queue.set(emptyQueue());
      stream.release();
    };
  });

  // The stream starts where the queue snapshot ends, so the audit log holds the queue too.
  onMount($audit, () => {
    auditMounted = true;
    const unlistenQueue = $queue.listen(() => {});
    void loadAudit();
    return () => {
      auditMounted = false;
      auditRun++;
      unlistenQueue();
    };
  });

  // Slow mode: read from the policy once, then live through the queue's stream.
  onMount($slowMode, () => {
    const unlistenQueue = $queue.listen(() => {});
    authed<SitePolicy>('GET', '/moderation/policy').then(
      (policy) => {
        if ($slowMode.value === null) $slowMode.set(policy.slowModeSeconds);
      },
      (error: unknown) => authFailure(toLifeboatError(error)),
    );
    return unlistenQueue;
  });

  /** Runs one action with an optimistic change of the queue and a rollback on failure. */
  async function withQueueChange<T>(
    postIds: string[],
    action: ModerationActionName,
    apply: (items: QueueItem[]) => QueueItem[],
    rollback: (items: QueueItem[]) => QueueItem[],
    send: () => Promise<T>,
  ): Promise<T> {
    const before = peek($queue);
    const acting = { ...before.acting };
    const failures = { ...before.failures };
    for (const id of postIds) {
      acting[id] = action;
      delete failures[id];
    }
    setQueue({
      items: before.state === 'ready' ? apply(before.items) : before.items,
      acting,
      failures,
    });
    const settle = (error?: LifeboatError) => {
      const now = peek($queue);
      const nextActing = { ...now.acting };
      const nextFailures = { ...now.failures };
      for (const id of postIds) {
        if (nextActing[id] === action) delete nextActing[id];
        if (error) nextFailures[id] = { action, error };
      }
      setQueue({
        items: error && now.state === 'ready' ? rollback(now.items) : now.items,
        acting: nextActing,
        failures: nextFailures,
      });
    };
    try {
      const result = await send();
      settle();
      return result;
    } catch (error) {
      const failure = toLifeboatError(error);
      authFailure(failure);
      settle(failure);
      throw failure;
    }
  }

  const body = (action: string, reason: string | null | undefined, extra = {}) => ({
    action,
    reason: reason?.trim() ? reason.trim() : null,
    ...extra,
  });

  function afterAction(entry: AuditEntry): void {
    prependAudit([entry]);
  }

  return {
    server,
    site,
    $queue,
    $audit,
    $connection,
    $slowMode,
    $spikes: spikes.$spikes,
    spikeAction: (spikeId, action) => spikes.act(spikeId, action),

    async act(postId, action, reason) {
      const items = peek($queue).items;
      const index = items.findIndex((i) => i.post.id === postId);
      const original = items[index];
      const clears = CLEARING_ACTIONS.has(action);
      const result = await withQueueChange(
        [postId],
        action,
        (list) =>
          clears
            ? removeItem(list, postId)
            : list.map((i) =>
                i.post.id === postId ? { ...i, post: optimisticPost(i.post, action) } : i,
              ),
        (list) =>
          !original
            ? list
            : clears
              ? restoreItem(list, original, index)
              : list.map((i) => (i.post.id === postId ? original : i)),
        () =>
          authed<PostActionResult>(
            'POST',
            `/moderation/posts/${encodeURIComponent(postId)}`,
            body(action, reason),
          ),
      );
      if (!clears) {
        const now = peek($queue);
        if (now.items.some((i) => i.post.id === postId)) {
          setQueue({
            items: now.items.map((i) => (i.post.id === postId ? { ...i, post: result.post } : i)),
          });
        }
      }
      afterAction(result.entry);
      return result;
    },

    async lockIncident(incidentId, reason) {
      return incidentAction(incidentId, 'lock', reason);
    },
    async unlockIncident(incidentId, reason) {
      return incidentAction(incidentId, 'unlock', reason);
    },

    async ban(memberId, reason, hours) {
      return memberAction(memberId, 'ban', reason, hours);
    },
    async unban(memberId, reason) {
      return memberAction(memberId, 'unban', reason);
    },

    async setSlowMode(seconds, reason) {
      const before = $slowMode.value ?? null;
      $slowMode.set(seconds);
      try {
        const result = await authed<{ policy: SitePolicy; entry: AuditEntry }>(
          'PUT',
          '/moderation/slow-mode',
          { seconds, reason: reason?.trim() ? reason.trim() : null },
        );
        $slowMode.set(result.policy.slowModeSeconds);
        afterAction(result.entry);
        return result;
      } catch (error) {
        const failure = toLifeboatError(error);
        if ($slowMode.value === seconds) $slowMode.set(before);
        authFailure(failure);
        throw failure;
      }
    },

    async loadMoreAudit() {
      const { state, nextCursor, loadingMore } = peek($audit);
      if (state !== 'ready' || !nextCursor || loadingMore) return;
      const run = auditRun;
      setAudit({ loadingMore: true, error: null });
      try {
        const page = await authed<AuditPage>(
          'GET',
          `/moderation/audit?cursor=${encodeURIComponent(nextCursor)}`,
        );
        if (run !== auditRun) return;
        const ids = new Set(peek($audit).entries.map((e) => e.id));
        setAudit({
          entries: [...peek($audit).entries, ...page.entries.filter((e) => !ids.has(e.id))],
          nextCursor: page.nextCursor,
          loadingMore: false,
        });
      } catch (error) {
        const failure = toLifeboatError(error);
        if (run === auditRun) setAudit({ loadingMore: false, error: failure });
        throw failure;
      }
    },

    retry() {
      if (queueMounted && peek($queue).state === 'error') void loadQueue();
      if (spikesMounted && peek(spikes.$spikes).state === 'error') void spikes.load();
      if (auditMounted) {
        const audit = peek($audit);
        if (audit.state === 'error') void loadAudit();
        else if (audit.error) void this.loadMoreAudit().catch(() => {});
      }
      stream.wake();
    },

    close() {
      stream.close();
      queueRun++;
      auditRun++;
    },
  };

  async function incidentAction(
    incidentId: string,
    action: 'lock' | 'unlock',
    reason: string | null | undefined,
  ): Promise<{ incident: Incident; entry: AuditEntry }> {
    try {
      const result = await authed<{ incident: Incident; entry: AuditEntry }>(
        'POST',
        `/moderation/incidents/${encodeURIComponent(incidentId)}`,
        body(action, reason),
      );
      afterAction(result.entry);
      return result;
    } catch (error) {
      const failure = toLifeboatError(error);
      authFailure(failure);
      throw failure;
    }
  }

  async function memberAction(
    memberId: string,
    action: 'ban' | 'unban',
    reason: string | null | undefined,
    hours?: number | null,
  ): Promise<{ entry: AuditEntry }> {
    const banned = action === 'ban';
    const affected = peek($queue)
      .items.filter((i) => i.author.id === memberId)
      .map((i) => i.post.id);
    const result = await withQueueChange(
      affected,
      action,
      (items) => markBanned(items, memberId, banned),
      (items) => markBanned(items, memberId, !banned),
      () =>
        authed<{ entry: AuditEntry }>(
          'POST',
          `/moderation/members/${encodeURIComponent(memberId)}`,
          body(action, reason, hours ? { hours } : {}),
        ),
    );
    afterAction(result.entry);
    return result;
  }
}
