/**
 * Early warning and reputation (issue 12, docs/early-warning.md, docs/reputation.md):
 *
 * - `POST …/problem-reports` (member): "Something not working?", optionally naming a component;
 *   the same write limits as "affected" (the site scope's per-address and per-member limits, a
 *   guest session's proof of work). Runs the detector (services/early-warning.ts).
 * - `GET …/signals` (public): the corroborated spikes the banner shows.
 * - `GET …/moderation/spikes`, `POST …/moderation/spikes/:spike/{confirm,dismiss,declare}`
 *   (staff): the console's early-warning panel; `declare` opens a manual incident whose
 *   "affected" list is the spike's reporters.
 * - `GET …/moderation/members/:member/reputation` (staff): a member's reputation and trust level.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import type { MemberReputation, PublicSignal, Spike } from '@lifeboat/protocol';
import { memberOf, memberOnly, staffOf, staffOnly } from '../http/authenticate.js';
import { CACHE_PRIVATE } from '../http/cache.js';
import { ProblemError, problems } from '../http/problem.js';
import { refuseBanned } from '../moderation/standing.js';
import { reportProblem } from '../services/early-warning.js';
import { createManualIncident } from '../services/incidents.js';
import { AuthHeaders, SiteParams, problemResponses } from './schemas.js';

const SpikeParams = Type.Object({
  site: Type.String({ maxLength: 100 }),
  spike: Type.String({ maxLength: 64 }),
});
const MemberParams = Type.Object({
  site: Type.String({ maxLength: 100 }),
  member: Type.String({ maxLength: 64 }),
});
const SpikeResult = Type.Object({ spike: S.Spike });
const DeclareResult = Type.Object({ spike: S.Spike, incident: Type.Ref('Incident') });

/** Spikes staff see: the last 7 days. */
const LIST_MS = 7 * 24 * 3_600_000;

