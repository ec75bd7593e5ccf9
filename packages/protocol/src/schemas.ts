/**
 * TypeBox schemas for the /v1 API (server side only: the SDK never imports this entry).
 * Each schema is checked against its TypeScript resource type with `Static<>` below.
 */
import { EmailSubscriptionRecord } from './email-schemas.js';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { INCIDENT_PHASES, IMPACTS, THREAD_SORTS } from './resources.js';
import type * as R from './resources.js';
import { LIMITS, ULID_PATTERN } from './limits.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));

export const Ulid = Type.String({ pattern: ULID_PATTERN, description: 'ULID' });
export const Timestamp = Type.String({ format: 'date-time' });

export const IncidentPhase = literals(INCIDENT_PHASES);
export const Impact = literals(IMPACTS);
export const ComponentStatus = literals([
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
] as const);
export const Severity = literals([
  'operational',
  'maintenance',
  'minor',
  'major',
  'critical',
] as const);
export const ThreadState = literals(['open', 'locked', 'archived'] as const);
export const PostKind = literals(['answer', 'reply', 'workaround'] as const);
export const PostState = literals(['pending', 'published', 'hidden', 'removed'] as const);
export const ReactionKind = literals(['worked', 'didnt_work'] as const);
export const WorkaroundRisk = literals(['safe', 'temporary', 'risky'] as const);

export const StatusComponent = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    status: ComponentStatus,
    group: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'StatusComponent' },
);

export const IncidentUpdate = Type.Object({
  id: Type.String(),
  phase: IncidentPhase,
  body: Type.String(),
  createdAt: Timestamp,
});

export const MemberSummary = Type.Object({
  id: Type.String(),
  displayName: Type.String(),
  role: literals(['member', 'staff', 'moderator'] as const),
  staff: Type.Boolean(),
  avatarUrl: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  badges: Type.Optional(Type.Array(Type.String())),
  helped: Type.Optional(Type.Integer({ minimum: 0 })),
});

const trimmed = (min: number, max: number, extra: object = {}) =>
  Type.String({ minLength: min, maxLength: max, ...extra });

export const WorkaroundFields = Type.Object(
  {
    title: trimmed(LIMITS.workaroundTitle.min, LIMITS.workaroundTitle.max),
    steps: Type.Array(trimmed(LIMITS.workaroundStep.min, LIMITS.workaroundStep.max), {
      minItems: LIMITS.workaroundSteps.min,
      maxItems: LIMITS.workaroundSteps.max,
    }),
    component: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
    platform: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.workaroundPlatform.max }))),
    risk: WorkaroundRisk,
    riskNote: Type.Optional(Nullable(Type.String({ maxLength: LIMITS.workaroundRiskNote.max }))),
    expiresAt: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 40,
          description: 'ISO time; null: until the incident is resolved',
        }),
      ),
    ),
  },
  { additionalProperties: false },
);

export const Counts = Type.Object({ worked: Type.Integer(), didntWork: Type.Integer() });

export const Post = Type.Object(
  {
    id: Type.String(),
    incidentId: Type.String(),
    parentId: Nullable(Type.String()),
    kind: PostKind,
    body: Type.String(),
    workaround: Nullable(WorkaroundFields),
    author: MemberSummary,
    state: PostState,
    verified: Type.Boolean(),
    pinned: Type.Boolean(),
    counts: Counts,
    createdAt: Timestamp,
    editedAt: Nullable(Timestamp),
    score: Type.Number(),
    deletedAt: Type.Optional(Nullable(Timestamp)),
    mergedInto: Type.Optional(Nullable(Type.String())),
  },
  { $id: 'Post' },
);

