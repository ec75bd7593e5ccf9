/** POST /v1/sites/:site/incidents/:incident/posts — idempotent by `Idempotency-Key`. */
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import { ulid, ULID_PATTERN } from '@lifeboat/protocol';
import { requireMember } from '../auth/member.js';
import { normalizePostInput, requestHash } from '../content/post-input.js';
import { ProblemError, problems } from '../http/problem.js';
import { IncidentParams, problemResponses } from './schemas.js';

const PostHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <session token>' })),
  'idempotency-key': Type.String({
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    description: 'Unique per intended post; the SDK uses the post id.',
  }),
});

export async function postRoutes(app: FastifyInstance): Promise<void> {
  const { store, hub, limits } = app.lifeboat;

  app.post<{
    Params: Static<typeof IncidentParams>;
    Body: Static<typeof S.CreatePostRequest>;
    Headers: Static<typeof PostHeaders>;
  }>(
    '/v1/sites/:site/incidents/:incident/posts',
    {
      schema: {
        operationId: 'createPost',
        summary:
          'Posts an answer, reply or workaround. A retry with the same Idempotency-Key returns the first post (200, Idempotent-Replayed: true).',
        params: IncidentParams,
        headers: PostHeaders,
        body: S.CreatePostRequest,
        response: { 200: S.Post, 201: S.Post, ...problemResponses },
      },
    },
    async (request, reply) => {
      const member = await requireMember(request);
      const site = request.site!;
      const { incident } = request.params;
      const known = request.body.workaround?.component
        ? (await store.listComponents(site.id)).map((c) => c.id)
        : [];
      const normalized = normalizePostInput(request.body, {
        components: known.length > 0 ? known : undefined,
      });
      if ('errors' in normalized) throw problems.validation(normalized.errors);
      const id = request.body.id ?? ulid();
      if (!new RegExp(ULID_PATTERN).test(id)) throw problems.field('id', 'Use a ULID.');
      limits.posts.hit(`member:${member.id}`, reply);

      const outcome = await store.createPost({
        siteId: site.id,
        incidentId: incident,
        memberId: member.id,
        id,
        ...normalized.value,
        state: 'published',
        idempotency: {
          key: request.headers['idempotency-key'],
          requestHash: requestHash(incident, request.body),
        },
      });
      switch (outcome.kind) {
        case 'created':
          hub.publish({ site: site.id, seq: outcome.seq });
          return reply
            .code(201)
            .header('Location', `/v1/sites/${site.slug}/posts/${outcome.post.id}`)
            .send(outcome.post);
        case 'replayed':
          return reply.code(200).header('Idempotent-Replayed', 'true').send(outcome.post);
        case 'idempotency_mismatch':
          throw new ProblemError(
            422,
            'idempotency_mismatch',
            'This Idempotency-Key was used for a different request.',
          );
        case 'id_conflict':
          throw new ProblemError(409, 'conflict', 'A post with this id already exists.');
        case 'incident_not_found':
          throw problems.notFound('Incident');
        case 'thread_locked':
          throw new ProblemError(
            409,
            'thread_locked',
            `This thread is ${outcome.threadState}; it takes no new posts.`,
          );
        case 'bad_parent':
          throw problems.field('parentId', outcome.message, 422);
      }
    },
  );
}
