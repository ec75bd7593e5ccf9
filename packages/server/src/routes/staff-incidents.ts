/**
 * The staff incident API for sites without an upstream page: create, change (title, phase,
 * impact, components, an official update) and resolve. Admin key or a staff session.
 */
import type { FastifyInstance } from 'fastify';
import type { Static } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import { requireStaff } from '../auth/staff.js';
import { ProblemError, problems } from '../http/problem.js';
import {
  changeManualIncident,
  createManualIncident,
  resolveManualIncident,
  type IncidentOutcome,
} from '../services/incidents.js';
import { IncidentParams, SiteParams, problemResponses } from './schemas.js';
import {
  CreateIncidentRequest,
  ResolveIncidentRequest,
  StaffHeaders,
  UpdateIncidentRequest,
} from './staff-schemas.js';

export async function staffIncidentRoutes(app: FastifyInstance): Promise<void> {
  const { store, hub } = app.lifeboat;

  const settle = (siteId: string, outcome: IncidentOutcome) => {
    switch (outcome.kind) {
      case 'ok':
        if (outcome.seq !== null) hub.publish({ site: siteId, seq: outcome.seq });
        return outcome.incident;
      case 'invalid':
        throw problems.validation(outcome.errors);
      case 'not_found':
        throw problems.notFound('Incident');
      case 'follows_upstream':
        throw new ProblemError(
          409,
          'conflict',
          "This incident follows the site's upstream status page; change it there.",
        );
      case 'already_resolved':
        throw new ProblemError(409, 'conflict', 'This incident is already resolved.');
    }
  };
  const staffFirst = async (request: Parameters<typeof requireStaff>[0]) => {
    await requireStaff(request);
  };

  app.post<{ Params: Static<typeof SiteParams>; Body: Static<typeof CreateIncidentRequest> }>(
    '/v1/sites/:site/incidents',
    {
      schema: {
        operationId: 'createIncident',
        summary:
          'Opens a manual incident with its first official update and an open thread (staff).',
        params: SiteParams,
        headers: StaffHeaders,
        body: CreateIncidentRequest,
        response: { 201: S.Incident, ...problemResponses },
      },
      preValidation: staffFirst,
    },
    async (request, reply) => {
      const site = request.site!;
      const incident = settle(site.id, await createManualIncident(store, site, request.body));
      return reply
        .code(201)
        .header('Location', `/v1/sites/${site.slug}/incidents/${incident.id}`)
        .send(incident);
    },
  );

  app.patch<{ Params: Static<typeof IncidentParams>; Body: Static<typeof UpdateIncidentRequest> }>(
    '/v1/sites/:site/incidents/:incident',
    {
      schema: {
        operationId: 'updateIncident',
        summary:
          'Changes a manual incident (title, phase, impact, components) and/or adds an official update (staff).',
        params: IncidentParams,
        headers: StaffHeaders,
        body: UpdateIncidentRequest,
        response: { 200: S.Incident, ...problemResponses },
      },
      preValidation: staffFirst,
    },
    async (request) => {
      const site = request.site!;
      return settle(
        site.id,
        await changeManualIncident(store, site, request.params.incident, request.body),
      );
    },
  );

  app.post<{ Params: Static<typeof IncidentParams>; Body: Static<typeof ResolveIncidentRequest> }>(
    '/v1/sites/:site/incidents/:incident/resolve',
    {
      schema: {
        operationId: 'resolveIncident',
        summary:
          'Resolves a manual incident with a closing update; its thread locks after LIFEBOAT_LOCK_GRACE_MS (staff).',
        params: IncidentParams,
        headers: StaffHeaders,
        body: ResolveIncidentRequest,
        response: { 200: S.Incident, ...problemResponses },
      },
      preValidation: async (request) => {
        await requireStaff(request);
        request.body ??= {};
      },
    },
    async (request) => {
      const site = request.site!;
      return settle(
        site.id,
        await resolveManualIncident(store, site, request.params.incident, request.body.body),
      );
    },
  );
}
