/**
 * Lifeboat resource types: what the /v1 API returns and what travels on the live stream.
 * Pure types — the SDK imports these without pulling TypeBox into the browser.
 */

import type { EmailSubscriptionRecord } from './email.js';

/** Incident lifecycle, as on Atlassian Statuspage. */
export type IncidentPhase = 'investigating' | 'identified' | 'monitoring' | 'resolved';
export const INCIDENT_PHASES: readonly IncidentPhase[] = [
  'investigating',
  'identified',
  'monitoring',
  'resolved',
];

/** Incident impact, lowest to highest. */
export type Impact = 'none' | 'minor' | 'major' | 'critical';
export const IMPACTS: readonly Impact[] = ['none', 'minor', 'major', 'critical'];

/** Component state, as on Atlassian Statuspage. */
export type ComponentStatus =
  'operational' | 'under_maintenance' | 'degraded_performance' | 'partial_outage' | 'major_outage';

/** Overall severity of a site: the worst of indicator, open incidents and components. */
export type Severity = 'operational' | 'maintenance' | 'minor' | 'major' | 'critical';

export type ThreadState = 'open' | 'locked' | 'archived';
export type PostKind = 'answer' | 'reply' | 'workaround';
export type PostState = 'pending' | 'published' | 'hidden' | 'removed';
export type ReactionKind = 'worked' | 'didnt_work';
export type MemberRole = 'member' | 'staff' | 'moderator';
export type MemberKind = 'guest' | 'sso' | 'staff';
export type WorkaroundRisk = 'safe' | 'temporary' | 'risky';

export interface StatusComponent {
  id: string;
  name: string;
  status: ComponentStatus;
  group?: string | null;
}

export interface IncidentUpdate {
  id: string;
  phase: IncidentPhase;
  /** Plain text (HTML stripped). */
  body: string;
  createdAt: string;
}

export interface Incident {
  /** `statuspage:<pageId>:<incidentId>` for ingested incidents, a ULID for manual ones. */
  id: string;
  site: string;
  title: string;
  phase: IncidentPhase;
  impact: Impact;
  /** Ids of affected components. */
  components: string[];
  startedAt: string;
  resolvedAt: string | null;
  /** Time of the latest official update. */
  updatedAt: string;
  threadState: ThreadState;
  /** Newest first. */
  updates: IncidentUpdate[];
  affectedCount: number;
  postCount: number;
  /** The best community workaround: pinned by staff first, then staff-verified, then most confirmed. */
  topWorkaround: Post | null;
}

export interface SiteStatus {
  site: { slug: string; name: string };
  severity: Severity;
  /** Human summary, e.g. "Partial outage". */
  description: string;
  components: StatusComponent[];
  /** Open incidents, newest first. */
  incidents: Incident[];
  /** Event sequence at the time of this snapshot. */
  lastEventId: number;
  updatedAt: string;
  /**
   * Scheduled and in-progress maintenances from the upstream status page (empty for manual
   * sites; absent from servers older than maintenances).
   */
  maintenances?: Maintenance[];
  /**
   * Where the official status comes from and how fresh it is: `kind: 'manual'` for a site without
   * an upstream page (absent from servers older than status sources).
   */
  source?: StatusSource;
}

/** Scheduled maintenance lifecycle, as on Atlassian Statuspage. */
export type MaintenanceStatus = 'scheduled' | 'in_progress' | 'verifying' | 'completed';

export interface MaintenanceUpdate {
  id: string;
  status: MaintenanceStatus;
  /** Plain text (HTML stripped). */
  body: string;
  createdAt: string;
}

export interface Maintenance {
  /** `statuspage:<pageId>:<maintenanceId>` for ingested maintenances. */
  id: string;
  title: string;
  status: MaintenanceStatus;
  scheduledFor: string | null;
  scheduledUntil: string | null;
  /** Ids of affected components. */
  components: string[];
  /** Newest first. */
  updates: MaintenanceUpdate[];
}

export type StatusSourceKind =
  | 'manual'
  | 'statuspage'
  | 'incidentio'
  | 'instatus'
  | 'betterstack'
  | 'statusio'
  | 'cachet'
  | 'uptimekuma'
  | 'openstatus'
  | 'upptime';

