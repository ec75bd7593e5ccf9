import type { Post } from '@lifeboat/protocol';
import { cleanStores } from 'nanostores';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  INCIDENT_ID,
  SERVER,
  SITE,
  aPage,
  aPost,
  aSession,
  anIncident,
  fakeEventSource,
  fakeServer,
  memoryStorage,
  problem,
} from '../test/fakes.js';
import type { Call } from '../test/fakes.js';
import type { LifeboatClient } from './index.js';
import { createLifeboat, LifeboatError } from './index.js';

const enc = encodeURIComponent(INCIDENT_ID);
const SESSION_KEY = `lifeboat:${SERVER}:${SITE}:session`;
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
let client: LifeboatClient;

function setup(storage = memoryStorage()) {
  const server = fakeServer();
  const ES = fakeEventSource();
  client = createLifeboat({
    server: SERVER,
    site: SITE,
    fetch: server.fetch,
    EventSource: ES,
    storage,
  });
  server.on('GET /status', { body: { lastEventId: 10, incidents: [anIncident()] } });
  server.on(`GET /incidents/${enc}`, { body: anIncident() });
  server.on(`GET /incidents/${enc}/thread`, { body: aPage() });
  server.on('POST /sessions', (call) => ({
    status: 201,
    body: aSession(
      `tok-${server.count('POST /sessions')}`,
      (call.body as { displayName: string }).displayName,
    ),
  }));
  return { server, ES, storage };
}

/** The server's answer to a create: the request's post, published, by the session's member. */
const created = (call: Call): Post => {
  const body = call.body as { id: string; kind: Post['kind']; body: string };
  return aPost({
    id: body.id,
    kind: body.kind,
    body: body.body,
    counts: { worked: 0, didntWork: 0 },
  });
};

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  client.close();
  cleanStores(
    client.$status,
    client.incident(INCIDENT_ID),
    client.thread(INCIDENT_ID),
    client.me(INCIDENT_ID),
  );
  vi.useRealTimers();
});