export const Incident = Type.Object(
  {
    id: Type.String(),
    site: Type.String(),
    title: Type.String(),
    phase: IncidentPhase,
    impact: Impact,
    components: Type.Array(Type.String()),
    startedAt: Timestamp,
    resolvedAt: Nullable(Timestamp),
    updatedAt: Timestamp,
    threadState: ThreadState,
    updates: Type.Array(IncidentUpdate),
    affectedCount: Type.Integer(),
    postCount: Type.Integer(),
    topWorkaround: Nullable(Type.Ref('Post')),
  },
  { $id: 'Incident' },
);

export const MaintenanceStatus = literals([
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
] as const);

export const Maintenance = Type.Object(
  {
    id: Type.String(),
    title: Type.String(),
    status: MaintenanceStatus,
    scheduledFor: Nullable(Timestamp),
    scheduledUntil: Nullable(Timestamp),
    components: Type.Array(Type.String()),
    updates: Type.Array(
      Type.Object({
        id: Type.String(),
        status: MaintenanceStatus,
        body: Type.String(),
        createdAt: Timestamp,
      }),
    ),
  },
  { $id: 'Maintenance' },
);

export const StatusSource = Type.Object(
  {
    kind: literals([
      'manual',
      'statuspage',
      'incidentio',
      'instatus',
      'betterstack',
      'statusio',
      'cachet',
      'uptimekuma',
      'openstatus',
      'upptime',
    ] as const),
    url: Nullable(Type.String()),
    lastSuccessAt: Nullable(Timestamp),
    stale: Type.Boolean(),
    error: Nullable(Type.String()),
  },
  { $id: 'StatusSource' },
);

export const SiteStatus = Type.Object({
  site: Type.Object({ slug: Type.String(), name: Type.String() }),
  severity: Severity,
  description: Type.String(),
  components: Type.Array(Type.Ref('StatusComponent')),
  incidents: Type.Array(Type.Ref('Incident')),
  lastEventId: Type.Integer(),
  updatedAt: Timestamp,
  maintenances: Type.Optional(Type.Array(Type.Ref('Maintenance'))),
  source: Type.Optional(Type.Ref('StatusSource')),
});

export const IncidentList = Type.Object({ incidents: Type.Array(Type.Ref('Incident')) });

export const ThreadPage = Type.Object({
  incidentId: Type.String(),
  threadState: ThreadState,
  posts: Type.Array(Type.Ref('Post')),
  nextCursor: Nullable(Type.String()),
  lastEventId: Type.Integer(),
});

export const MemberIncidentState = Type.Object({
  affected: Type.Boolean(),
  reactions: Type.Record(Type.String(), ReactionKind),
});

export const Session = Type.Object({
  token: Type.String(),
  member: MemberSummary,
  expiresAt: Timestamp,
});

export const AffectedResult = Type.Object({
  incidentId: Type.String(),
  affected: Type.Boolean(),
  count: Type.Integer(),
});

export const AffectedHistory = Type.Object({
  incidentId: Type.String(),
  bucketMinutes: Type.Integer(),
  buckets: Type.Array(Type.Object({ start: Timestamp, count: Type.Integer() })),
});

export const AffectedHistoryQuery = Type.Object({
  hours: Type.Optional(
    Type.Integer({ minimum: 1, maximum: 48, default: 6, description: 'How far back (hours).' }),
  ),
});

export const ReactionResult = Type.Object({
  postId: Type.String(),
  reaction: Nullable(ReactionKind),
  counts: Counts,
});

// ---- requests ----

export const CreatePostRequest = Type.Object(
  {
    id: Type.Optional(Ulid),
    kind: PostKind,
    body: Type.String({ maxLength: LIMITS.postBody.max }),
    parentId: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    workaround: Type.Optional(Nullable(WorkaroundFields)),
  },
  { additionalProperties: false },
);

export const EditPostRequest = Type.Object(
  {
    body: Type.String({ maxLength: LIMITS.postBody.max }),
    workaround: Type.Optional(Nullable(WorkaroundFields)),
  },
  { additionalProperties: false },
);