export const earlyWarningRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, hub, notifiers } = app.lifeboat;

  const signalsOf = async (siteId: string, at: number): Promise<PublicSignal[]> => {
    const { earlyWarningPublicMembers } = await store.getSitePolicy(siteId);
    return (await store.earlyWarning.publicSpikes(siteId, at, earlyWarningPublicMembers)).map(
      (s) => ({
        spikeId: s.id,
        component: s.component,
        componentName: s.componentName,
        since: s.detectedAt,
      }),
    );
  };

  app.post(
    '/v1/sites/:site/problem-reports',
    {
      schema: {
        operationId: 'reportProblem',
        summary:
          '"Something not working?": one report per member (a guest browser once) per 15 minutes, optionally naming a component. Feeds the early-warning detector; answers what the public banner shows now.',
        params: SiteParams,
        headers: AuthHeaders,
        body: S.ProblemReportRequest,
        response: { 200: S.ProblemReportResult, ...problemResponses },
      },
      onRequest: memberOnly,
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const member = await memberOf(request);
      const { site } = request;
      await refuseBanned(store, site.id, member);
      const component = request.body.component ?? null;
      if (component !== null) {
        const known = (await store.listComponents(site.id)).some((c) => c.id === component);
        if (!known) throw problems.field('component', 'Unknown component.', 422);
      }
      const at = Date.now();
      const outcome = await reportProblem(
        { store, notifiers },
        {
          siteId: site.id,
          memberId: member.id,
          reporter: member.fingerprint ?? member.id,
          component,
          at,
        },
      );
      if (outcome.seq !== null) hub.publish({ site: site.id, seq: outcome.seq });
      reply.header('Cache-Control', CACHE_PRIVATE);
      return { counted: outcome.counted, signals: await signalsOf(site.id, at) };
    },
  );

  app.get(
    '/v1/sites/:site/signals',
    {
      schema: {
        operationId: 'getSignals',
        summary:
          'The corroborated early-warning spikes the public banner shows ("Others are reporting problems with …"): enough distinct members, or confirmed by staff.',
        params: SiteParams,
        response: { 200: S.SignalsResult, ...problemResponses },
      },
    },
    async (request, reply) => {
      reply.header('Cache-Control', 'public, max-age=15, s-maxage=15');
      return { signals: await signalsOf(request.site.id, Date.now()) };
    },
  );

  app.get(
    '/v1/sites/:site/moderation/spikes',
    {
      schema: {
        operationId: 'listSpikes',
        summary: 'Staff: the early-warning spikes of the last 7 days, newest first.',
        params: SiteParams,
        headers: AuthHeaders,
        response: { 200: S.SpikeList, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request, reply) => {
      const { site } = request;
      const { earlyWarningPublicMembers } = await store.getSitePolicy(site.id);
      reply.header('Cache-Control', CACHE_PRIVATE);
      const now = Date.now();
      return {
        spikes: await store.earlyWarning.listSpikes(
          site.id,
          now - LIST_MS,
          earlyWarningPublicMembers,
        ),
      };
    },
  );

  const loadSpike = async (siteId: string, spikeId: string): Promise<Spike> => {
    const { earlyWarningPublicMembers } = await store.getSitePolicy(siteId);
    const spike = await store.earlyWarning.spike(siteId, spikeId, earlyWarningPublicMembers);
    if (!spike) throw problems.notFound('Spike');
    return spike;
  };
  const notOpen = (spike: Spike) =>
    new ProblemError(409, 'conflict', `This spike is ${spike.state}; only an open one can change.`);

  for (const change of ['confirm', 'dismiss'] as const)
    app.post(
      `/v1/sites/:site/moderation/spikes/:spike/${change}`,
      {
        schema: {
          operationId: change === 'confirm' ? 'confirmSpike' : 'dismissSpike',
          summary:
            change === 'confirm'
              ? 'Staff: confirm an open spike; the public banner shows it ("Others are reporting problems with …").'
              : 'Staff: dismiss an open spike (noise); it leaves the banner and takes no more reports.',
          params: SpikeParams,
          headers: AuthHeaders,
          response: { 200: SpikeResult, ...problemResponses },
        },
        onRequest: staffOnly,
      },
      async (request, reply) => {
        const { site } = request;
        const actor = await staffOf(request);
        const before = await loadSpike(site.id, request.params.spike);
        const at = Date.now();
        const changed = await store.earlyWarning.setSpikeState(
          site.id,
          before.id,
          change,
          actor.kind === 'member' ? actor.member.id : null,
          at,
        );
        if (!changed) {
          if (change === 'confirm' && before.state === 'open') return { spike: before };
          throw notOpen(before);
        }
        const spike = await loadSpike(site.id, before.id);
        hub.publish({
          site: site.id,
          seq: await store.earlyWarning.announce(site.id, spike, at, 'spike.updated'),
        });
        reply.header('Cache-Control', CACHE_PRIVATE);
        return { spike };
      },
    );

  app.post(
    '/v1/sites/:site/moderation/spikes/:spike/declare',
    {
      schema: {
        operationId: 'declareSpike',
        summary:
          'Staff: open a manual incident from an open spike in one action; its reporters become the incident\'s "affected" list (a guest browser once).',
        params: SpikeParams,
        headers: AuthHeaders,
        body: S.DeclareSpikeRequest,
        response: { 201: DeclareResult, ...problemResponses },
      },
      onRequest: staffOnly,
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const { site } = request;
      const spike = await loadSpike(site.id, request.params.spike);
      if (spike.state !== 'open') throw notOpen(spike);
      // One incident per spike: of two clicks at once, the second finds it claimed (409).
      if (!(await store.earlyWarning.claim(site.id, spike.id, Date.now())))
        throw notOpen(await loadSpike(site.id, spike.id));
      const what = spike.componentName ?? spike.component;
      const created = await createManualIncident(store, site, {
        title: request.body.title ?? (what ? `Problems with ${what}` : 'Members report problems'),
        impact: request.body.impact ?? 'minor',
        components: spike.component ? [spike.component] : [],
        body: `${spike.members} member${spike.members === 1 ? '' : 's'} reported a problem${what ? ` with ${what}` : ''} since ${spike.detectedAt}. We are investigating.`,
      }).catch(async (err: unknown) => {
        await store.earlyWarning.release(site.id, spike.id);
        throw err;
      });
      if (created.kind !== 'ok') {
        await store.earlyWarning.release(site.id, spike.id);
        if (created.kind === 'invalid') throw problems.validation(created.errors);
        throw problems.notFound('Incident');
      }
      if (created.seq !== null) hub.publish({ site: site.id, seq: created.seq });
      const at = Date.now();
      const declared = await store.earlyWarning.declare(site.id, spike.id, created.incident.id, at);
      if (!declared) throw notOpen(await loadSpike(site.id, spike.id));
      hub.publish({ site: site.id, seq: declared.seq });
      const after = await loadSpike(site.id, spike.id);
      hub.publish({
        site: site.id,
        seq: await store.earlyWarning.announce(site.id, after, at, 'spike.updated'),
      });
      reply.header('Cache-Control', CACHE_PRIVATE);
      return reply.code(201).send({
        spike: after,
        incident: { ...created.incident, affectedCount: declared.count },
      });
    },
  );

  app.get(
    '/v1/sites/:site/moderation/members/:member/reputation',
    {
      schema: {
        operationId: 'getMemberReputation',
        summary:
          "Staff: a member's reputation (distinct people helped, verifications, removals) and trust level.",
        params: MemberParams,
        headers: AuthHeaders,
        response: { 200: S.MemberReputation, ...problemResponses },
      },
      onRequest: staffOnly,
    },
    async (request, reply): Promise<MemberReputation> => {
      const reputation = await store.reputation.of(request.site.id, request.params.member);
      if (!reputation) throw problems.notFound('Member');
      reply.header('Cache-Control', CACHE_PRIVATE);
      return reputation;
    },
  );
};
