import type {
  AuditEntry,
  Incident,
  Maintenance,
  ModerationActionName,
  Post,
  QueueItem,
} from './resources.js';
import type { Spike } from './early-warning.js';

/**
 * Events on the SSE stream `GET /v1/sites/:site/stream`. The SSE `id:` is the per-site event
 * sequence; the SSE `event:` is `type`; `data:` is the JSON of the whole event object.
 */
/** Events every page's stream carries. */
export type PublicEvent =
  | { type: 'post.created'; seq: number; post: Post }
  | { type: 'post.updated'; seq: number; post: Post }
  | {
      type: 'reaction.changed';
      seq: number;
      incidentId: string;
      postId: string;
      counts: { worked: number; didntWork: number };
      /** The post's recomputed helpfulness score (absent from servers before it existed). */
      score?: number;
    }
  | { type: 'affected.changed'; seq: number; incidentId: string; count: number }
  | { type: 'incident.opened'; seq: number; incident: Incident }
  | { type: 'incident.updated'; seq: number; incident: Incident }
  | { type: 'incident.resolved'; seq: number; incident: Incident }
  /**
   * An upstream maintenance appeared, changed (status, times, title, components, a new update)
   * or ended. `maintenance.status` says which phase; `completed` also for one that left the
   * upstream's list of upcoming and active maintenances.
   */
  | { type: 'maintenance.updated'; seq: number; maintenance: Maintenance };

/** Staff-only events (audience `staff`): only on `GET /v1/sites/:site/moderation/stream`. */
export type StaffEvent =
  | { type: 'moderation.queued'; seq: number; item: QueueItem }
  | { type: 'moderation.cleared'; seq: number; postId: string; action: ModerationActionName }
  | { type: 'moderation.audit'; seq: number; entry: AuditEntry }
  /** Early warning (docs/early-warning.md): a spike of problem reports, and staff acting on it. */
  | { type: 'spike.detected'; seq: number; spike: Spike }
  | { type: 'spike.updated'; seq: number; spike: Spike };

export type LifeboatEvent = PublicEvent | StaffEvent;

export type LifeboatEventType = LifeboatEvent['type'];

export const EVENT_TYPES: readonly PublicEvent['type'][] = [
  'post.created',
  'post.updated',
  'reaction.changed',
  'affected.changed',
  'incident.opened',
  'incident.updated',
  'incident.resolved',
  'maintenance.updated',
];

/** Events only staff streams carry (never the public stream or its replay). */
export const STAFF_EVENT_TYPES: readonly StaffEvent['type'][] = [
  'moderation.queued',
  'moderation.cleared',
  'moderation.audit',
  'spike.detected',
  'spike.updated',
];

/**
 * Control messages on the stream that are not stored events:
 * - `reset`: the requested `Last-Event-ID` is older than what the server keeps; refetch snapshots,
 *   then continue from `data.lastEventId`.
 * - `ready`: sent once after replay, with the current sequence.
 * - `poll`: the instance holds too many streams; poll the snapshots (with If-None-Match) every
 *   `interval` ms and open the stream again after `retryAfter` seconds. The stream then ends.
 * Heartbeats are SSE comments (`: hb`).
 */
export interface StreamControl {
  reset: { lastEventId: number };
  ready: { lastEventId: number };
  poll: PollSignal;
}

/** The data of a `poll` control message (docs/server/stream.md). */
export interface PollSignal {
  /** Milliseconds between snapshot polls. */
  interval: number;
  /** Seconds before streaming again. */
  retryAfter: number;
}
