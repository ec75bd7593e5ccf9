/** Route-level schemas shared by the /v1 routes (resource schemas come from @lifeboat/protocol). */
import { Type } from '@sinclair/typebox';

export const SiteParams = Type.Object({ site: Type.String({ maxLength: 100 }) });
export const IncidentParams = Type.Object({
  site: Type.String({ maxLength: 100 }),
  incident: Type.String({ maxLength: 200 }),
});
export const PostParams = Type.Object({
  site: Type.String({ maxLength: 100 }),
  post: Type.String({ maxLength: 64 }),
});

export const AuthHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <session token>' })),
});

/** Problem responses, documented in the OpenAPI and serialized through the Problem schema. */
export const problemResponses = { '4xx': Type.Ref('Problem'), '5xx': Type.Ref('Problem') };

export const IncidentListQuery = Type.Object({
  state: Type.Optional(
    Type.Union([Type.Literal('open'), Type.Literal('all')], { default: 'open' }),
  ),
});

export const StreamQuery = Type.Object({
  lastEventId: Type.Optional(
    Type.String({
      pattern: '^[0-9]{1,15}$',
      description:
        'Resume after this event (EventSource cannot set Last-Event-ID on the first connect).',
    }),
  ),
});

export const Health = Type.Object({ ok: Type.Boolean() });
