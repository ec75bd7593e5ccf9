/**
 * Posts: `POST …/incidents/:incident/posts` (idempotent by `Idempotency-Key`), and the author's
 * `PATCH`/`DELETE …/posts/:post` within the edit window (`LIFEBOAT_EDIT_WINDOW_MS`).
 *
 * Moderation (ADR 0010, ../moderation/policy.ts): a banned member gets 403 `banned`; a banned word
 * 422 `content_rejected`; slow mode 429 `slow_mode`; a post (or an edit) that trips another rule
 * is stored `pending` with its reasons — only its author gets it back — until a moderator acts.
 * An author's edit of a verified or pinned post clears both marks (store/sql-posts.ts).
 */
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import * as S from '@lifeboat/protocol/schemas';
import { ulid, ULID_PATTERN } from '@lifeboat/protocol';
import { memberOf, memberOnly } from '../http/authenticate.js';
import { isStaffRole, judgePost, slowModeProblem } from '../moderation/standing.js';
import { normalizePostEdit, normalizePostInput, requestHash } from '../content/post-input.js';
import type { OwnPostOutcome } from '../store/store.js';
import { ProblemError, problems } from '../http/problem.js';
import { AuthHeaders, IncidentParams, PostParams, problemResponses } from './schemas.js';

const PostHeaders = Type.Object({
  authorization: Type.Optional(Type.String({ description: 'Bearer <session token>' })),
  'idempotency-key': Type.String({
    pattern: '^[A-Za-z0-9_-]{1,64}$',
    description: 'Unique per intended post; the SDK uses the post id.',
  }),
});

export const postRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, hub, limits, config } = app.lifeboat;
  const windowMinutes = Math.round(config.editWindowMs / 60_000);
  const windowText =
    windowMinutes >= 1
      ? `${windowMinutes} minute${windowMinutes === 1 ? '' : 's'}`
      : `${Math.round(config.editWindowMs / 1000)} seconds`;

  /** Maps an edit/delete outcome to the reply (after commit, tells the hub). */
  const ownPostReply = (siteId: string, outcome: OwnPostOutcome, reply: FastifyReply) => {
    switch (outcome.kind) {
      case 'ok':
        if (outcome.seq !== null) hub.publish({ site: siteId, seq: outcome.seq });
        return reply.code(200).send(outcome.post);
      case 'post_not_found':
        throw problems.notFound('Post');
      case 'not_owner':
        throw problems.forbidden('Only the author can edit or delete this post.');
      case 'window_closed':
        throw problems.forbidden(
          `A post can be edited or deleted only within ${windowText} of posting.`,
        );
      case 'deleted':
        throw new ProblemError(409, 'conflict', 'This post was deleted.');
      case 'thread_locked':
        throw new ProblemError(
          409,
          'thread_locked',
          `This thread is ${outcome.threadState}; its posts can no longer change.`,
        );
      case 'invalid':
        throw problems.field(outcome.field, outcome.message, 422);
    }
  };

  app.patch(
    '/v1/sites/:site/posts/:post',
    {
      schema: {
        operationId: 'editPost',
        summary:
          "Edits the member's own post within the edit window (403 after it, or for someone else's post). Writes post.updated with editedAt. An edit clears verified and pinned (staff read the new text before marking it again).",
        params: PostParams,
        headers: AuthHeaders,
        body: S.EditPostRequest,
        response: { 200: S.Post, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply) => {
      const member = await memberOf(request);
      const { site } = request;
      const known = request.body.workaround?.component
        ? (await store.listComponents(site.id)).map((c) => c.id)
        : [];
      const normalized = normalizePostEdit(request.body, {
        components: known.length > 0 ? known : undefined,
      });
      if ('errors' in normalized) throw problems.validation(normalized.errors);
      // An edit passes the same rules as a new post: one that trips a rule waits for review again.
      const { evaluation } = await judgePost(store, site, member, normalized.value);
      const outcome = await store.editPost(
        site.id,
        request.params.post,
        member.id,
        {
          ...normalized.value,
          ...(evaluation.decision === 'review' ? { moderationReasons: evaluation.reasons } : {}),
        },
        { windowMs: config.editWindowMs },
      );
      return ownPostReply(site.id, outcome, reply);
    },
  );

  app.delete(
    '/v1/sites/:site/posts/:post',
    {
      schema: {
        operationId: 'deletePost',
        summary:
          "Deletes the member's own post within the edit window: it stays in place as a tombstone (deletedAt, empty body). Repeating is a no-op.",
        params: PostParams,
        headers: AuthHeaders,
        response: { 200: S.Post, ...problemResponses },
      },
      onRequest: memberOnly,
    },
    async (request, reply) => {
      const member = await memberOf(request);
      const { site } = request;
      const outcome = await store.deletePost(site.id, request.params.post, member.id, {
        windowMs: config.editWindowMs,
      });
      return ownPostReply(site.id, outcome, reply);
    },
  );

  app.post(
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
      onRequest: memberOnly,
    },
    async (request, reply) => {
      const member = await memberOf(request);
      const { site } = request;
      const { incident } = request.params;
      // The member's post limit comes before any check of the content (lengths, links, policy).
      await limits.posts.hit(`member:${member.id}`, reply);
      const known = request.body.workaround?.component
        ? (await store.listComponents(site.id)).map((c) => c.id)
        : [];
      const normalized = normalizePostInput(request.body, {
        components: known.length > 0 ? known : undefined,
      });
      if ('errors' in normalized) throw problems.validation(normalized.errors);
      const id = request.body.id ?? ulid();
      if (!new RegExp(ULID_PATTERN).test(id)) throw problems.field('id', 'Use a ULID.');
      const { policy, evaluation } = await judgePost(store, site, member, normalized.value);

      const review = evaluation.decision === 'review';
      const outcome = await store.createPost({
        siteId: site.id,
        incidentId: incident,
        memberId: member.id,
        id,
        ...normalized.value,
        state: review ? 'pending' : 'published',
        ...(review ? { moderationReasons: evaluation.reasons } : {}),
        slowModeSeconds: isStaffRole(member) ? 0 : policy.slowModeSeconds,
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
        case 'member_erased':
          throw problems.unauthorized('This member erased their data; start a new session.');
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
        case 'slow_mode':
          throw slowModeProblem(policy.slowModeSeconds, outcome.retryAfter);
      }
    },
  );
};
