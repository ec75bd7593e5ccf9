/**
 * The public shape of a moderation client (`createModeration()` from `@lifeboat/sdk/moderation`).
 * `<lifeboat-moderation>` depends on this interface only; its tests build a fake from real atoms.
 */
import type {
  AuditEntry,
  Incident,
  ModerationActionName,
  Post,
  PostModerationAction,
  QueueItem,
  SitePolicy,
} from '@lifeboat/protocol';
import type { ReadableAtom } from 'nanostores';
import type { ConnectionState, LifeboatError } from '../client-types.js';
import type { SpikeAction, SpikeActionResult, SpikesSnapshot } from './spikes.js';

/**
 * The staff stream's state: the public stream's states, plus `unauthorized` when the server
 * refused the token (401/403) — reconnecting would not help.
 */
export type StaffConnectionState = ConnectionState | 'unauthorized';

/** An action that failed: the queue item is back, with the error to show next to it. */
export interface QueueFailure {
  action: ModerationActionName;
  error: LifeboatError;
}

export interface QueueSnapshot {
  state: 'loading' | 'ready' | 'error';
  /** Pending and flagged posts in server order; live items are added at the end. */
  items: QueueItem[];
  /** Posts with an action in flight (optimistic), by post id. */
  acting: Readonly<Record<string, ModerationActionName>>;
  /** The last failed action per post id, until the next action on that post. */
  failures: Readonly<Record<string, QueueFailure>>;
  /** Why the queue could not be loaded (state `error`; 401/403 for a refused token). */
  error: LifeboatError | null;
}

export interface AuditSnapshot {
  state: 'loading' | 'ready' | 'error';
  /** Newest first; live entries are prepended. */
  entries: AuditEntry[];
  nextCursor: string | null;
  loadingMore: boolean;
  error: LifeboatError | null;
}

/** `POST …/moderation/posts/:post`. */
export interface PostActionResult {
  post: Post;
  entry: AuditEntry;
}

export interface ModerationClient {
  readonly server: string;
  readonly site: string;

  /** Pending and flagged posts; lazy: fetched on first listen, kept live by the staff stream. */
  readonly $queue: ReadableAtom<QueueSnapshot>;
  /** The audit log, newest first; lazy like the queue, live entries prepended. */
  readonly $audit: ReadableAtom<AuditSnapshot>;
  /** The staff stream's state. */
  readonly $connection: ReadableAtom<StaffConnectionState>;
  /**
   * The site's slow mode in seconds (0: off), null until the policy is read. Lazy like the
   * queue; kept live from the audit events of any moderator's change.
   */
  readonly $slowMode: ReadableAtom<number | null>;

  /**
   * Acts on a post. Optimistic: approve, reject, remove, hide and restore take the post out of
   * the queue at once, verify/unverify and pin/unpin change it in place; a failure puts it back
   * and records the error in `$queue.failures`. Rejects with a LifeboatError.
   */
  act(
    postId: string,
    action: PostModerationAction,
    reason?: string | null,
  ): Promise<PostActionResult>;
  /** Locks an incident's thread (no new posts). */
  lockIncident(
    incidentId: string,
    reason?: string | null,
  ): Promise<{ incident: Incident; entry: AuditEntry }>;
  unlockIncident(
    incidentId: string,
    reason?: string | null,
  ): Promise<{ incident: Incident; entry: AuditEntry }>;
  /** Bans a member (and a guest's fingerprint) from the site, for `hours` or for good. Optimistic. */
  ban(
    memberId: string,
    reason?: string | null,
    hours?: number | null,
  ): Promise<{ entry: AuditEntry }>;
  unban(memberId: string, reason?: string | null): Promise<{ entry: AuditEntry }>;
  /** One post per member per `seconds`; 0 switches slow mode off. Optimistic, with rollback. */
  setSlowMode(
    seconds: number,
    reason?: string | null,
  ): Promise<{ policy: SitePolicy; entry: AuditEntry }>;
  /**
   * Early warning (docs/early-warning.md): the spikes of the last 7 days, newest first; lazy like
   * the queue, kept live by `spike.detected` / `spike.updated` on the staff stream.
   */
  readonly $spikes?: ReadableAtom<SpikesSnapshot>;
  /** Confirms (public), dismisses or declares (a manual incident) a spike. Rejects with a LifeboatError. */
  spikeAction?(spikeId: string, action: SpikeAction): Promise<SpikeActionResult>;
  /** Loads the next (older) page of the audit log. */
  loadMoreAudit(): Promise<void>;
  /** Fetches again what failed and reconnects the stream now if it waits to. */
  retry(): void;
  /** Closes the stream and stops every store. */
  close(): void;
}
