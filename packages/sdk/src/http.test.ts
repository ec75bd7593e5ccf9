import { describe, expect, it } from 'vitest';
import { BASE, fakeServer, problem } from '../test/fakes.js';
import { LifeboatError } from './client-types.js';
import { createRequest } from './http.js';

describe('request', () => {
  it('sends JSON with the bearer token and parses the reply', async () => {
    const server = fakeServer();
    server.on('POST /things', (call) => ({ status: 201, body: { got: call.body } }));
    const request = createRequest(BASE, server.fetch);
    await expect(request('POST', '/things', { body: { a: 1 }, token: 't' })).resolves.toEqual({
      got: { a: 1 },
    });
    expect(server.calls[0]!.headers).toMatchObject({
      authorization: 'Bearer t',
      'content-type': 'application/json',
    });
  });

  it('sends no content type without a body', async () => {
    const server = fakeServer();
    server.on('PUT /flag', { status: 200, body: {} });
    await createRequest(BASE, server.fetch)('PUT', '/flag');
    expect(server.calls[0]!.headers['content-type']).toBeUndefined();
  });

  it('turns problem+json into a LifeboatError with field errors', async () => {
    const server = fakeServer();
    server.on(
      'POST /posts',
      problem(400, 'validation_failed', {
        detail: 'The post is not valid.',
        errors: [{ field: 'body', message: 'Too long' }],
      }),
    );
    const error = await createRequest(BASE, server.fetch)('POST', '/posts', { body: {} }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LifeboatError);
    const e = error as LifeboatError;
    expect(e).toMatchObject({
      status: 400,
      code: 'validation_failed',
      message: 'The post is not valid.',
    });
    expect(e.fieldError('body')).toBe('Too long');
    expect(e.fieldError('title')).toBeUndefined();
  });

  it('reads Retry-After when the problem has no retryAfter', async () => {
    const server = fakeServer();
    server.on('GET /status', { status: 429, body: undefined, headers: { 'retry-after': '7' } });
    const e = (await createRequest(BASE, server.fetch)('GET', '/status').catch(
      (x: unknown) => x,
    )) as LifeboatError;
    expect(e).toMatchObject({ status: 429, code: 'rate_limited', retryAfter: 7 });
  });

  it('reports a network failure as code network, status 0', async () => {
    const server = fakeServer();
    server.on('GET /status', 'network');
    const e = (await createRequest(BASE, server.fetch)('GET', '/status').catch(
      (x: unknown) => x,
    )) as LifeboatError;
    expect(e).toBeInstanceOf(LifeboatError);
    expect(e).toMatchObject({ status: 0, code: 'network' });
  });
});