/** The upstream status page a site follows, and how stale the last good copy is. */
export interface StatusSource {
  kind: StatusSourceKind;
  /** The polled URL (null for manual sites). */
  url: string | null;
  /** When the upstream last answered with a usable document. */
  lastSuccessAt: string | null;
  /** True when the last good copy is older than a few poll intervals. */
  stale: boolean;
  /** Why the last poll failed (null after a success). */
  error: string | null;
}

export interface MemberSummary {
  id: string;
  displayName: string;
  role: MemberRole;
  /** True only for staff and moderators proven by verified claims or an admin key. */
  staff: boolean;
  /** From the host site's verified claims (SSO members); absent for guests. */
  avatarUrl?: string | null;
  /** From the host site's verified claims, e.g. `["customer", "enterprise"]`. */
  badges?: string[];
  /**
   * On posts: distinct other people who said "worked for me" on this member's posts on the site
   * ("helped N people", docs/reputation.md); absent when none.
   */
  helped?: number;
}

export interface WorkaroundFields {
  title: string;
  steps: string[];
  component?: string | null;
  platform?: string | null;
  risk: WorkaroundRisk;
  riskNote?: string | null;
  /** When the workaround stops being useful (ISO time); null or absent: until the incident is resolved. */
  expiresAt?: string | null;
}

export interface Post {
  /** ULID, generated by the client; doubles as the idempotency key. */
  id: string;
  incidentId: string;
  parentId: string | null;
  kind: PostKind;
  /** Safe text subset source (paragraphs, lists, code, https links). */
  body: string;
  workaround: WorkaroundFields | null;
  author: MemberSummary;
  state: PostState;
  verified: boolean;
  pinned: boolean;
  counts: { worked: number; didntWork: number };
  createdAt: string;
  editedAt: string | null;
  /**
   * Helpfulness computed by the server in the same transaction as each confirmation: the Wilson
   * lower bound of "worked" against "didn't work", recent "didn't work" weighted more (docs/thread.md).
   */
  score: number;
  /** Set when the author deleted the post: a tombstone that keeps its place, with an empty body. */
  deletedAt?: string | null;
  /** Set when staff merged this (now hidden) duplicate into another post. */
  mergedInto?: string | null;
}

/**
 * The order a thread page walks (`?sort=`): `helpful` (verified, pinned, staff, then score) or
 * `newest` (verified, pinned, staff, then newest). Without it, posts come oldest first.
 */
export type ThreadSort = 'helpful' | 'newest';
export const THREAD_SORTS: readonly ThreadSort[] = ['helpful', 'newest'];

export interface ThreadPage {
  incidentId: string;
  threadState: ThreadState;
  posts: Post[];
  /** Opaque; pass back as `?cursor=` for the next page, null on the last page. */
  nextCursor: string | null;
  /** Event sequence at the time of this snapshot: resume the stream from here. */
  lastEventId: number;
}

/** What the current member did on an incident (not cacheable, so not in the snapshot). */
export interface MemberIncidentState {
  affected: boolean;
  reactions: Record<string, ReactionKind>;
}

export interface Session {
  token: string;
  member: MemberSummary;
  expiresAt: string;
}

export interface AffectedResult {
  incidentId: string;
  affected: boolean;
  count: number;
}

export interface ReactionResult {
  postId: string;
  reaction: ReactionKind | null;
  counts: { worked: number; didntWork: number };
}

export interface CreatePostRequest {
  /** ULID; optional, the server makes one when missing. */
  id?: string;
  kind: PostKind;
  body: string;
  parentId?: string | null;
  workaround?: WorkaroundFields | null;
}

/** `PATCH /v1/sites/:site/posts/:post`: the author edits within the edit window. */
export interface EditPostRequest {
  body: string;
  /** Workaround posts only: the new workaround fields. */
  workaround?: WorkaroundFields | null;
}

export interface CreateSessionRequest {
  displayName: string;
  /**
   * An ALTCHA solution (base64 JSON `{algorithm, challenge, number, salt, signature}`) of a
   * challenge from `GET …/sessions/challenge`; required when the server answers 428
   * `challenge_required`.
   */
  altcha?: string;
}

/** An existing workaround that looks like the text being typed (`GET …/workarounds/similar`). */
export interface SimilarWorkaround {
  post: Post;
  /** Similarity in [0, 1]; only results at or above the server's threshold are returned. */
  score: number;
}

