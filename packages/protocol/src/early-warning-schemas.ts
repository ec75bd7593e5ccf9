/**
 * TypeBox schemas of reputation and early warning (early-warning.ts). Re-exported by
 * `@lifeboat/protocol/schemas`.
 */
import { Type, type TSchema } from '@sinclair/typebox';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const literals = <T extends string>(values: readonly T[]) =>
  Type.Union(values.map((v) => Type.Literal(v)));
const Timestamp = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0 });

export const TrustLevel = literals(['new', 'basic', 'helper', 'trusted'] as const);

export const MemberReputation = Type.Object({
  memberId: Type.String(),
  helped: Count,
  verified: Count,
  removed: Count,
  reputation: Count,
  level: TrustLevel,
});

export const ProblemReportRequest = Type.Object(
  {
    component: Type.Optional(
      Nullable(Type.String({ minLength: 1, maxLength: 100, pattern: '^[^\\u0000-\\u001f]+$' })),
    ),
  },
  { additionalProperties: false },
);

export const PublicSignal = Type.Object({
  spikeId: Type.String(),
  component: Nullable(Type.String()),
  componentName: Nullable(Type.String()),
  since: Timestamp,
});

export const ProblemReportResult = Type.Object({
  counted: Type.Boolean(),
  signals: Type.Array(PublicSignal),
});

export const SignalsResult = Type.Object({ signals: Type.Array(PublicSignal) });

export const Spike = Type.Object({
  id: Type.String(),
  state: literals(['open', 'dismissed', 'declared'] as const),
  component: Nullable(Type.String()),
  componentName: Nullable(Type.String()),
  detectedAt: Timestamp,
  lastReportAt: Timestamp,
  reports: Count,
  members: Count,
  expected: Type.Number({ minimum: 0 }),
  pValue: Type.Number({ minimum: 0, maximum: 1 }),
  public: Type.Boolean(),
  confirmedAt: Nullable(Timestamp),
  incidentId: Nullable(Type.String()),
});

export const SpikeList = Type.Object({ spikes: Type.Array(Spike) });

export const DeclareSpikeRequest = Type.Object(
  {
    title: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
    impact: Type.Optional(literals(['minor', 'major', 'critical'] as const)),
  },
  { additionalProperties: false },
);