describe('post()', () => {
  it('shows an optimistic entry at once and reconciles it by id with the reply and the event', async () => {
    const { server, ES } = setup();
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    let release!: () => void;
    server.on(`POST /incidents/${enc}/posts`, (call) =>
      new Promise<void>((resolve) => (release = resolve)).then(() => ({
        status: 201,
        body: created(call),
      })),
    );
    const sent = client.post(INCIDENT_ID, { kind: 'answer', body: 'Use the EU region' });
    const posts = client.thread(INCIDENT_ID).get().posts;
    expect(posts).toHaveLength(2);
    const local = posts[1]!;
    expect(local).toMatchObject({
      local: 'sending',
      body: 'Use the EU region',
      counts: { worked: 0, didntWork: 0 },
    });
    expect(local.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);

    await tick();
    const call = server.calls.find((c) => c.method === 'POST' && c.path.endsWith('/posts'))!;
    expect(call.headers['idempotency-key']).toBe(local.id);
    expect(call.headers.authorization).toBe('Bearer tok-1'); // a guest session was made for it
    expect(call.body).toMatchObject({ id: local.id, kind: 'answer', body: 'Use the EU region' });

    // The event can beat the reply: still one entry, no longer local.
    ES.last.send({ type: 'post.created', seq: 11, post: created(call) });
    expect(client.thread(INCIDENT_ID).get().posts).toHaveLength(2);
    release();
    const post = await sent;
    expect(post.id).toBe(local.id);
    const after = client.thread(INCIDENT_ID).get().posts;
    expect(after).toHaveLength(2);
    expect(after[1]!.local).toBeUndefined();
    ES.last.send({ type: 'post.created', seq: 12, post: created(call) });
    expect(client.thread(INCIDENT_ID).get().posts).toHaveLength(2);
    expect(client.$session.get()?.member.displayName).toBe('Guest');
  });

  it('keeps a failed post as failed and retryPost() resends it with the same key', async () => {
    const { server } = setup();
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    server.on(
      `POST /incidents/${enc}/posts`,
      problem(400, 'validation_failed', { errors: [{ field: 'body', message: 'Too many links' }] }),
      (call) => ({ status: 201, body: created(call) }),
    );
    const error = await client
      .post(INCIDENT_ID, { kind: 'answer', body: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LifeboatError);
    expect((error as LifeboatError).fieldError('body')).toBe('Too many links');
    const failed = client.thread(INCIDENT_ID).get().posts[1]!;
    expect(failed).toMatchObject({ local: 'failed', localError: { code: 'validation_failed' } });

    const post = await client.retryPost(INCIDENT_ID, failed.id);
    expect(post.id).toBe(failed.id);
    const keys = server.calls
      .filter((c) => c.path.endsWith('/posts'))
      .map((c) => c.headers['idempotency-key']);
    expect(keys).toEqual([failed.id, failed.id]);
    expect(client.thread(INCIDENT_ID).get().posts[1]!.local).toBeUndefined();
    await expect(client.retryPost(INCIDENT_ID, failed.id)).rejects.toMatchObject({
      code: 'not_found',
    });
  });

  it('retries network failures twice with the same key, then fails', async () => {
    const { server } = setup();
    server.on(`POST /incidents/${enc}/posts`, 'network');
    const sent = client.post(INCIDENT_ID, { kind: 'answer', body: 'x' }).catch((e: unknown) => e);
    await tick(5000);
    expect(await sent).toMatchObject({ code: 'network', status: 0 });
    const keys = server.calls
      .filter((c) => c.path.endsWith('/posts'))
      .map((c) => c.headers['idempotency-key']);
    expect(keys).toHaveLength(3);
    expect(new Set(keys).size).toBe(1);
    expect(client.thread(INCIDENT_ID).get().posts[0]).toMatchObject({ local: 'failed' });
  });

  it('succeeds when a network retry gets through', async () => {
    const { server } = setup();
    server.on(`POST /incidents/${enc}/posts`, 'network', (call) => ({
      status: 201,
      body: created(call),
    }));
    const sent = client.post(INCIDENT_ID, { kind: 'answer', body: 'x' });
    await tick(5000);
    await expect(sent).resolves.toMatchObject({ body: 'x' });
  });

  it('discardPost() drops a failed entry only', async () => {
    const { server } = setup();
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    server.on(`POST /incidents/${enc}/posts`, problem(409, 'thread_locked'));
    await client.post(INCIDENT_ID, { kind: 'answer', body: 'x' }).catch(() => {});
    const failed = client.thread(INCIDENT_ID).get().posts[1]!;
    client.discardPost(INCIDENT_ID, aPost().id); // a server post: kept
    client.discardPost(INCIDENT_ID, failed.id);
    expect(
      client
        .thread(INCIDENT_ID)
        .get()
        .posts.map((p) => p.id),
    ).toEqual([aPost().id]);
  });

  it('keeps optimistic entries when the thread snapshot arrives after them', async () => {
    const { server } = setup();
    server.on(`POST /incidents/${enc}/posts`, () => new Promise(() => {}));
    void client.post(INCIDENT_ID, { kind: 'answer', body: 'early' });
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    expect(
      client
        .thread(INCIDENT_ID)
        .get()
        .posts.map((p) => p.body),
    ).toEqual([aPost().body, 'early']);
  });
});

describe('react()', () => {
  async function mounted() {
    const ctx = setup(memoryStorage({ [SESSION_KEY]: JSON.stringify(aSession('tok-a')) }));
    ctx.server.on(`GET /incidents/${enc}/me`, { body: { affected: false, reactions: {} } });
    client.thread(INCIDENT_ID).listen(() => {});
    client.me(INCIDENT_ID).listen(() => {});
    await tick();
    return ctx;
  }
  const counts = () => client.thread(INCIDENT_ID).get().posts[0]!.counts;
  const route = `/posts/${aPost().id}/reaction`;

  it('updates counts and me at once, then takes the server result', async () => {
    const { server } = await mounted();
    let release!: () => void;
    server.on(`PUT ${route}`, (call) =>
      new Promise<void>((r) => (release = r)).then(() => {
        expect(call.body).toEqual({ kind: 'worked' });
        return {
          body: { postId: aPost().id, reaction: 'worked', counts: { worked: 5, didntWork: 0 } },
        };
      }),
    );
    const done = client.react(INCIDENT_ID, aPost().id, 'worked');
    expect(counts()).toEqual({ worked: 3, didntWork: 0 });
    expect(client.me(INCIDENT_ID).get().reactions).toEqual({ [aPost().id]: 'worked' });
    await tick();
    release();
    await done;
    expect(counts()).toEqual({ worked: 5, didntWork: 0 });
  });

  it('moves a reaction from one kind to the other and clears it', async () => {
    const { server } = await mounted();
    server.on(`PUT ${route}`, {
      body: { postId: aPost().id, reaction: 'worked', counts: { worked: 3, didntWork: 0 } },
    });
    await client.react(INCIDENT_ID, aPost().id, 'worked');
    server.on(`PUT ${route}`, () => new Promise(() => {}));
    void client.react(INCIDENT_ID, aPost().id, 'didnt_work');
    expect(counts()).toEqual({ worked: 2, didntWork: 1 });
    server.on(`DELETE ${route}`, {
      body: { postId: aPost().id, reaction: null, counts: { worked: 2, didntWork: 0 } },
    });
    await client.react(INCIDENT_ID, aPost().id, null);
    expect(client.me(INCIDENT_ID).get().reactions).toEqual({});
    expect(counts()).toEqual({ worked: 2, didntWork: 0 });
  });

  it('rolls back on error', async () => {
    const { server } = await mounted();
    server.on(`PUT ${route}`, problem(429, 'rate_limited', { retryAfter: 3 }));
    await expect(client.react(INCIDENT_ID, aPost().id, 'didnt_work')).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfter: 3,
    });
    expect(counts()).toEqual({ worked: 2, didntWork: 0 });
    expect(client.me(INCIDENT_ID).get().reactions).toEqual({});
  });
});

