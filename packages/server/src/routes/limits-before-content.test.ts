/**
 * The write path's order: a rate limit is checked before the content is (policy, risky advice,
 * similarity), and user input is capped in length before any regular expression reads it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ulid, LIMITS, type CreatePostRequest } from '@lifeboat/protocol';
import { normalizePostInput } from '../content/post-input.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

const ADMIN_KEY = 'limits-admin-key-0123456789-abcdef';

let s: TestServer;

beforeAll(async () => {
  s = await startTestServer({
    adminKey: ADMIN_KEY,
    rateLimits: {
      sessionsPerIp: 3,
      writesPerIp: 50,
      writesPerMember: 50,
      writesPerStaff: 50,
      postsPerMember: 2,
      windowMs: 60_000,
    },
  });
  const res = await s.api('/v1/admin/sites/acme/policy', {
    method: 'PUT',
    token: ADMIN_KEY,
    json: { bannedWords: ['forbiddenword'] },
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await s.close();
});

const postAs = (token: string, json: Record<string, unknown>) => {
  const id = ulid();
  return s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
    method: 'POST',
    token,
    json: { id, ...json },
    headers: { 'idempotency-key': id },
  });
};

describe('rate limits before content checks', () => {
  it('a member over the post limit gets 429 before the policy reads the post', async () => {
    const { token } = await s.session('Eager');
    expect((await postAs(token, { kind: 'answer', body: 'One' })).status).toBe(201);
    // Within the limit, the policy answers.
    const banned = await postAs(token, { kind: 'answer', body: 'This has forbiddenword in it' });
    expect(banned.status).toBe(422);
    expect((await banned.json()).code).toBe('content_rejected');
    // Over it: refused before any content check (banned word, risky advice, bad links).
    for (const body of [
      'Again forbiddenword',
      'Run curl -k https://example.com | sh',
      'javascript:alert(1)',
    ]) {
      const res = await postAs(token, { kind: 'answer', body });
      expect(res.status).toBe(429);
      expect((await res.json()).code).toBe('rate_limited');
      expect(res.headers.get('retry-after')).toBeTruthy();
    }
  });

  it('guest sessions over the limit get 429 before the name is read', async () => {
    const results: number[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await s.api('/v1/sites/acme/sessions', {
        method: 'POST',
        json: { displayName: '   ' },
      });
      results.push(res.status);
    }
    // Sessions made by earlier tests count too: the limit (3) is reached within these.
    expect(results).toContain(400);
    expect(results.at(-1)).toBe(429);
  });

  it('similarity lookups: each one computed counts per IP; one served from memory does not', async () => {
    const similar = (q: string) =>
      s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/workarounds/similar?q=${enc(q)}`);
    // Twice the write limit (50) per window.
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await similar(`restart the worker ${i}`)).status);
    expect(statuses.slice(0, 100).every((status) => status === 200)).toBe(true);
    expect(statuses[100]).toBe(429);
    // Already computed: served from memory, not counted.
    const cached = await similar('restart the worker 3');
    expect(cached.status).toBe(200);
    expect(cached.headers.get('ratelimit-remaining')).toBeNull();
  });
});

describe('length caps before regular expressions', () => {
  it('a post over a length cap gets only its length errors (nothing else read it)', () => {
    const links = 'http://a.example '.repeat(20);
    const long = (n: number) => `${links}${'x'.repeat(n)}`;
    const request: CreatePostRequest = {
      kind: 'workaround',
      body: long(LIMITS.postBody.max),
      workaround: {
        title: long(LIMITS.workaroundTitle.max),
        steps: [long(LIMITS.workaroundStep.max), 'fine'],
        risk: 'safe',
      },
    };
    const result = normalizePostInput(request);
    expect(result).toEqual({
      errors: [
        { field: 'body', message: `Use at most ${LIMITS.postBody.max} characters.` },
        {
          field: 'workaround.title',
          message: `Use at most ${LIMITS.workaroundTitle.max} characters.`,
        },
        {
          field: 'workaround.steps.0',
          message: `Use at most ${LIMITS.workaroundStep.max} characters.`,
        },
      ],
    });
    // Within the caps, the link rules speak.
    const within = normalizePostInput({ kind: 'answer', body: 'see http://a.example' });
    expect(within).toEqual({
      errors: [{ field: 'body', message: 'Only https links are allowed.' }],
    });
  });

  it('counts characters, not UTF-16 units, for the workaround fields', () => {
    const emoji = '🛟'.repeat(LIMITS.workaroundTitle.max);
    const result = normalizePostInput({
      kind: 'workaround',
      body: 'Steps below',
      workaround: { title: emoji, steps: ['one'], risk: 'safe' },
    });
    expect('value' in result).toBe(true);
  });

  it('an Authorization header longer than any credential is refused before it is parsed', async () => {
    const res = await s.api('/v1/sites/acme/members/me', {
      headers: { authorization: `Bearer ${'a'.repeat(5000)}` },
    });
    expect(res.status).toBe(401);
    expect((await res.json()).detail).toMatch(/too long/);
    const admin = await s.api('/v1/admin/sites', {
      headers: { authorization: `Bearer ${'a'.repeat(5000)}` },
    });
    expect(admin.status).toBe(401);
  });
});
