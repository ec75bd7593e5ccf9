import type { LifeboatError } from '@lifeboat/sdk';
import { messages } from '../localize.js';

/** Field name → message. */
export type FieldErrors = Record<string, string>;

/** A LifeboatError (or anything shaped like one), without importing the SDK's runtime. */
export function isLifeboatError(error: unknown): error is LifeboatError {
  return error instanceof Error && Array.isArray((error as Partial<LifeboatError>).errors);
}

/** Length check with the shared messages; returns the error or undefined. */
export function checkLength(
  value: string,
  limits: { min?: number; max?: number },
  required = true,
): string | undefined {
  const m = messages();
  const length = [...value.trim()].length;
  if (length === 0) return required ? m.required : undefined;
  if (limits.min !== undefined && length < limits.min) return m.tooShort(limits.min);
  if (limits.max !== undefined && length > limits.max) return m.tooLong(limits.max);
  return undefined;
}

/**
 * Maps a server error's field messages onto form fields: `aliases` turns server names
 * (`workaround.steps.2`) into field names (`step-2`); unknown fields are returned apart.
 */
export function mapServerErrors(
  error: LifeboatError,
  alias: (serverField: string) => string | undefined,
): { fields: FieldErrors; unmapped: string[] } {
  const fields: FieldErrors = {};
  const unmapped: string[] = [];
  for (const { field, message } of error.errors) {
    const name = alias(field);
    if (name && !fields[name]) fields[name] = message;
    else if (!name) unmapped.push(message);
  }
  return { fields, unmapped };
}

/** Focuses the first element of `root` with aria-invalid="true" (after render). */
export function focusFirstInvalid(root: ParentNode): void {
  root.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
}
