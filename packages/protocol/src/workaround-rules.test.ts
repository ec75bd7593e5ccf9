import { describe, expect, it } from 'vitest';
import { validateWorkaround, WORKAROUND_MAX_EXPIRY_DAYS } from './workaround-rules.js';
import type { WorkaroundFields } from './resources.js';

const ok: WorkaroundFields = {
  title: 'Use the EU endpoint',
  steps: ['Open settings'],
  risk: 'safe',
};
const fields = (w: Partial<WorkaroundFields>) =>
  validateWorkaround({ ...ok, ...w }).map((e) => e.field);
const NOW = Date.parse('2026-11-23T12:00:00Z');

describe('validateWorkaround', () => {
  it('accepts a complete workaround', () => {
    expect(validateWorkaround(ok)).toEqual([]);
    expect(validateWorkaround({ ...ok, risk: 'risky', riskNote: 'May log you out.' })).toEqual([]);
  });

  it('requires a title, steps and a risk, with codes and limits for localised messages', () => {
    const errors = validateWorkaround({ title: ' ', steps: [] });
    expect(errors).toEqual([
      { field: 'title', code: 'required', message: 'This field is required.' },
      { field: 'steps', code: 'too_few_steps', message: 'Add at least one step.', limit: 1 },
      { field: 'risk', code: 'required', message: 'This field is required.' },
    ]);
    expect(validateWorkaround({ ...ok, title: 'abc' })[0]).toMatchObject({
      code: 'too_short',
      limit: 4,
    });
  });

  it('names the step that breaks a rule', () => {
    expect(fields({ steps: ['a', ' ', 'x'.repeat(501)] })).toEqual(['steps.1', 'steps.2']);
    expect(fields({ steps: Array.from({ length: 21 }, () => 'a') })).toEqual(['steps']);
  });

  it('wants a note when risky', () => {
    expect(fields({ risk: 'risky' })).toEqual(['riskNote']);
    expect(fields({ risk: 'risky', riskNote: 'x'.repeat(281) })).toEqual(['riskNote']);
  });

  it('allows https links only, at most 5 across the workaround', () => {
    expect(fields({ steps: ['see https://a.test'] })).toEqual([]);
    expect(fields({ steps: ['ok', 'javascript:alert(1)'] })).toEqual(['steps.1']);
    expect(fields({ title: 'see http://a.test now' })).toEqual(['title']);
    const six = Array.from({ length: 6 }, (_, i) => `https://${i}.test`);
    expect(validateWorkaround({ ...ok, steps: six })).toEqual([
      expect.objectContaining({ field: 'steps.5', code: 'too_many_links', limit: 5 }),
    ]);
  });

  it('checks the component against the known ones when given', () => {
    expect(validateWorkaround({ ...ok, component: 'api' }, { components: ['api'] })).toEqual([]);
    expect(validateWorkaround({ ...ok, component: 'x' }, { components: ['api'] })[0]?.code).toBe(
      'unknown_component',
    );
  });

  it('takes an expiry in the future within the limit; blank means "until resolved"', () => {
    const at = (ms: number) => new Date(NOW + ms).toISOString();
    const codes = (expiresAt: string | null) =>
      validateWorkaround({ ...ok, expiresAt }, { now: NOW }).map((e) => e.code);
    expect(codes(null)).toEqual([]);
    expect(codes('')).toEqual([]);
    expect(codes(at(3_600_000))).toEqual([]);
    expect(codes('soon')).toEqual(['expiry_invalid']);
    expect(codes(at(-3_600_000))).toEqual(['expiry_past']);
    expect(codes(at((WORKAROUND_MAX_EXPIRY_DAYS + 1) * 86_400_000))).toEqual(['expiry_too_far']);
  });
});
