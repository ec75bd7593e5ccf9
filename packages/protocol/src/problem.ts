/** RFC 9457 problem details with a machine code and per-field messages. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  /** Stable machine code, e.g. `validation_failed`, `rate_limited`. */
  code: ProblemCode;
  detail?: string;
  instance?: string;
  /** Per-field messages keyed by JSON pointer-ish path (`body`, `workaround.steps`). */
  errors?: Array<{ field: string; message: string }>;
  /** For 429: seconds to wait. */
  retryAfter?: number;
}

export type ProblemCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'origin_not_allowed'
  | 'not_found'
  | 'conflict'
  | 'idempotency_mismatch'
  | 'thread_locked'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'challenge_required'
  | 'challenge_failed'
  | 'content_rejected'
  | 'slow_mode'
  | 'banned'
  | 'internal';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function problemType(code: ProblemCode): string {
  return `https://lifeboat.dev/problems/${code.replace(/_/g, '-')}`;
}