export const SetReactionRequest = Type.Object(
  { kind: ReactionKind },
  { additionalProperties: false },
);

export const CreateSessionRequest = Type.Object(
  {
    displayName: trimmed(LIMITS.displayName.min, LIMITS.displayName.max),
    altcha: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 4000,
        description: 'Base64 ALTCHA solution of a challenge from GET …/sessions/challenge.',
      }),
    ),
  },
  { additionalProperties: false },
);

// ---- identity (issue 6) ----

export const RenameSessionRequest = Type.Object(
  { displayName: trimmed(LIMITS.displayName.min, LIMITS.displayName.max) },
  { additionalProperties: false },
);

export const SsoSessionRequest = Type.Object(
  {
    token: Type.String({
      minLength: 1,
      maxLength: 8000,
      description: "A JWT signed by the host site (HS256 with the site's secret, or ES256/EdDSA).",
    }),
  },
  { additionalProperties: false },
);

export const GuestChallenge = Type.Object({
  algorithm: Type.Literal('SHA-256'),
  challenge: Type.String(),
  maxnumber: Type.Integer(),
  salt: Type.String(),
  signature: Type.String(),
});

export const MemberKind = literals(['guest', 'sso', 'staff'] as const);

export const MemberProfile = Type.Composite([
  MemberSummary,
  Type.Object({ kind: MemberKind, createdAt: Timestamp, externalId: Nullable(Type.String()) }),
]);

export const FlagReason = literals([
  'spam',
  'phishing',
  'dangerous',
  'abusive',
  'off_topic',
  'other',
] as const);

export const MemberExport = Type.Object({
  exportedAt: Timestamp,
  member: MemberProfile,
  posts: Type.Array(Type.Ref('Post')),
  reactions: Type.Array(
    Type.Object({ postId: Type.String(), kind: ReactionKind, createdAt: Timestamp }),
  ),
  affected: Type.Array(Type.Object({ incidentId: Type.String(), createdAt: Timestamp })),
  flags: Type.Array(
    Type.Object({
      postId: Type.String(),
      reason: FlagReason,
      note: Nullable(Type.String()),
      createdAt: Timestamp,
    }),
  ),
  emailSubscriptions: Type.Array(EmailSubscriptionRecord),
});

export const ThreadQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 200 })),
  sort: Type.Optional(literals(THREAD_SORTS)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: LIMITS.threadPage.max })),
});

export const Problem = Type.Object(
  {
    type: Type.String(),
    title: Type.String(),
    status: Type.Integer(),
    code: Type.String(),
    detail: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    errors: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String() })),
    ),
    retryAfter: Type.Optional(Type.Integer()),
  },
  { $id: 'Problem' },
);

export const SimilarWorkaroundsQuery = Type.Object({
  q: Type.String({ maxLength: 2000, description: 'The title and steps typed so far.' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 10 })),
});

export const SimilarWorkarounds = Type.Object({
  incidentId: Type.String(),
  results: Type.Array(Type.Object({ post: Type.Ref('Post'), score: Type.Number() })),
});

export const MergePostRequest = Type.Object(
  { into: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

export const MergePostResult = Type.Object({
  merged: Type.Ref('Post'),
  into: Type.Ref('Post'),
});

// ---- moderation (issue 6, ADR 0010) ----

const moderationWords = Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
  maxItems: 500,
});