export interface SimilarWorkarounds {
  incidentId: string;
  results: SimilarWorkaround[];
}

/** `POST /v1/sites/:site/posts/:post/merge` (staff): hides the post as a duplicate of `into`. */
export interface MergePostRequest {
  into: string;
}

export interface MergePostResult {
  /** The duplicate, now hidden, with `mergedInto`. */
  merged: Post;
  /** The post it was merged into, with its recomputed counts. */
  into: Post;
}

/** `GET …/incidents/:incident/affected/history?hours=6`: "affected me too" reports per bucket. */
export interface AffectedHistory {
  incidentId: string;
  /** Bucket length in minutes. */
  bucketMinutes: number;
  /** Oldest first; `start` is the bucket's ISO start time, `count` the reports made in it. */
  buckets: Array<{ start: string; count: number }>;
}

// ─── Identity (issue 6; docs/decisions/0010-identity-and-moderation.md) ────────────────────────

/** `POST /v1/sites/:site/sessions/sso`: exchange a token signed by the host site for a session. */
export interface SsoSessionRequest {
  /** A JWT (HS256 with the site's secret, or ES256/EdDSA with its public key). */
  token: string;
}

/** Claims the host site puts in its JWT (plus the registered `exp`, `iat`, optional `aud`). */
export interface HostIdentityClaims {
  /** The member's id in the host's own system (becomes the member's external id). */
  id: string;
  name: string;
  avatar?: string | null;
  role?: MemberRole;
  badges?: string[];
  exp: number;
}

/** `GET /v1/sites/:site/sessions/challenge`: an ALTCHA proof-of-work challenge. */
export interface GuestChallenge {
  algorithm: 'SHA-256';
  challenge: string;
  maxnumber: number;
  salt: string;
  signature: string;
}

/** The member's own profile (`GET /v1/sites/:site/members/me`). */
export type MemberProfile = MemberSummary & {
  kind: MemberKind;
  createdAt: string;
  externalId: string | null;
};

/** The member's own data (`GET /v1/sites/:site/members/me/export`). */
export interface MemberExport {
  exportedAt: string;
  member: MemberProfile;
  posts: Post[];
  reactions: Array<{ postId: string; kind: ReactionKind; createdAt: string }>;
  affected: Array<{ incidentId: string; createdAt: string }>;
  flags: Array<{ postId: string; reason: FlagReason; note: string | null; createdAt: string }>;
  /** Email subscriptions (docs/email.md): the addresses the member gave, and their state. */
  emailSubscriptions: EmailSubscriptionRecord[];
}

// ─── Moderation (issue 6) ───────────────────────────────────────────────────────────────────────

/** Which posts wait for a moderator before they are published. */
export type PreModeration = 'none' | 'guests' | 'first_posts' | 'all';

/** A site's moderation policy (admin API `PUT /v1/admin/sites/:site/policy`, config file, CLI). */
export interface SitePolicy {
  preModeration: PreModeration;
  /** With `first_posts`: a member's first N posts on the site wait for review. */
  firstPosts: number;
  /** More links than this in one post → review (reason `links`). */
  maxLinks: number;
  /** A post containing one of these (whole word, case-insensitive) is rejected with 422. */
  bannedWords: string[];
  /** A post containing one of these goes to review (reason `suspect_word`). */
  suspectWords: string[];
  /** Built-in risky-advice patterns (TLS off, pipe to shell, credentials, off-site support). */
  riskyAdvice: boolean;
  /**
   * Flags from distinct members (a guest browser counts once) that hide a post pending review.
   * Posts by staff, verified and pinned posts are never hidden by member flags: they are queued.
   */
  flagThreshold: number;
  /**
   * Distinct members (a guest browser counts once) whose "worked for me" puts a workaround in the
   * banner without staff; pinned and verified workarounds always qualify.
   */
  bannerConfirmations: number;
  /** One post per member per N seconds; 0 is off. Staff switch it on during a flood. */
  slowModeSeconds: number;
  /** Proof-of-work before a guest session: never, only under load, or always. */
  guestChallenge: 'off' | 'under_load' | 'always';
  /** Days after resolution before a thread is archived: read-only, its counts final. */
  archiveAfterDays: number;
  /**
   * Reputation a member needs for each trust level (docs/reputation.md): `basic`, `helper`
   * (skips pre-moderation holds) and `trusted` (also: flags and confirmations count double).
   * Below `trustBasic` a member is `new` (a new guest's flags and confirmations count half).
   */
  trustBasic: number;
  trustHelper: number;
  trustTrusted: number;
  /**
   * What a `new` guest's flag or confirmation counts for: `full` (one, the default: a site's
   * thresholds keep their meaning) or `half` (two new guests make one member).
   */
  newGuestWeight: 'full' | 'half';
  /** Early warning (docs/early-warning.md): distinct members a spike needs before staff hear. */
  earlyWarningMembers: number;
  /** Distinct members after which a spike shows in the public banner without staff. */
  earlyWarningPublicMembers: number;
}

