/** Request and response schemas of the staff incident API and the admin site API. */
import { Type } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import { LIMITS } from '@lifeboat/protocol';
import { INCIDENT_TITLE } from '../services/incidents.js';
import { POLL_INTERVAL, SLUG_PATTERN } from '../services/sites.js';

const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(
  schema: T,
) => Type.Union([schema, Type.Null()]);

const Title = Type.String({ minLength: INCIDENT_TITLE.min, maxLength: INCIDENT_TITLE.max });
const UpdateBody = Type.String({
  minLength: 1,
  maxLength: LIMITS.postBody.max,
  description: 'An official update, plain text.',
});
const ComponentIds = Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
  maxItems: 100,
  description: "Ids of the site's components.",
});
const OpenPhase = Type.Union(
  (['investigating', 'identified', 'monitoring'] as const).map((p) => Type.Literal(p)),
);

export const CreateIncidentRequest = Type.Object(
  {
    title: Title,
    impact: S.Impact,
    phase: Type.Optional(OpenPhase),
    components: Type.Optional(ComponentIds),
    body: UpdateBody,
  },
  { additionalProperties: false },
);

export const UpdateIncidentRequest = Type.Object(
  {
    title: Type.Optional(Title),
    phase: Type.Optional(S.IncidentPhase),
    impact: Type.Optional(S.Impact),
    components: Type.Optional(ComponentIds),
    body: Type.Optional(UpdateBody),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const ResolveIncidentRequest = Type.Object(
  { body: Type.Optional(UpdateBody) },
  { additionalProperties: false },
);

const Origins = Type.Array(Type.String({ minLength: 1, maxLength: 300 }), {
  maxItems: 50,
  description: 'Origins allowed to embed this site (e.g. https://status.example.com), or *.',
});
const StatusUrl = Nullable(
  Type.String({
    maxLength: 2000,
    description:
      'Upstream status document polled by the server (Statuspage / incident.io /api/v2/summary.json, Instatus /summary.json); null: manual incidents.',
  }),
);
const PollInterval = Nullable(
  Type.Integer({
    minimum: POLL_INTERVAL.min,
    maximum: POLL_INTERVAL.max,
    description: 'Milliseconds between polls; null: the server default.',
  }),
);

export const CreateSiteRequest = Type.Object(
  {
    slug: Type.String({ pattern: SLUG_PATTERN, maxLength: 63 }),
    name: Type.String({ minLength: 1, maxLength: 100 }),
    origins: Type.Optional(Origins),
    statusUrl: Type.Optional(StatusUrl),
    pollIntervalMs: Type.Optional(PollInterval),
  },
  { additionalProperties: false },
);

export const UpdateSiteRequest = Type.Object(
  {
    slug: Type.Optional(Type.String({ pattern: SLUG_PATTERN, maxLength: 63 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    origins: Type.Optional(Origins),
    statusUrl: Type.Optional(StatusUrl),
    pollIntervalMs: Type.Optional(PollInterval),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const AdminSite = Type.Object({
  slug: Type.String(),
  name: Type.String(),
  origins: Type.Array(Type.String()),
  statusUrl: Nullable(Type.String()),
  pollIntervalMs: Nullable(Type.Integer()),
  createdAt: S.Timestamp,
  source: Type.Optional(Type.Ref('StatusSource')),
});

export const AdminSiteList = Type.Object({ sites: Type.Array(AdminSite) });

export const AdminSiteParams = Type.Object({ site: Type.String({ maxLength: 100 }) });

export const AdminHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <LIFEBOAT_ADMIN_KEY>' })),
});

export const StaffHeaders = Type.Object({
  authorization: Type.Optional(
    Type.String({ description: "Bearer <LIFEBOAT_ADMIN_KEY> or a staff member's session token" }),
  ),
});
