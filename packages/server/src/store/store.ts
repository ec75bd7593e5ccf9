/**
 * The storage interface. Async so a PostgreSQL engine can implement it; SQLite is the embedded
 * default. Every mutation writes its event row in the same transaction and returns the new
 * sequence, so the caller tells the hub only after commit.
 */
import type { SqlEarlyWarning } from './sql-early-warning.js';
import type { SqlReputation } from './sql-reputation.js';
import type {
  ComponentStatus,
  Impact,
  Incident,
  IncidentPhase,
  LifeboatEvent,
  MemberIncidentState,
  MemberKind,
  MemberRole,
  MemberExport,
  MemberSummary,
  Post,
  PostKind,
  PostState,
  ReactionKind,
  ThreadState,
  WorkaroundFields,
  ModerationReason,
  SitePolicy,
  IncidentReport,
  SiteInsights,
} from '@lifeboat/protocol';
import type {
  IncidentChange,
  IncidentChangeOutcome,
  SitePatch,
  SiteWriteOutcome,
  StatusSourceState,
  UpstreamSnapshot,
} from './status-types.js';
import type { EraseOutcome, SiteSsoConfig, SsoProfile } from './identity-types.js';
import type {
  ActiveBan,
  AuditActor,
  AuditInput,
  AuditPage,
  AuthorStanding,
  FlagOutcome,
  FlagRequest,
  IncidentModerationAction,
  MemberModerationAction,
  ModerateIncidentOutcome,
  ModerateMemberOutcome,
  ModeratePostOutcome,
  ModerationQueue,
  PolicyWriteOutcome,
  PostModerationAction,
} from './moderation-types.js';

export type * from './status-types.js';
export type * from './identity-types.js';
export type * from './moderation-types.js';

export interface SiteRecord {
  id: string;
  slug: string;
  name: string;
  origins: string[];
  eventSeq: number;
  createdAt: string;
  /** The upstream status page this site follows (migration 2); null or absent: manual incidents. */
  statusUrl?: string | null;
  /** Poll interval for `statusUrl`; null or absent: the server default. */
  pollIntervalMs?: number | null;
}

export interface ComponentRecord {
  id: string;
  name: string;
  status: ComponentStatus;
  group: string | null;
  position: number;
}

export interface MemberRecord {
  id: string;
  siteId: string;
  kind: MemberKind;
  displayName: string;
  role: MemberRole;
  createdAt: string;
  /** SSO members: the host site's own id (claim `id`), unique per site. Migration 5. */
  externalId?: string | null;
  /** SSO members: from the verified claims. */
  avatarUrl?: string | null;
  badges?: string[];
  /** Guests: HMAC of IP + User-Agent (auth/fingerprint.ts), for bans. */
  fingerprint?: string | null;
  /** Set when the member erased their data; their tokens stop working. */
  deletedAt?: string | null;
}

export interface StoredEvent {
  seq: number;
  type: LifeboatEvent['type'];
  /** The whole LifeboatEvent as JSON text, sent as SSE `data:` verbatim. */
  payload: string;
  /** `staff`: only the moderation stream sends it (absent: public). */
  audience?: 'public' | 'staff';
}

export interface NewIncident {
  id: string;
  title: string;
  phase: IncidentPhase;
  impact: Impact;
  components: string[];
  startedAt: string;
  resolvedAt: string | null;
  threadState: ThreadState;
  updates: Array<{ id: string; phase: IncidentPhase; body: string; createdAt: string }>;
}

export interface NewPost {
  siteId: string;
  incidentId: string;
  memberId: string;
  id: string;
  kind: PostKind;
  body: string;
  parentId: string | null;
  workaround: WorkaroundFields | null;
  state: PostState;
  /** Why a `pending` post waits for review (shown in the moderation queue). */
  moderationReasons?: ModerationReason[];
  /**
   * Slow mode: refuse the post when the member's previous one is younger than this (checked
   * after the idempotency replay, so a retried request is still answered). 0 or absent: off.
   */
  slowModeSeconds?: number;
  /** Idempotency: the key and a hash of the request; null for internal writes (seed). */
  idempotency: { key: string; requestHash: string } | null;
  createdAt?: string;
}

export type CreatePostOutcome =
  | { kind: 'created'; post: Post; seq: number }
  | { kind: 'replayed'; post: Post }
  | { kind: 'idempotency_mismatch' }
  | { kind: 'id_conflict' }
  /** The member was erased meanwhile (their session is no longer valid). */
  | { kind: 'member_erased' }
  | { kind: 'incident_not_found' }
  | { kind: 'thread_locked'; threadState: ThreadState }
  | { kind: 'bad_parent'; message: string }
  | { kind: 'slow_mode'; retryAfter: number };

