import { describe, expect, it } from 'vitest';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { CreatePostRequest, CreateSessionRequest, WorkaroundFields } from './schemas.js';
import { LIMITS } from './limits.js';

describe('request schemas', () => {
  const post = TypeCompiler.Compile(CreatePostRequest);
  const session = TypeCompiler.Compile(CreateSessionRequest);
  const workaround = TypeCompiler.Compile(WorkaroundFields);

  it('accepts a minimal answer', () => {
    expect(post.Check({ kind: 'answer', body: 'Retry with a new token' })).toBe(true);
  });

  it('rejects unknown kinds, unknown fields and oversized bodies', () => {
    expect(post.Check({ kind: 'rant', body: 'x' })).toBe(false);
    expect(post.Check({ kind: 'answer', body: 'x', admin: true })).toBe(false);
    expect(post.Check({ kind: 'answer', body: 'x'.repeat(LIMITS.postBody.max + 1) })).toBe(false);
  });

  it('rejects an id that is not a ULID', () => {
    expect(post.Check({ id: 'not-a-ulid', kind: 'answer', body: 'x' })).toBe(false);
    expect(post.Check({ id: '01J9Z3Q4W5E6R7T8Y9U0I1O2P3', kind: 'answer', body: 'x' })).toBe(false);
    expect(post.Check({ id: '01J9Z3Q4W5E6R7T8Y9V0A1B2C3', kind: 'answer', body: 'x' })).toBe(true);
  });

  it('bounds display names', () => {
    expect(session.Check({ displayName: 'Ada' })).toBe(true);
    expect(session.Check({ displayName: '' })).toBe(false);
    expect(session.Check({ displayName: 'x'.repeat(61) })).toBe(false);
  });

  it('requires at least one step and a known risk for a workaround', () => {
    expect(
      workaround.Check({ title: 'Use the EU region', steps: ['Switch region'], risk: 'safe' }),
    ).toBe(true);
    expect(workaround.Check({ title: 'Use the EU region', steps: [], risk: 'safe' })).toBe(false);
    expect(workaround.Check({ title: 'Use the EU region', steps: ['x'], risk: 'yolo' })).toBe(
      false,
    );
  });
});
