/**
 * TypeBox schemas of the post-incident report and the site insights (reports.ts), each checked
 * against its resource type below. Re-exported by `@lifeboat/protocol/schemas`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { IMPACTS, INCIDENT_PHASES } from './resources.js';
import type * as R from './reports.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));
const Timestamp = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });
const Ms = Nullable(Type.Integer({ minimum: 0 }));
const ThreadState = literals(['open', 'locked', 'archived'] as const);

export const ReportBucket = Type.Object({
  start: Timestamp,
  affected: Count,
  posts: Count,
  confirmations: Count,
});

export const ReportWorkaround = Type.Object({
  id: Type.String(),
  title: Type.String(),
  confirmations: Count,
  didntWork: Count,
  verified: Type.Boolean(),
  component: Nullable(Type.String()),
  platform: Nullable(Type.String()),
  createdAt: Timestamp,
});

export const ReportNamed = Type.Object({
  id: Type.String(),
  name: Type.String(),
  workarounds: Count,
});

export const IncidentReport = Type.Object(
  {
    site: Type.String(),
    incident: Type.Object({
      id: Type.String(),
      title: Type.String(),
      impact: literals(IMPACTS),
      phase: literals(INCIDENT_PHASES),
      threadState: ThreadState,
      components: Type.Array(Type.String()),
      startedAt: Timestamp,
      resolvedAt: Nullable(Timestamp),
    }),
    generatedAt: Timestamp,
    durationMs: Ms,
    participants: Count,
    affected: Count,
    answers: Count,
    workarounds: Count,
    replies: Count,
    confirmations: Count,
    didntWork: Count,
    verifiedWorkarounds: Count,
    firstAnswerAt: Nullable(Timestamp),
    timeToFirstAnswerMs: Ms,
    verifiedFixAt: Nullable(Timestamp),
    timeToVerifiedFixMs: Ms,
    bucketMinutes: Type.Integer({ minimum: 1 }),
    timeline: Type.Array(ReportBucket),
    topWorkarounds: Type.Array(ReportWorkaround),
    components: Type.Array(ReportNamed),
    platforms: Type.Array(ReportNamed),
    moderation: Type.Object({
      held: Count,
      approved: Count,
      rejected: Count,
      hidden: Count,
      flagged: Count,
    }),
  },
  {
    description:
      'The post-incident report (docs/insights.md). Also served as CSV (`Accept: text/csv`) and as a Markdown summary (`Accept: text/markdown`).',
  },
);

export const IncidentReportQuery = Type.Object({
  /** Timeline window length; absent: chosen so the incident fits about 48 windows. */
  bucketMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })),
});

export const IncidentSummary = Type.Object({
  id: Type.String(),
  title: Type.String(),
  impact: literals(IMPACTS),
  startedAt: Timestamp,
  resolvedAt: Nullable(Timestamp),
  threadState: ThreadState,
  affected: Count,
  answers: Count,
  workarounds: Count,
  confirmations: Count,
  timeToFirstAnswerMs: Ms,
  communityFixAt: Nullable(Timestamp),
  staffFirstAt: Nullable(Timestamp),
  communityFirst: Type.Boolean(),
});

export const SiteInsights = Type.Object({
  site: Type.String(),
  days: Type.Integer(),
  generatedAt: Timestamp,
  incidents: Type.Array(IncidentSummary),
  totals: Type.Object({
    incidents: Count,
    affected: Count,
    answers: Count,
    confirmations: Count,
    communityFirst: Count,
    medianTimeToFirstAnswerMs: Ms,
  }),
  topWorkarounds: Type.Array(
    Type.Composite([ReportWorkaround, Type.Object({ incidentId: Type.String() })]),
  ),
  topHelpers: Type.Array(
    Type.Object({
      memberId: Type.String(),
      displayName: Type.String(),
      helped: Count,
      reputation: Count,
      trust: Type.Union([
        Type.Literal('new'),
        Type.Literal('basic'),
        Type.Literal('helper'),
        Type.Literal('trusted'),
      ]),
    }),
  ),
});

export const SiteInsightsQuery = Type.Object({
  days: Type.Optional(
    Type.Integer({ enum: [30, 90], description: 'The window: the last 30 (default) or 90 days.' }),
  ),
});

// Compile-time checks: each schema matches its resource type.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
type Check<T extends true> = T;
export type ReportSchemaChecks = [
  Check<Same<Static<typeof IncidentReport>, R.IncidentReport>>,
  Check<Same<Static<typeof SiteInsights>, R.SiteInsights>>,
];
