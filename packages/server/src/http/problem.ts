/**
 * RFC 9457 problem+json: the error class routes throw, the mapping of Fastify's own errors
 * (validation, JSON, content type, body size) to problems, and the error/not-found handlers.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  PROBLEM_CONTENT_TYPE,
  problemType,
  type Problem,
  type ProblemCode,
} from '@lifeboat/protocol';

type FieldError = { field: string; message: string };

const TITLES: Record<ProblemCode, string> = {
  validation_failed: 'The request is not valid',
  unauthorized: 'Sign-in required',
  forbidden: 'Not allowed',
  origin_not_allowed: 'This origin may not use this site',
  not_found: 'Not found',
  conflict: 'Conflict',
  idempotency_mismatch: 'Idempotency-Key reused with a different request',
  thread_locked: 'This thread is locked',
  payload_too_large: 'Request body too large',
  unsupported_media_type: 'Unsupported content type',
  rate_limited: 'Too many requests',
  challenge_required: 'Proof of work required',
  challenge_failed: 'Proof of work not accepted',
  content_rejected: 'This content is not allowed here',
  slow_mode: 'Slow mode is on',
  banned: 'Banned from this site',
  internal: 'Something went wrong on our side',
};

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
    readonly retryAfter?: number,
  ) {
    super(detail ?? TITLES[code]);
  }
}

export const problems = {
  validation: (errors: FieldError[], detail = 'Some fields need attention.') =>
    new ProblemError(400, 'validation_failed', detail, errors),
  field: (field: string, message: string, status = 400) =>
    new ProblemError(status, 'validation_failed', message, [{ field, message }]),
  notFound: (what = 'Resource') => new ProblemError(404, 'not_found', `${what} not found.`),
  unauthorized: (detail = 'A valid session token is required (Authorization: Bearer <token>).') =>
    new ProblemError(401, 'unauthorized', detail, undefined, { 'WWW-Authenticate': 'Bearer' }),
  forbidden: (detail = 'This needs a staff role or the admin key.') =>
    new ProblemError(403, 'forbidden', detail),
};

export function problemBody(
  status: number,
  code: ProblemCode,
  detail: string | undefined,
  extra: Partial<Problem> = {},
): Problem {
  return {
    type: problemType(code),
    title: TITLES[code],
    status,
    code,
    ...(detail ? { detail } : {}),
    ...extra,
  };
}

export function sendProblem(
  reply: FastifyReply,
  err: ProblemError,
  instance?: string,
): FastifyReply {
  // An error is about this request at this moment: no cache keeps it (a CDN in front included).
  reply.header('Cache-Control', 'no-store').headers(err.headers);
  const body = problemBody(err.status, err.code, err.message, {
    ...(instance ? { instance } : {}),
    ...(err.errors ? { errors: err.errors } : {}),
    ...(err.retryAfter !== undefined ? { retryAfter: err.retryAfter } : {}),
  });
  return reply.code(err.status).type(PROBLEM_CONTENT_TYPE).send(body);
}

interface AjvError {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** Maps Ajv errors to `{ field, message }`: `/workaround/steps/0` → `workaround.steps`; one message per field. */
export function fieldErrors(
  validation: readonly AjvError[],
  context: string | undefined,
): FieldError[] {
  const byField = new Map<string, string>();
  const fallback = new Map<string, string>();
  for (const e of validation) {
    const segments = (e.instancePath ?? '').split('/').filter((s) => s !== '' && !/^\d+$/.test(s));
    const extra = e.params?.['missingProperty'] ?? e.params?.['additionalProperty'];
    if (typeof extra === 'string') segments.push(extra);
    let field = segments.join('.');
    if (!field) field = context === 'body' || !context ? 'body' : context;
    const message = describe(e);
    // Union branches ("must be null", "must match a schema in anyOf") only speak when nothing else does.
    const noise = e.keyword === 'anyOf' || (e.keyword === 'type' && e.params?.['type'] === 'null');
    if (noise) {
      if (!fallback.has(field)) fallback.set(field, message);
    } else if (!byField.has(field)) {
      byField.set(field, message);
    }
  }
  for (const [field, message] of fallback) {
    const deeper = [...byField.keys()].some((f) => f.startsWith(field + '.'));
    if (!byField.has(field) && !deeper) byField.set(field, message);
  }
  return [...byField].map(([field, message]) => ({ field, message }));
}

function describe(e: AjvError): string {
  const p = e.params ?? {};
  switch (e.keyword) {
    case 'required':
      return 'This field is required.';
    case 'minLength':
      return p['limit'] === 1
        ? 'This field cannot be empty.'
        : `Use at least ${String(p['limit'])} characters.`;
    case 'maxLength':
      return `Use at most ${String(p['limit'])} characters.`;
    case 'minItems':
      return `Add at least ${String(p['limit'])}.`;
    case 'maxItems':
      return `Use at most ${String(p['limit'])}.`;
    case 'additionalProperties':
      return 'This field is not allowed.';
    case 'anyOf':
    case 'enum':
    case 'const':
      return 'This value is not one of the allowed ones.';
    default:
      return e.message
        ? e.message.charAt(0).toUpperCase() + e.message.slice(1) + '.'
        : 'Invalid value.';
  }
}

/** Turns any thrown error into a problem response; 5xx only for real server faults. */
export function toProblem(err: FastifyError | ProblemError | Error): ProblemError {
  if (err instanceof ProblemError) return err;
  const fe = err as FastifyError & { validationContext?: string };
  if (fe.validation)
    return problems.validation(fieldErrors(fe.validation as AjvError[], fe.validationContext));
  const status = fe.statusCode ?? 500;
  if (status === 413 || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ProblemError(413, 'payload_too_large', 'The request body is too large.');
  if (status === 415 || fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ProblemError(
      415,
      'unsupported_media_type',
      'Send JSON with Content-Type: application/json.',
    );
  }
  if (fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY')
    return problems.field('body', 'The request body is empty.');
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY')
    return problems.field('body', 'The request body is not valid JSON.');
  if (status === 404) return problems.notFound();
  if (status >= 400 && status < 500)
    return new ProblemError(
      status,
      status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : 'validation_failed',
      err.message,
    );
  return new ProblemError(500, 'internal', 'Unexpected error.');
}

export function registerProblemHandlers(app: FastifyInstance): void {
  app.setErrorHandler(
    (err: FastifyError | ProblemError, request: FastifyRequest, reply: FastifyReply) => {
      const problem = toProblem(err);
      if (problem.status >= 500) request.log.error({ err }, 'request failed');
      return sendProblem(reply, problem, request.url.split('?')[0]);
    },
  );
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problems.notFound('Route'), request.url.split('?')[0]),
  );
}
