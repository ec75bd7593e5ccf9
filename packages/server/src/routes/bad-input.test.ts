import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '@lifeboat/protocol';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';

let s: TestServer;
let alice: Session;
let postsPath: string;

const create = (token: string, key: string, json: unknown) =>
  s.api(postsPath, { method: 'POST', token, json, headers: { 'idempotency-key': key } });

beforeAll(async () => {
  s = await startTestServer();
  alice = await s.session('Alice');
  postsPath = `/v1/sites/acme/incidents/${enc(s.incident)}/posts`;
});
afterAll(async () => {
  await s.close();
});

describe('bad input stores nothing', () => {
  const cases: Array<[string, unknown, number, string]> = [
    ['empty body', { kind: 'answer', body: '   ' }, 400, 'body'],
    ['too long', { kind: 'answer', body: 'x'.repeat(5001) }, 400, 'body'],
    ['http link', { kind: 'answer', body: 'see http://example.com' }, 400, 'body'],
    ['javascript link', { kind: 'answer', body: '[x](javascript:alert(1))' }, 400, 'body'],
    ['data link', { kind: 'answer', body: 'data:text/html;base64,PHNjcmlwdD4=' }, 400, 'body'],
    [
      'too many links',
      { kind: 'answer', body: Array.from({ length: 6 }, (_, i) => `https://e.com/${i}`).join(' ') },
      400,
      'body',
    ],
    ['unknown kind', { kind: 'essay', body: 'x' }, 400, 'kind'],
    ['missing kind', { body: 'x' }, 400, 'kind'],
    ['bad id', { id: 'not-a-ulid', kind: 'answer', body: 'x' }, 400, 'id'],
    ['extra field', { kind: 'answer', body: 'x', admin: true }, 400, 'admin'],
    ['workaround without fields', { kind: 'workaround', body: 'x' }, 400, 'workaround'],
    [
      'workaround without steps',
      {
        kind: 'workaround',
        body: 'x',
        workaround: { title: 'Restart it', steps: [], risk: 'safe' },
      },
      400,
      'workaround.steps',
    ],
    [
      'workaround blank step',
      {
        kind: 'workaround',
        body: 'x',
        workaround: { title: 'Restart it', steps: ['  '], risk: 'safe' },
      },
      400,
      'workaround.steps.0',
    ],
    [
      'workaround http step',
      {
        kind: 'workaround',
        body: 'x',
        workaround: { title: 'Restart it', steps: ['go to http://x.io'], risk: 'safe' },
      },
      400,
      'workaround.steps.0',
    ],
    [
      'workaround short title',
      { kind: 'workaround', body: 'x', workaround: { title: 'ab', steps: ['a'], risk: 'safe' } },
      400,
      'workaround.title',
    ],
    [
      'workaround bad risk',
      {
        kind: 'workaround',
        body: 'x',
        workaround: { title: 'Restart it', steps: ['a'], risk: 'yolo' },
      },
      400,
      'workaround.risk',
    ],
  ];
  for (const [name, body, status, field] of cases) {
    it(`${name} → ${status} with a ${field} field error`, async () => {
      const counts = [s.count('posts'), s.count('events'), s.count('idempotency_keys')];
      const res = await create(alice.token, `bad-${name.replace(/\W/g, '-')}`, body);
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = await res.json();
      expect(problem.code).toBe('validation_failed');
      expect(problem.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect([s.count('posts'), s.count('events'), s.count('idempotency_keys')]).toEqual(counts);
    });
  }

  it('malformed JSON → 400, wrong content type → 415, too large → 413', async () => {
    const counts = [s.count('posts'), s.count('events')];
    const headers = { 'idempotency-key': 'raw', authorization: `Bearer ${alice.token}` };
    const malformed = await s.api(postsPath, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"kind":',
    });
    expect(malformed.status).toBe(400);
    expect((await malformed.json()).code).toBe('validation_failed');
    const text = await s.api(postsPath, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(text.status).toBe(415);
    expect((await text.json()).code).toBe('unsupported_media_type');
    const big = await s.api(postsPath, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'answer', body: 'x'.repeat(40_000) }),
    });
    expect(big.status).toBe(413);
    expect((await big.json()).code).toBe('payload_too_large');
    const empty = await s.api(postsPath, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '',
    });
    expect(empty.status).toBe(400);
    expect([s.count('posts'), s.count('events')]).toEqual(counts);
  });
});
