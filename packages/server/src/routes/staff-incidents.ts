/**
 * The staff incident API for sites without an upstream page: create, change (title, phase,
 * impact, components, an official update) and resolve. Admin key or a staff session.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import * as S from '@lifeboat/protocol/schemas';
import { staffOnly } from '../http/authenticate.js';
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

export const staffIncidentRoutes: FastifyPluginAsyncTypebox = async (app) => {
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

  app.post(
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
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const { site } = request;
      const incident = settle(site.id, await createManualIncident(store, site, request.body));
      return reply
        .code(201)
        .header('Location', `/v1/sites/${site.slug}/incidents/${incident.id}`)
        .send(incident);
    },
  );

  app.patch(
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
      onRequest: staffOnly,
    },
    async (request) => {
      const { site } = request;
      return settle(
        site.id,
        await changeManualIncident(store, site, request.params.incident, request.body),
      );
    },
  );

  app.post(
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
      onRequest: staffOnly,
      // No body is an empty one.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const { site } = request;
      return settle(
        site.id,
        await resolveManualIncident(store, site, request.params.incident, request.body.body),
      );
    },
  );
};