export type ReactionOutcome =
  | {
      kind: 'ok';
      postId: string;
      reaction: ReactionKind | null;
      counts: { worked: number; didntWork: number };
      /** Set when something changed (and an event was written). */
      seq: number | null;
    }
  | { kind: 'post_not_found' };

export type MergeOutcome =
  | { kind: 'merged'; merged: Post; into: Post; seq: number }
  | { kind: 'post_not_found'; which: 'post' | 'into' }
  | { kind: 'already_hidden' }
  /** The post to merge still waits for review: approve or reject it first. */
  | { kind: 'pending' }
  | { kind: 'invalid'; message: string };

/** The author's change of a post (body, and workaround fields for a workaround). */
export interface PostChange {
  body: string;
  workaround: WorkaroundFields | null;
  /**
   * Set when the edited text trips a moderation rule: the post goes (back) to `pending` with
   * these reasons and leaves public view until a moderator approves it.
   */
  moderationReasons?: ModerationReason[];
}

/** Author edit/delete rules: own post, within the edit window, not deleted, thread open. */
export interface OwnPostOptions {
  /** How long after creation the author may edit or delete. */
  windowMs: number;
  /** The time of the change (tests inject a clock). */
  at?: string;
}

export type OwnPostOutcome =
  | { kind: 'ok'; post: Post; seq: number | null }
  | { kind: 'post_not_found' }
  | { kind: 'not_owner' }
  | { kind: 'window_closed' }
  | { kind: 'deleted' }
  | { kind: 'thread_locked'; threadState: ThreadState }
  | { kind: 'invalid'; field: string; message: string };

export type AffectedOutcome =
  | { kind: 'ok'; affected: boolean; count: number; seq: number | null }
  | { kind: 'incident_not_found' };

/** Reports made in one time window (`start` is an ISO time). */
export interface AffectedBucket {
  start: string;
  count: number;
}

export interface ThreadSlice {
  threadState: ThreadState;
  posts: Post[];
  /** Id of the last post when more follow, else null. */
  lastIdWhenMore: string | null;
}

/** A reader's order of a thread's top-level posts (docs/thread.md). */
export type ThreadOrder = 'helpful' | 'newest';
/** The sort key of a top-level post in a `ThreadOrder`: what a cursor of that order holds. */
export type ThreadOrderKey = Array<number | string>;

export interface ThreadOrderSlice {
  threadState: ThreadState;
  /** `limit` top-level posts in order, then all published replies of those posts. */
  posts: Post[];
  /** Key of the last top-level post when more follow, else null. */
  lastKeyWhenMore: ThreadOrderKey | null;
}

