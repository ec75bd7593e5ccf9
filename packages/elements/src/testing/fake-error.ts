import type { Problem } from '@lifeboat/protocol';
import type { LifeboatError } from '@lifeboat/sdk';

/** Same shape as the SDK's LifeboatError, without importing the SDK's runtime in tests. */
export class FakeLifeboatError extends Error implements LifeboatError {
  readonly status: number;
  readonly code: Problem['code'] | 'network';
  readonly errors: ReadonlyArray<{ field: string; message: string }>;
  readonly retryAfter: number | undefined = undefined;

  constructor(
    title: string,
    options: {
      status?: number;
      code?: Problem['code'] | 'network';
      errors?: Array<{ field: string; message: string }>;
    } = {},
  ) {
    super(title);
    this.name = 'LifeboatError';
    this.status = options.status ?? 422;
    this.code = options.code ?? 'validation_failed';
    this.errors = options.errors ?? [];
  }

  fieldError(field: string): string | undefined {
    return this.errors.find((e) => e.field === field)?.message;
  }
}
