/**
 * Sessions with fakes and fake timers: the proof-of-work retry, host sign-in (memory only), the
 * refresh before expiry and on 401, signing out back to the guest session.
 */
import { createChallenge } from 'altcha-lib/v1';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Session } from '@lifeboat/protocol';
import { SERVER, SITE, fakeServer, memoryStorage, problem } from '../test/fakes.js';
import { createLifeboat, type LifeboatClient } from './index.js';
import { tokenExpiry } from './session.js';

const SESSION_KEY = `lifeboat:${SERVER}:${SITE}:session`;
let client: LifeboatClient | undefined;

/** A host token with the given expiry (the SDK only reads `exp`; the server verifies). */
function hostToken(id: string, expSeconds: number): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${b64({ alg: 'HS256' })}.${b64({ id, name: id, exp: expSeconds })}.c2ln`;
}

const session = (token: string, name: string, expiresAt: number): Session => ({
  token,
  member: { id: `m-${name}`, displayName: name, role: 'member', staff: false },
  expiresAt: new Date(expiresAt).toISOString(),
});

function setup(options: Partial<Parameters<typeof createLifeboat>[0]> = {}) {
  const server = fakeServer();
  const storage = memoryStorage();
  client = createLifeboat({ server: SERVER, site: SITE, fetch: server.fetch, storage, ...options });
  return { server, storage };
}

beforeEach(() => {
  vi.useFakeTimers({ now: new Date('2030-01-01T00:00:00Z') });
});
afterEach(() => {
  client?.close();
  client = undefined;
  vi.useRealTimers();
});

describe('guest proof of work', () => {
  it('on 428 challenge_required: fetches the challenge, solves it, retries once with `altcha`', async () => {
    vi.useRealTimers();
    const { server } = setup();
    const challenge = await createChallenge({ hmacKey: 'k', maxnumber: 2000 });
    server.on('POST /sessions', problem(428, 'challenge_required'), (call) => ({
      status: 201,
      body: {
        ...session('tok-g', 'Gus', Date.now() + 86_400_000),
        altcha: (call.body as { altcha: string }).altcha,
      },
    }));
    server.on('GET /sessions/challenge', { body: challenge });
    const result = await client!.startSession('Gus');
    expect(result.token).toBe('tok-g');
    const retry = server.calls.filter((c) => c.path === '/sessions')[1]!;
    const payload = JSON.parse(atob((retry.body as { altcha: string }).altcha)) as {
      number: number;
      salt: string;
      signature: string;
    };
    expect(payload.signature).toBe(challenge.signature);
    const digest = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode(challenge.salt + payload.number),
    );
    expect(Buffer.from(digest).toString('hex')).toBe(challenge.challenge);
    expect(server.count('POST /sessions')).toBe(2);
  });

  it('a second refusal (challenge_failed) is reported, not retried forever', async () => {
    vi.useRealTimers();
    const { server } = setup();
    server.on(
      'POST /sessions',
      problem(428, 'challenge_required'),
      problem(422, 'challenge_failed'),
    );
    server.on('GET /sessions/challenge', {
      body: await createChallenge({ hmacKey: 'k', maxnumber: 500 }),
    });
    await expect(client!.startSession('Gus')).rejects.toMatchObject({ code: 'challenge_failed' });
    expect(server.count('POST /sessions')).toBe(2);
  });
});

describe('host sign-in', () => {
  it('exchanges the `identity` token at once; the session stays in memory, the guest one in storage', async () => {
    const now = Date.now();
    const token = hostToken('dana', now / 1000 + 3600);
    const server = fakeServer();
    const storage = memoryStorage({
      [SESSION_KEY]: JSON.stringify(session('tok-guest', 'Guest', now + 86_400_000)),
    });
    server.on('POST /sessions/sso', {
      status: 201,
      body: session('tok-sso', 'Dana', now + 3_600_000),
    });
    client = createLifeboat({
      server: SERVER,
      site: SITE,
      fetch: server.fetch,
      storage,
      identity: token,
    });
    expect(client.$session.get()).toBeNull(); // not the stored guest while signing in
    await vi.advanceTimersByTimeAsync(0);
    expect(server.calls.find((c) => c.path === '/sessions/sso')?.body).toEqual({ token });
    expect(client.$session.get()?.token).toBe('tok-sso');
    expect(JSON.parse(storage.getItem(SESSION_KEY)!).token).toBe('tok-guest');

    // Signing out returns to the stored guest session.
    expect(await client.identify(null)).toBeNull();
    expect(client.$session.get()?.token).toBe('tok-guest');
  });

  it('identify(token) signs in later; writes use the SSO session', async () => {
    const { server } = setup();
    server.on('POST /sessions/sso', {
      status: 201,
      body: session('tok-sso', 'Dana', Date.now() + 3_600_000),
    });
    const token = hostToken('dana', Date.now() / 1000 + 3600);
    const signedIn = await client!.identify(token);
    expect(signedIn?.member.displayName).toBe('Dana');
    // The same token again (the host page re-rendered) keeps the session: no second exchange.
    expect(await client!.identify(token)).toBe(signedIn);
    expect(server.count('POST /sessions/sso')).toBe(1);
    expect(await client!.startSession('ignored')).toMatchObject({ token: 'tok-sso' });
    expect(server.count('PATCH /sessions/me')).toBe(0);
    expect(server.count('POST /sessions')).toBe(0);
  });

  it('refreshes through the callback shortly before the host token expires', async () => {
    const now = Date.now();
    const first = hostToken('dana', now / 1000 + 600);
    const second = hostToken('dana', now / 1000 + 1200);
    const refreshIdentity = vi.fn(async () => second);
    const server = fakeServer();
    server.on(
      'POST /sessions/sso',
      { status: 201, body: session('tok-1', 'Dana', now + 600_000) },
      { status: 201, body: session('tok-2', 'Dana', now + 1_200_000) },
    );
    client = createLifeboat({
      server: SERVER,
      site: SITE,
      fetch: server.fetch,
      storage: memoryStorage(),
      identity: first,
      refreshIdentity,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(client.$session.get()?.token).toBe('tok-1');
    await vi.advanceTimersByTimeAsync(600_000 - 61_000);
    expect(refreshIdentity).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(refreshIdentity).toHaveBeenCalledTimes(1);
    expect(server.calls.filter((c) => c.path === '/sessions/sso').map((c) => c.body)).toEqual([
      { token: first },
      { token: second },
    ]);
    expect(client.$session.get()?.token).toBe('tok-2');
  });

  it('a refresh that returns null signs out', async () => {
    const now = Date.now();
    const server = fakeServer();
    server.on('POST /sessions/sso', { status: 201, body: session('tok-1', 'Dana', now + 600_000) });
    client = createLifeboat({
      server: SERVER,
      site: SITE,
      fetch: server.fetch,
      storage: memoryStorage(),
      identity: hostToken('dana', now / 1000 + 600),
      refreshIdentity: async () => null,
    });
    await vi.advanceTimersByTimeAsync(600_000);
    expect(client.$session.get()).toBeNull();
  });

  it('on 401 the token is exchanged again, refreshed when the exchange is refused', async () => {
    const now = Date.now();
    const stale = hostToken('dana', now / 1000 + 3600);
    const fresh = hostToken('dana', now / 1000 + 7200);
    const server = fakeServer();
    server.on(
      'POST /sessions/sso',
      { status: 201, body: session('tok-1', 'Dana', now + 3_600_000) },
      problem(401, 'unauthorized'),
      { status: 201, body: session('tok-2', 'Dana', now + 7_200_000) },
    );
    server.on('GET /members/me/export', problem(401, 'unauthorized'), {
      body: { exportedAt: new Date().toISOString(), posts: [] },
    });
    const refreshIdentity = vi.fn(async () => fresh);
    client = createLifeboat({
      server: SERVER,
      site: SITE,
      fetch: server.fetch,
      storage: memoryStorage(),
      identity: stale,
      refreshIdentity,
    });
    await vi.advanceTimersByTimeAsync(0);
    await expect(client.exportMyData()).resolves.toMatchObject({ posts: [] });
    expect(refreshIdentity).toHaveBeenCalledTimes(1);
    const exports = server.calls.filter((c) => c.path === '/members/me/export');
    expect(exports.map((c) => c.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('a refused token without a callback falls back to a guest session', async () => {
    const { server } = setup();
    server.on('POST /sessions/sso', problem(401, 'unauthorized'));
    server.on('POST /sessions', {
      status: 201,
      body: session('tok-g', 'Guest', Date.now() + 86_400_000),
    });
    await expect(client!.identify(hostToken('x', Date.now() / 1000 + 60))).rejects.toMatchObject({
      status: 401,
    });
    expect(await client!.startSession('Gus')).toMatchObject({ token: 'tok-g' });
  });
});

describe('own data', () => {
  it('deleteMyData erases on the server and forgets the stored session', async () => {
    const { server, storage } = setup();
    server.on('POST /sessions', {
      status: 201,
      body: session('tok-g', 'Gus', Date.now() + 86_400_000),
    });
    server.on('DELETE /members/me', { status: 204 });
    await client!.startSession('Gus');
    await client!.deleteMyData();
    expect(server.calls.at(-1)).toMatchObject({
      method: 'DELETE',
      headers: { authorization: 'Bearer tok-g' },
    });
    expect(client!.$session.get()).toBeNull();
    expect(storage.getItem(SESSION_KEY)).toBeNull();
  });

  it('without any session nothing is created: export rejects 401, delete does nothing', async () => {
    const { server } = setup();
    await expect(client!.exportMyData()).rejects.toMatchObject({ status: 401 });
    await client!.deleteMyData();
    expect(server.calls).toEqual([]);
  });
});

describe('tokenExpiry', () => {
  it('reads exp from a JWT payload, null otherwise', () => {
    expect(tokenExpiry(hostToken('a', 1234))).toBe(1_234_000);
    expect(tokenExpiry('garbage')).toBeNull();
  });
});