describe('setAffected()', () => {
  it('toggles optimistically in me, the incident and the status, and reconciles', async () => {
    const { server } = setup();
    client.$status.listen(() => {});
    client.incident(INCIDENT_ID).listen(() => {});
    await tick();
    const count = () => [
      client.incident(INCIDENT_ID).get().value?.affectedCount,
      client.$status.get().value?.incidents[0]!.affectedCount,
    ];
    let release!: () => void;
    server.on(`PUT /incidents/${enc}/affected`, () =>
      new Promise<void>((r) => (release = r)).then(() => ({
        body: { incidentId: INCIDENT_ID, affected: true, count: 10 },
      })),
    );
    const on = client.setAffected(INCIDENT_ID, true);
    expect(client.me(INCIDENT_ID).get().affected).toBe(true);
    expect(count()).toEqual([4, 4]);
    await tick();
    release();
    await expect(on).resolves.toMatchObject({ affected: true, count: 10 });
    expect(count()).toEqual([10, 10]);

    server.on(`DELETE /incidents/${enc}/affected`, 'network');
    await expect(client.setAffected(INCIDENT_ID, false)).rejects.toMatchObject({ code: 'network' });
    expect(client.me(INCIDENT_ID).get().affected).toBe(true);
    expect(count()).toEqual([10, 10]);

    server.on(`DELETE /incidents/${enc}/affected`, {
      body: { incidentId: INCIDENT_ID, affected: false, count: 9 },
    });
    await client.setAffected(INCIDENT_ID, false);
    expect(client.me(INCIDENT_ID).get().affected).toBe(false);
    expect(count()).toEqual([9, 9]);
  });
});