export const SitePolicy = Type.Object(
  {
    preModeration: literals(['none', 'guests', 'first_posts', 'all'] as const),
    firstPosts: Type.Integer({ minimum: 1, maximum: 100 }),
    maxLinks: Type.Integer({ minimum: 0, maximum: LIMITS.links }),
    bannedWords: moderationWords,
    suspectWords: moderationWords,
    riskyAdvice: Type.Boolean(),
    flagThreshold: Type.Integer({ minimum: 1, maximum: 100 }),
    bannerConfirmations: Type.Integer({ minimum: 1, maximum: 1000 }),
    slowModeSeconds: Type.Integer({ minimum: 0, maximum: 86_400 }),
    guestChallenge: literals(['off', 'under_load', 'always'] as const),
    archiveAfterDays: Type.Integer({ minimum: 1, maximum: 3650 }),
    trustBasic: Type.Integer({ minimum: 1, maximum: 100_000 }),
    trustHelper: Type.Integer({ minimum: 1, maximum: 100_000 }),
    trustTrusted: Type.Integer({ minimum: 1, maximum: 100_000 }),
    newGuestWeight: literals(['full', 'half'] as const),
    earlyWarningMembers: Type.Integer({ minimum: 1, maximum: 10_000 }),
    earlyWarningPublicMembers: Type.Integer({ minimum: 1, maximum: 10_000 }),
  },
  { additionalProperties: false },
);

/** `PUT /v1/admin/sites/:site/policy`: the fields to change (the others keep their value). */
export const SitePolicyUpdate = Type.Partial(SitePolicy, { additionalProperties: false });

const auditReason = Type.Optional(Nullable(Type.String({ maxLength: 500 })));

export const ModerationReason = Type.Object({
  code: literals([
    'pre_moderation',
    'first_posts',
    'guest',
    'links',
    'suspect_word',
    'risky_tls',
    'risky_shell',
    'risky_credentials',
    'risky_contact',
    'flagged',
  ] as const),
  message: Type.String(),
  match: Type.Optional(Type.String()),
});

export const ModerationActionName = literals([
  'approve',
  'reject',
  'hide',
  'restore',
  'remove',
  'verify',
  'unverify',
  'pin',
  'unpin',
  'lock',
  'unlock',
  'ban',
  'unban',
  'merge',
  'slow_mode',
  'policy',
] as const);

export const AuditEntry = Type.Object({
  id: Type.String(),
  action: ModerationActionName,
  actor: Type.Object({
    kind: literals(['admin', 'member', 'system'] as const),
    id: Nullable(Type.String()),
    displayName: Type.String(),
  }),
  target: Type.Object({
    kind: literals(['post', 'incident', 'member', 'site'] as const),
    id: Type.String(),
  }),
  reason: Nullable(Type.String()),
  detail: Nullable(Type.Record(Type.String(), Type.Unknown())),
  createdAt: Timestamp,
});

export const AuditPage = Type.Object({
  entries: Type.Array(AuditEntry),
  nextCursor: Nullable(Type.String()),
});

