import { afterEach, describe, expect, it } from 'vitest';
import {
  INCIDENT_ID,
  SERVER,
  SITE,
  aSession,
  fakeEventSource,
  fakeServer,
  memoryStorage,
  problem,
} from '../test/fakes.js';
import { createLifeboat, LifeboatError, type LifeboatClient } from './index.js';

const path = `/incidents/${encodeURIComponent(INCIDENT_ID)}/email-subscriptions`;
let client: LifeboatClient;

function setup() {
  const server = fakeServer();
  client = createLifeboat({
    server: SERVER,
    site: SITE,
    fetch: server.fetch,
    EventSource: fakeEventSource(),
    storage: memoryStorage(),
  });
  server.on('POST /sessions', { status: 201, body: aSession('tok-1', 'Guest') });
  return server;
}

afterEach(() => client.close());

describe('client.subscribeByEmail', () => {
  it('starts a guest session and posts the trimmed request with it', async () => {
    const server = setup();
    const confirmBy = new Date(Date.now() + 86_400_000).toISOString();
    server.on(`POST ${path}`, { status: 202, body: { status: 'pending', confirmBy } });
    const result = await client.subscribeByEmail!(INCIDENT_ID, {
      email: ' dana@example.com ',
      onVerified: true,
      onResolved: false,
    });
    expect(result).toEqual({ status: 'pending', confirmBy });
    const call = server.calls.find((c) => c.path === path)!;
    expect(call.headers['authorization']).toBe('Bearer tok-1');
    expect(call.body).toEqual({ email: 'dana@example.com', onVerified: true, onResolved: false });
  });

  it('refuses a bad address or no choice before any request, with field errors', async () => {
    const server = setup();
    const error = await client.subscribeByEmail!(INCIDENT_ID, {
      email: 'x@y',
      onVerified: false,
      onResolved: false,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LifeboatError);
    expect((error as LifeboatError).fieldError('email')).toMatch(/email address/);
    expect((error as LifeboatError).fieldError('onVerified')).toMatch(/at least one/);
    expect(server.calls).toEqual([]);
  });

  it("passes the server's refusal on as a LifeboatError", async () => {
    const server = setup();
    server.on(`POST ${path}`, problem(429, 'rate_limited'));
    const error = await client.subscribeByEmail!(INCIDENT_ID, {
      email: 'dana@example.com',
      onVerified: true,
      onResolved: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LifeboatError);
    expect((error as LifeboatError).status).toBe(429);
  });
});