export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  close(): Promise<void>;
  /** One trivial query: resolves when the database answers (readiness checks). */
  ping(): Promise<void>;

  // sites and components
  getSiteBySlug(slug: string): Promise<SiteRecord | null>;
  getSiteById(id: string): Promise<SiteRecord | null>;
  createSite(input: { slug: string; name: string; origins: string[] }): Promise<SiteRecord>;
  replaceComponents(
    siteId: string,
    components: Array<Omit<ComponentRecord, 'position'>>,
  ): Promise<void>;
  listComponents(siteId: string): Promise<ComponentRecord[]>;

  // incidents
  /** Creates an incident with its official updates; writes `incident.opened`. */
  createIncident(
    siteId: string,
    incident: NewIncident,
  ): Promise<{ incident: Incident; seq: number }>;
  listIncidents(siteId: string, state: 'open' | 'all'): Promise<Incident[]>;
  getIncident(siteId: string, incidentId: string): Promise<Incident | null>;
  threadSlice(
    siteId: string,
    incidentId: string,
    afterId: string | null,
    limit: number,
  ): Promise<ThreadSlice | null>;
  /** Published top-level posts in `order` after the `after` key, with their replies. */
  threadOrderSlice(
    siteId: string,
    incidentId: string,
    order: ThreadOrder,
    after: ThreadOrderKey | null,
    limit: number,
  ): Promise<ThreadOrderSlice | null>;
  memberIncidentState(
    siteId: string,
    incidentId: string,
    memberId: string,
  ): Promise<MemberIncidentState | null>;

  // members
  createMember(input: {
    siteId: string;
    kind: MemberKind;
    displayName: string;
    role: MemberRole;
    createdAt?: string;
    fingerprint?: string | null;
  }): Promise<MemberRecord>;
  getMember(siteId: string, memberId: string): Promise<MemberRecord | null>;
  renameMember(siteId: string, memberId: string, displayName: string): Promise<MemberRecord | null>;
  /** Members of a site of one kind (e.g. staff from `lifeboat staff add`), oldest first; erased ones left out. */
  listMembers(siteId: string, kind: MemberKind): Promise<MemberRecord[]>;
  /** Changes a member's role (e.g. `lifeboat staff remove`); null when there is no such member. */
  setMemberRole(siteId: string, memberId: string, role: MemberRole): Promise<MemberRecord | null>;

  // identity (store/sqlite-members.ts)
  /** Creates or refreshes the member of a verified host-site token (by external id). */
  upsertSsoMember(siteId: string, profile: SsoProfile): Promise<MemberRecord>;
  /** The site's host-token verification keys (`sites.sso`). */
  getSiteSso(siteId: string): Promise<SiteSsoConfig>;
  setSiteSso(siteId: string, sso: SiteSsoConfig): Promise<void>;
  /** Everything stored about a member (their own posts in every state). */
  exportMember(siteId: string, memberId: string): Promise<MemberExport | null>;
  /**
   * Erases a member in one transaction: posts become tombstones, reactions, affected reports
   * and flags are removed with counts recomputed, the profile is blanked; writes the events
   * open pages need. Null when the member does not exist (or was erased before).
   */
  eraseMember(siteId: string, memberId: string, at?: string): Promise<EraseOutcome | null>;

  // community writes (each in one transaction with its event)
  createPost(input: NewPost): Promise<CreatePostOutcome>;
  setReaction(
    siteId: string,
    postId: string,
    memberId: string,
    kind: ReactionKind | null,
    at?: string,
  ): Promise<ReactionOutcome>;
  setAffected(
    siteId: string,
    incidentId: string,
    memberId: string,
    affected: boolean,
    at?: string,
  ): Promise<AffectedOutcome>;
  /** "Affected" reports per window over the last `buckets × bucketMinutes`, oldest first. */
  affectedHistory(
    siteId: string,
    incidentId: string,
    bucketMinutes: number,
    buckets: number,
  ): Promise<AffectedBucket[] | null>;
  /** The author edits a post within the window; writes `post.updated` (with `editedAt`). */
  editPost(
    siteId: string,
    postId: string,
    memberId: string,
    change: PostChange,
    options: OwnPostOptions,
  ): Promise<OwnPostOutcome>;
  /** The author deletes a post within the window: a tombstone; writes `post.updated`. */
  deletePost(
    siteId: string,
    postId: string,
    memberId: string,
    options: OwnPostOptions,
  ): Promise<OwnPostOutcome>;

  // workarounds
  /** Published workarounds of an incident, oldest first, at most `limit`. */
  listWorkarounds(siteId: string, incidentId: string, limit: number): Promise<Post[]>;
  /**
   * Staff merge of a duplicate into another post (one transaction, `post.updated` for both, and
   * the audit entry when `audit` is given).
   */
  mergePost(
    siteId: string,
    postId: string,
    intoId: string,
    at?: string,
    audit?: { actor: AuditActor; reason: string | null },
  ): Promise<MergeOutcome>;

  // moderation (store/sqlite-moderation.ts; ADR 0010)
  /** The site's policy, its stored JSON read over the defaults. */
  getSitePolicy(siteId: string): Promise<SitePolicy>;
  /** Display names of the site's staff and moderators (kept from guests, issue 16). */
  staffNames(siteId: string): Promise<string[]>;
  /** Stores a whole policy with its audit entry (`policy`, or `slow_mode` from staff). */
  setSitePolicy(
    siteId: string,
    policy: SitePolicy,
    audit: Omit<AuditInput, 'target'>,
  ): Promise<PolicyWriteOutcome>;
  /** Published posts, latest post time and active ban of a member (posting rules). */
  authorStanding(siteId: string, memberId: string): Promise<AuthorStanding>;
  /** The active ban of a member or a guest fingerprint on a site, if any. */
  activeBan(
    siteId: string,
    who: { memberId?: string | null; fingerprint?: string | null },
  ): Promise<ActiveBan | null>;
  moderationQueue(
    siteId: string,
    queue: 'pending' | 'flagged',
    limit: number,
  ): Promise<ModerationQueue>;
  /** Posts of the site waiting for review (the pending queue's length; metrics). */
  pendingPostCount(siteId: string): Promise<number>;
  moderatePost(
    siteId: string,
    postId: string,
    action: PostModerationAction,
    actor: AuditActor,
    reason: string | null,
  ): Promise<ModeratePostOutcome>;
  moderateIncident(
    siteId: string,
    incidentId: string,
    action: IncidentModerationAction,
    actor: AuditActor,
    reason: string | null,
  ): Promise<ModerateIncidentOutcome>;
  moderateMember(
    siteId: string,
    memberId: string,
    action: MemberModerationAction,
    actor: AuditActor,
    reason: string | null,
    hours: number | null,
  ): Promise<ModerateMemberOutcome>;
  /** A member's flag on a published post (one per member; a repeat updates it). */
  flagPost(
    siteId: string,
    postId: string,
    memberId: string,
    flag: FlagRequest,
  ): Promise<FlagOutcome>;
  /** The audit log, newest first; `cursor` is the last id of the previous page. */
  auditPage(siteId: string, cursor: string | null, limit: number): Promise<AuditPage>;

  // site management and status sources (store/sqlite-status.ts)
  listSites(): Promise<SiteRecord[]>;
  updateSite(siteId: string, patch: SitePatch): Promise<SiteWriteOutcome<SiteRecord>>;
  getStatusSourceState(siteId: string): Promise<StatusSourceState | null>;
  /** Records a failed or not-modified poll (no incident changes, no events). */
  recordPoll(
    siteId: string,
    url: string,
    result: { ok: true; at: string } | { ok: false; at: string; error: string },
  ): Promise<StatusSourceState>;
  /**
   * Applies a good upstream copy in one transaction: components replaced, incidents opened,
   * updated or resolved (one event each), maintenances kept (one `maintenance.updated` for each
   * that appeared, changed or ended). Returns the sequences written.
   */
  applyUpstream(siteId: string, snapshot: UpstreamSnapshot): Promise<number[]>;
  /** A staff change to an incident; writes `incident.updated` or `incident.resolved`. */
  changeIncident(
    siteId: string,
    incidentId: string,
    change: IncidentChange,
  ): Promise<IncidentChangeOutcome>;
  /** Locks the threads of incidents resolved at or before `resolvedBefore` (`incident.updated`). */
  lockResolvedThreads(resolvedBefore: string): Promise<Array<{ siteId: string; seq: number }>>;
  /**
   * Archives the threads resolved longer ago than their site's `archiveAfterDays` (open or locked
   * → archived, `incident.updated`; store/sql-lifecycle.ts).
   */
  archiveResolvedThreads(now: number): Promise<Array<{ siteId: string; seq: number }>>;
  /** The thread state of a post's incident or of an incident; null when not on the site. */
  threadStateOf(
    siteId: string,
    target: { postId: string } | { incidentId: string },
  ): Promise<ThreadState | null>;

  // reports (store/sql-report.ts, docs/insights.md)
  /** The post-incident report of one incident; null when it is not on the site. */
  incidentReport(
    siteId: string,
    incidentId: string,
    options: { now: number; bucketMinutes?: number },
  ): Promise<IncidentReport | null>;
  /** Per-incident summaries of the incidents started in the last `days` days. */
  siteInsights(siteId: string, days: number, now: number): Promise<SiteInsights>;

  // reputation and early warning (issue 12: store/sql-reputation.ts, store/sql-early-warning.ts)
  readonly reputation: SqlReputation;
  readonly earlyWarning: SqlEarlyWarning;

  // events
  /** Events with seq > after, oldest first, at most `limit` (staff ones included, with `audience`). */
  eventsAfter(siteId: string, after: number, limit: number): Promise<StoredEvent[]>;
  /** Current sequence and the oldest retained one (null when none is kept). */
  eventBounds(
    siteId: string,
  ): Promise<{ current: number; oldest: number | null; lastAt: string | null }>;
}

/**
 * The public face of a member. `staff` comes from the role of a verified identity only (an SSO
 * member's signed claim, or a staff member made with the admin key/CLI), never for a guest.
 */
export function memberSummary(
  member: Pick<MemberRecord, 'id' | 'displayName' | 'role' | 'kind'> &
    Partial<Pick<MemberRecord, 'avatarUrl' | 'badges'>>,
): MemberSummary {
  const verified = member.kind === 'sso' || member.kind === 'staff';
  return {
    id: member.id,
    displayName: member.displayName,
    role: member.role,
    staff: verified && (member.role === 'staff' || member.role === 'moderator'),
    ...(verified && member.avatarUrl ? { avatarUrl: member.avatarUrl } : {}),
    ...(verified && member.badges?.length ? { badges: member.badges } : {}),
  };
}
