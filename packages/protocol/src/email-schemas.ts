/**
 * TypeBox schemas of email subscriptions (email.ts), each checked against its resource type.
 * Re-exported by `@lifeboat/protocol/schemas`.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { EMAIL_LIMITS } from './email.js';
import type * as E from './email.js';

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Timestamp = Type.String({ format: 'date-time' });

export const EmailSubscriptionRequest = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: EMAIL_LIMITS.address }),
    onVerified: Type.Boolean(),
    onResolved: Type.Boolean(),
  },
  { additionalProperties: false },
);

export const EmailSubscriptionResult = Type.Object({
  status: Type.Literal('pending'),
  confirmBy: Timestamp,
});

export const EmailSubscriptionRecord = Type.Object({
  incidentId: Type.String(),
  email: Type.String(),
  onVerified: Type.Boolean(),
  onResolved: Type.Boolean(),
  state: Type.Union(
    (['pending', 'confirmed', 'expired', 'unsubscribed'] as const).map((s) => Type.Literal(s)),
  ),
  createdAt: Timestamp,
  confirmedAt: Nullable(Timestamp),
  endedAt: Nullable(Timestamp),
});

/** The token of a confirmation or unsubscribe link. */
export const EmailTokenQuery = Type.Object({
  token: Type.String({ minLength: 1, maxLength: 200 }),
});

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
type Check<T extends true> = T;
export type _EmailSchemaChecks = [
  Check<Same<Static<typeof EmailSubscriptionRequest>, E.EmailSubscriptionRequest>>,
  Check<Same<Static<typeof EmailSubscriptionResult>, E.EmailSubscriptionResult>>,
  Check<Same<Static<typeof EmailSubscriptionRecord>, E.EmailSubscriptionRecord>>,
];