/** A member's standing on a site, from confirmed help (docs/reputation.md). */
export type TrustLevel = 'new' | 'basic' | 'helper' | 'trusted';
export const TRUST_LEVELS: readonly TrustLevel[] = ['new', 'basic', 'helper', 'trusted'];

export type ModerationReasonCode =
  | 'pre_moderation'
  | 'first_posts'
  | 'guest'
  | 'links'
  | 'suspect_word'
  | 'risky_tls'
  | 'risky_shell'
  | 'risky_credentials'
  | 'risky_contact'
  | 'flagged';

/** Why a post waits for review: a machine code and a sentence a moderator can act on. */
export interface ModerationReason {
  code: ModerationReasonCode;
  message: string;
  /** The text that triggered it (a word, link or matched phrase), when there is one. */
  match?: string;
}

export type FlagReason = 'spam' | 'phishing' | 'dangerous' | 'abusive' | 'off_topic' | 'other';

/** `POST /v1/sites/:site/posts/:post/flags` (one per member per post; a repeat updates it). */
export interface FlagRequest {
  reason: FlagReason;
  note?: string | null;
}

export interface FlagResult {
  postId: string;
  /** Flags on the post from distinct members. */
  count: number;
  /** True when this flag crossed the site's threshold and hid the post pending review. */
  hidden: boolean;
}

export type PostModerationAction =
  'approve' | 'reject' | 'hide' | 'restore' | 'remove' | 'verify' | 'unverify' | 'pin' | 'unpin';
export type IncidentModerationAction = 'lock' | 'unlock';
export type MemberModerationAction = 'ban' | 'unban';
export type ModerationActionName =
  | PostModerationAction
  | IncidentModerationAction
  | MemberModerationAction
  | 'merge'
  | 'slow_mode'
  | 'policy';

/** Body of the moderation action routes. `reason` is kept in the audit log. */
export interface ModerationActionRequest<A extends string = ModerationActionName> {
  action: A;
  reason?: string | null;
}

/** One line of the audit log: who did what to what, when and why. */
export interface AuditEntry {
  id: string;
  action: ModerationActionName;
  actor: { kind: 'admin' | 'member' | 'system'; id: string | null; displayName: string };
  target: { kind: 'post' | 'incident' | 'member' | 'site'; id: string };
  reason: string | null;
  /** Action-specific detail (e.g. `{ into }` for merge, `{ seconds }` for slow mode). */
  detail: Record<string, unknown> | null;
  createdAt: string;
}

/** A post in the moderation queue, with why it is there and who wrote it. */
export interface QueueItem {
  post: Post;
  /** `pending`: waits for first publication; `flagged`: hidden (or published) with flags. */
  queue: 'pending' | 'flagged';
  reasons: ModerationReason[];
  flags: { count: number; reasons: Array<{ reason: FlagReason; count: number }>; notes: string[] };
  author: MemberSummary & {
    kind: MemberKind;
    posts: number;
    banned: boolean;
    /** The author's trust level and reputation (docs/reputation.md); absent from older servers. */
    trust?: TrustLevel;
    reputation?: number;
  };
}

/** `GET /v1/sites/:site/moderation/queue`. */
export interface ModerationQueue {
  items: QueueItem[];
  /** Event sequence of this snapshot: resume the staff stream from here. */
  lastEventId: number;
}

/** `GET /v1/sites/:site/moderation/audit?cursor=`. */
export interface AuditPage {
  entries: AuditEntry[];
  nextCursor: string | null;
}