export const AuditQuery = Type.Object({
  cursor: Type.Optional(Type.String({ maxLength: 64 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
});

export const QueueItem = Type.Object({
  post: Type.Ref('Post'),
  queue: literals(['pending', 'flagged'] as const),
  reasons: Type.Array(ModerationReason),
  flags: Type.Object({
    count: Type.Integer(),
    reasons: Type.Array(Type.Object({ reason: FlagReason, count: Type.Integer() })),
    notes: Type.Array(Type.String()),
  }),
  author: Type.Composite([
    MemberSummary,
    Type.Object({
      kind: MemberKind,
      posts: Type.Integer(),
      banned: Type.Boolean(),
      trust: Type.Optional(literals(['new', 'basic', 'helper', 'trusted'] as const)),
      reputation: Type.Optional(Type.Integer({ minimum: 0 })),
    }),
  ]),
});

export const ModerationQueue = Type.Object({
  items: Type.Array(QueueItem),
  lastEventId: Type.Integer(),
});

export const ModerationQueueQuery = Type.Object({
  queue: Type.Optional(literals(['pending', 'flagged'] as const)),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
});

export const FlagRequest = Type.Object(
  { reason: FlagReason, note: Type.Optional(Nullable(Type.String({ maxLength: 500 }))) },
  { additionalProperties: false },
);

export const FlagResult = Type.Object({
  postId: Type.String(),
  count: Type.Integer(),
  hidden: Type.Boolean(),
});

export const PostModerationRequest = Type.Object(
  {
    action: literals([
      'approve',
      'reject',
      'hide',
      'restore',
      'remove',
      'verify',
      'unverify',
      'pin',
      'unpin',
    ] as const),
    reason: auditReason,
  },
  { additionalProperties: false },
);

export const PostModerationResult = Type.Object({ post: Type.Ref('Post'), entry: AuditEntry });

export const IncidentModerationRequest = Type.Object(
  { action: literals(['lock', 'unlock'] as const), reason: auditReason },
  { additionalProperties: false },
);

export const IncidentModerationResult = Type.Object({
  incident: Type.Ref('Incident'),
  entry: AuditEntry,
});

export const MemberModerationRequest = Type.Object(
  {
    action: literals(['ban', 'unban'] as const),
    reason: auditReason,
    /** Ban length; absent or null: until lifted. */
    hours: Type.Optional(Nullable(Type.Integer({ minimum: 1, maximum: 24 * 365 }))),
  },
  { additionalProperties: false },
);

export const MemberModerationResult = Type.Object({ entry: AuditEntry });

export const SlowModeRequest = Type.Object(
  { seconds: Type.Integer({ minimum: 0, maximum: 86_400 }), reason: auditReason },
  { additionalProperties: false },
);

export const PolicyResult = Type.Object({ policy: SitePolicy, entry: AuditEntry });

/** Schemas registered by `$id` (for `Type.Ref`), added to the server before routes. */
export const sharedSchemas = [StatusComponent, Post, Incident, Problem, Maintenance, StatusSource];

// Compile-time checks: each schema matches its resource type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
type Check<T extends true> = T;
export type SchemaChecks = [
  Check<Same<Static<typeof Post>, R.Post>>,
  Check<Same<Static<typeof CreatePostRequest>, R.CreatePostRequest>>,
  Check<Same<Static<typeof EditPostRequest>, R.EditPostRequest>>,
  Check<Same<Static<typeof Session>, R.Session>>,
  Check<Same<Static<typeof CreateSessionRequest>, R.CreateSessionRequest>>,
  Check<Same<Static<typeof SsoSessionRequest>, R.SsoSessionRequest>>,
  Check<Same<Static<typeof GuestChallenge>, R.GuestChallenge>>,
  Check<Same<Static<typeof MemberProfile>, R.MemberProfile>>,
  Check<Same<Static<typeof MemberExport>, R.MemberExport>>,
  Check<Same<Static<typeof ReactionResult>, R.ReactionResult>>,
  Check<Same<Static<typeof AffectedResult>, R.AffectedResult>>,
  Check<Same<Static<typeof AffectedHistory>, R.AffectedHistory>>,
  Check<Same<Static<typeof MemberIncidentState>, R.MemberIncidentState>>,
  Check<Same<Static<typeof Maintenance>, R.Maintenance>>,
  Check<Same<Static<typeof StatusSource>, R.StatusSource>>,
  Check<Same<Static<typeof SitePolicy>, R.SitePolicy>>,
  Check<Same<Static<typeof ModerationReason>, R.ModerationReason>>,
  Check<Same<Static<typeof AuditEntry>, R.AuditEntry>>,
  Check<Same<Static<typeof AuditPage>, R.AuditPage>>,
  Check<Same<Static<typeof FlagRequest>, R.FlagRequest>>,
  Check<Same<Static<typeof FlagResult>, R.FlagResult>>,
  Check<
    Same<Static<typeof PostModerationRequest>, R.ModerationActionRequest<R.PostModerationAction>>
  >,
  Check<
    Same<
      Static<typeof IncidentModerationRequest>,
      R.ModerationActionRequest<R.IncidentModerationAction>
    >
  >,
];

export * from './report-schemas.js';
export * from './email-schemas.js';
export * from './early-warning-schemas.js';