describe('session', () => {
  it('starts a session, persists it, and renames it later', async () => {
    const { server, storage } = setup();
    const session = await client.startSession('Ada');
    expect(session.member.displayName).toBe('Ada');
    expect(JSON.parse(storage.getItem(SESSION_KEY)!)).toEqual(session);
    server.on('PATCH /sessions/me', (call) => ({
      body: aSession('tok-1', (call.body as { displayName: string }).displayName),
    }));
    await client.startSession('Ada L.');
    expect(server.calls.at(-1)).toMatchObject({
      method: 'PATCH',
      headers: { authorization: 'Bearer tok-1' },
    });
    expect(client.$session.get()?.member.displayName).toBe('Ada L.');
    expect(JSON.parse(storage.getItem(SESSION_KEY)!).member.displayName).toBe('Ada L.');
  });

  it('restores the stored session in a new client', () => {
    setup(memoryStorage({ [SESSION_KEY]: JSON.stringify(aSession('stored')) }));
    expect(client.$session.get()?.token).toBe('stored');
  });

  it('ignores an expired or unreadable stored session', () => {
    setup(
      memoryStorage({
        [SESSION_KEY]: JSON.stringify({ ...aSession(), expiresAt: '2000-01-01T00:00:00Z' }),
      }),
    );
    expect(client.$session.get()).toBeNull();
    client.close();
    setup(memoryStorage({ [SESSION_KEY]: '{oops' }));
    expect(client.$session.get()).toBeNull();
  });

  it('drops a rejected session, makes a fresh one and retries once', async () => {
    const { server, storage } = setup(
      memoryStorage({ [SESSION_KEY]: JSON.stringify(aSession('stale', 'Ada')) }),
    );
    server.on(`PUT /incidents/${enc}/affected`, (call) =>
      call.headers.authorization === 'Bearer stale'
        ? problem(401, 'unauthorized')
        : { body: { incidentId: INCIDENT_ID, affected: true, count: 4 } },
    );
    await client.setAffected(INCIDENT_ID, true);
    expect(server.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      `PUT /incidents/${enc}/affected`,
      'POST /sessions',
      `PUT /incidents/${enc}/affected`,
    ]);
    expect(server.calls[1]!.body).toEqual({ displayName: 'Ada' });
    expect(client.$session.get()?.token).toBe('tok-1');
    expect(JSON.parse(storage.getItem(SESSION_KEY)!).token).toBe('tok-1');
  });

  it('gives up after one retry', async () => {
    const { server } = setup();
    server.on(`PUT /incidents/${enc}/affected`, problem(401, 'unauthorized'));
    await expect(client.setAffected(INCIDENT_ID, true)).rejects.toMatchObject({ status: 401 });
    expect(server.count('POST /sessions')).toBe(2);
    expect(server.count(`PUT /incidents/${enc}/affected`)).toBe(2);
  });

  it('uses a session another tab of the same visitor stored after this client started', async () => {
    const { server, storage } = setup();
    expect(client.$session.get()).toBeNull();
    storage.setItem(SESSION_KEY, JSON.stringify(aSession('other-tab', 'Ada')));
    server.on(`PUT /incidents/${enc}/affected`, {
      body: { incidentId: INCIDENT_ID, affected: true, count: 4 },
    });
    await client.setAffected(INCIDENT_ID, true);
    expect(server.count('POST /sessions')).toBe(0);
    expect(server.calls.at(-1)!.headers.authorization).toBe('Bearer other-tab');
    expect(client.$session.get()?.token).toBe('other-tab');
  });

  it('works without storage', async () => {
    setup(null as never);
    await expect(client.startSession('Ada')).resolves.toMatchObject({ token: 'tok-1' });
  });
});

describe('me()', () => {
  it('reads what the member did only when a session exists', async () => {
    const { server } = setup(memoryStorage({ [SESSION_KEY]: JSON.stringify(aSession('tok-a')) }));
    server.on(`GET /incidents/${enc}/me`, (call) => {
      expect(call.headers.authorization).toBe('Bearer tok-a');
      return { body: { affected: true, reactions: { P1: 'worked' } } };
    });
    client.me(INCIDENT_ID).listen(() => {});
    await tick();
    expect(client.me(INCIDENT_ID).get()).toEqual({ affected: true, reactions: { P1: 'worked' } });
  });

  it('creates no session just to read', async () => {
    const { server } = setup();
    client.me(INCIDENT_ID).listen(() => {});
    await tick();
    expect(server.calls).toEqual([]);
    expect(client.me(INCIDENT_ID).get()).toEqual({ affected: false, reactions: {} });
  });
});

describe('loadMore()', () => {
  it('follows nextCursor and appends without duplicates', async () => {
    const { server, ES } = setup();
    server.on(`GET /incidents/${enc}/thread`, { body: aPage({ nextCursor: 'c/2' }) }, (call) => {
      expect(call.path).toBe(`/incidents/${enc}/thread?cursor=c%2F2`);
      return {
        body: aPage({ posts: [aPost({ id: 'LIVE' }), aPost({ id: 'P3' })], nextCursor: null }),
      };
    });
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    ES.last.send({ type: 'post.created', seq: 11, post: aPost({ id: 'LIVE' }) });
    const more = client.loadMore(INCIDENT_ID);
    expect(client.thread(INCIDENT_ID).get().loadingMore).toBe(true);
    await more;
    expect(client.thread(INCIDENT_ID).get()).toMatchObject({
      loadingMore: false,
      nextCursor: null,
    });
    expect(
      client
        .thread(INCIDENT_ID)
        .get()
        .posts.map((p) => p.id),
    ).toEqual([aPost().id, 'LIVE', 'P3']);
    await client.loadMore(INCIDENT_ID); // nothing left: no request
    expect(server.count(`GET /incidents/${enc}/thread`)).toBe(2);
  });
});
