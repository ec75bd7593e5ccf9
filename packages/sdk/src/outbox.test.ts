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
import { createLifeboat } from './index.js';

const enc = encodeURIComponent(INCIDENT_ID);
const SESSION_KEY = `lifeboat:${SERVER}:${SITE}:session`;
const OUTBOX_KEY = `lifeboat:${SERVER}:${SITE}:outbox`;
const POSTS = `POST /incidents/${enc}/posts`;
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
const clients: LifeboatClient[] = [];
let network: { onLine: boolean };
let win: EventTarget;

function setup(storage = memoryStorage({ [SESSION_KEY]: JSON.stringify(aSession('tok-a')) })) {
  const server = fakeServer();
  const ES = fakeEventSource();
  const client = createLifeboat({
    server: SERVER,
    site: SITE,
    fetch: server.fetch,
    EventSource: ES,
    storage,
  });
  clients.push(client);
  server.on('GET /status', { body: { lastEventId: 10, incidents: [anIncident()] } });
  server.on(`GET /incidents/${enc}/thread`, { body: aPage() });
  server.on(POSTS, (call) => ({ status: 201, body: created(call) }));
  return { server, client, storage, ES };
}

const created = (call: Call): Post => {
  const body = call.body as { id: string; body: string };
  return aPost({ id: body.id, body: body.body, counts: { worked: 0, didntWork: 0 } });
};
const posts = (client: LifeboatClient) => client.thread(INCIDENT_ID).get().posts;
const stored = (storage: { getItem(k: string): string | null }) =>
  JSON.parse(storage.getItem(OUTBOX_KEY) ?? '[]') as Array<{ id: string; state: string }>;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  network = { onLine: true };
  win = new EventTarget();
  vi.stubGlobal('navigator', network);
  vi.stubGlobal('addEventListener', win.addEventListener.bind(win));
  vi.stubGlobal('removeEventListener', win.removeEventListener.bind(win));
});
afterEach(() => {
  for (const client of clients.splice(0)) {
    client.close();
    cleanStores(client.$status, client.thread(INCIDENT_ID));
  }
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('outbox', () => {
  it('keeps a post written offline as pending, in localStorage, without sending it', async () => {
    const { server, client, storage } = setup();
    network.onLine = false;
    const post = await client.post(INCIDENT_ID, { kind: 'answer', body: 'Written on the train' });
    expect(post).toMatchObject({ local: 'pending', body: 'Written on the train' });
    expect(server.count(POSTS)).toBe(0);
    expect(stored(storage)).toEqual([expect.objectContaining({ id: post.id, state: 'pending' })]);
    expect(posts(client).find((p) => p.id === post.id)).toMatchObject({ local: 'pending' });
  });

  it('survives a reload and is sent exactly once, with its id as Idempotency-Key, when back online', async () => {
    const first = setup();
    network.onLine = false;
    const post = await first.client.post(INCIDENT_ID, { kind: 'answer', body: 'Queued' });
    first.client.close();

    // The reloaded page: a new client on the same storage, still offline.
    const { server, client, storage } = setup(first.storage);
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    expect(posts(client).map((p) => [p.id, p.local])).toEqual([
      [aPost().id, undefined],
      [post.id, 'pending'],
    ]);
    expect(server.count(POSTS)).toBe(0);

    network.onLine = true;
    win.dispatchEvent(new Event('online'));
    win.dispatchEvent(new Event('online'));
    await tick();
    const sent = server.calls.filter((c) => `${c.method} ${c.path}` === POSTS);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers['idempotency-key']).toBe(post.id);
    expect(sent[0]!.body).toMatchObject({ id: post.id, body: 'Queued' });
    const mine = posts(client).filter((p) => p.id === post.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ body: 'Queued' });
    expect(mine[0]!.local).toBeUndefined();
    expect(storage.getItem(OUTBOX_KEY)).toBeNull();
    win.dispatchEvent(new Event('online'));
    await tick();
    expect(server.count(POSTS)).toBe(1);
  });

  it('sends what an earlier page left at once when online, and keeps refused posts as failed', async () => {
    const storage = memoryStorage({
      [SESSION_KEY]: JSON.stringify(aSession('tok-a')),
      [OUTBOX_KEY]: JSON.stringify([
        {
          id: '01J00000000000000000000OK1',
          incidentId: INCIDENT_ID,
          request: { id: '01J00000000000000000000OK1', kind: 'answer', body: 'Left behind' },
          author: aSession('tok-a').member,
          createdAt: '2026-01-01T10:10:00.000Z',
          state: 'pending',
        },
      ]),
    });
    const { server, client } = setup(storage);
    server.on(POSTS, problem(409, 'thread_locked'));
    await tick();
    expect(server.count(POSTS)).toBe(1);
    expect(posts(client)[0]).toMatchObject({
      id: '01J00000000000000000000OK1',
      local: 'failed',
      localError: { code: 'thread_locked' },
    });
    expect(stored(storage)).toEqual([expect.objectContaining({ state: 'failed' })]);
    // A refusal is not retried by coming back online; the visitor retries or discards.
    win.dispatchEvent(new Event('online'));
    await tick();
    expect(server.count(POSTS)).toBe(1);
    client.discardPost(INCIDENT_ID, '01J00000000000000000000OK1');
    expect(storage.getItem(OUTBOX_KEY)).toBeNull();
    expect(posts(client).map((p) => p.id)).not.toContain('01J00000000000000000000OK1');
  });

  it('remembers the name typed offline before any session, across a reload, and starts the session with it', async () => {
    const first = setup(memoryStorage());
    network.onLine = false;
    const post = await first.client.post(
      INCIDENT_ID,
      { kind: 'answer', body: 'Before any session' },
      { displayName: '  Robin  ' },
    );
    expect(post).toMatchObject({ local: 'pending', author: { displayName: 'Robin' } });
    expect(first.server.count('POST /sessions')).toBe(0);
    first.client.close();

    const { server, client, storage } = setup(first.storage);
    server.on('POST /sessions', (call) => ({
      status: 201,
      body: aSession('tok-new', (call.body as { displayName: string }).displayName),
    }));
    server.on(POSTS, (call) => ({
      status: 201,
      body: aPost({
        id: (call.body as { id: string }).id,
        author: aSession('tok-new', 'Robin').member,
      }),
    }));
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    expect(posts(client).find((p) => p.id === post.id)?.author.displayName).toBe('Robin');
    network.onLine = true;
    win.dispatchEvent(new Event('online'));
    await tick();
    const sessions = server.calls.filter((c) => `${c.method} ${c.path}` === 'POST /sessions');
    expect(sessions.map((c) => c.body)).toEqual([{ displayName: 'Robin' }]);
    const sent = server.calls.filter((c) => `${c.method} ${c.path}` === POSTS);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.headers.authorization).toBe('Bearer tok-new');
    expect(client.$session.get()?.member.displayName).toBe('Robin');
    expect(posts(client).filter((p) => p.id === post.id)).toEqual([
      expect.objectContaining({ author: expect.objectContaining({ displayName: 'Robin' }) }),
    ]);
    expect(storage.getItem(OUTBOX_KEY)).toBeNull();
  });

  it('ignores the typed name when a session exists (the member keeps their name)', async () => {
    const { server, client } = setup();
    network.onLine = false;
    const post = await client.post(
      INCIDENT_ID,
      { kind: 'answer', body: 'Has a session' },
      { displayName: 'Someone else' },
    );
    expect(post.author.displayName).toBe(aSession('tok-a').member.displayName);
    network.onLine = true;
    win.dispatchEvent(new Event('online'));
    await tick();
    expect(server.count('POST /sessions')).toBe(0);
    expect(server.count(POSTS)).toBe(1);
  });

  it('edits and deletes a post still in the outbox without a request', async () => {
    const { server, client, storage } = setup();
    network.onLine = false;
    const a = await client.post(INCIDENT_ID, { kind: 'answer', body: 'Typo' });
    const b = await client.post(INCIDENT_ID, { kind: 'answer', body: 'Never mind' });
    await client.editPost(INCIDENT_ID, a.id, { body: 'Fixed' });
    await client.deletePost(INCIDENT_ID, b.id);
    expect(posts(client).map((p) => p.body)).toEqual(['Fixed']);
    network.onLine = true;
    win.dispatchEvent(new Event('online'));
    await tick();
    expect(server.calls.filter((c) => c.method !== 'GET').map((c) => c.body)).toEqual([
      expect.objectContaining({ id: a.id, body: 'Fixed' }),
    ]);
    expect(storage.getItem(OUTBOX_KEY)).toBeNull();
  });
});

describe('editPost() and deletePost()', () => {
  async function mounted() {
    const ctx = setup();
    ctx.client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    return ctx;
  }
  const path = `/posts/${aPost().id}`;

  it('shows the edit at once, then takes the server post', async () => {
    const { server, client } = await mounted();
    let release!: () => void;
    server.on(`PATCH ${path}`, (call) =>
      new Promise<void>((r) => (release = r)).then(() => ({
        body: aPost({
          body: (call.body as { body: string }).body,
          editedAt: '2026-01-01T10:20:00.000Z',
        }),
      })),
    );
    const done = client.editPost(INCIDENT_ID, aPost().id, { body: 'Try the US region.' });
    expect(posts(client)[0]).toMatchObject({ body: 'Try the US region.' });
    expect(posts(client)[0]!.editedAt).not.toBeNull();
    await tick();
    release();
    await done;
    expect(posts(client)[0]).toMatchObject({
      body: 'Try the US region.',
      editedAt: '2026-01-01T10:20:00.000Z',
    });
  });

  it('applies live counts and the server score in place; post.updated brings edits and tombstones', async () => {
    const { client, ES } = await mounted();
    ES.last.open();
    ES.last.send({
      type: 'reaction.changed',
      seq: 11,
      incidentId: INCIDENT_ID,
      postId: aPost().id,
      counts: { worked: 4, didntWork: 1 },
      score: 0.42,
    });
    expect(posts(client)[0]).toMatchObject({ counts: { worked: 4, didntWork: 1 }, score: 0.42 });
    ES.last.send({
      type: 'post.updated',
      seq: 12,
      post: aPost({ body: 'Edited', editedAt: '2026-01-01T10:30:00.000Z' }),
    });
    expect(posts(client)).toHaveLength(1);
    expect(posts(client)[0]).toMatchObject({ body: 'Edited' });
    ES.last.send({
      type: 'post.updated',
      seq: 13,
      post: aPost({ body: '', deletedAt: '2026-01-01T10:31:00.000Z' }),
    });
    expect(posts(client)).toHaveLength(1);
    expect(posts(client)[0]!.deletedAt).toBe('2026-01-01T10:31:00.000Z');
  });

  it('rolls an edit back when the server refuses (window closed)', async () => {
    const { server, client } = await mounted();
    server.on(`PATCH ${path}`, problem(403, 'forbidden', { detail: 'Only within 15 minutes.' }));
    await expect(
      client.editPost(INCIDENT_ID, aPost().id, { body: 'Too late' }),
    ).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    expect(posts(client)[0]).toMatchObject({ body: aPost().body, editedAt: null });
  });

  it('deletes to a tombstone at once and rolls back on failure', async () => {
    const { server, client } = await mounted();
    server.on(`DELETE ${path}`, problem(403, 'forbidden'));
    const failed = client.deletePost(INCIDENT_ID, aPost().id).catch((e: unknown) => e);
    expect(posts(client)[0]).toMatchObject({ body: '' });
    expect(posts(client)[0]!.deletedAt).toBeTruthy();
    expect(await failed).toMatchObject({ code: 'forbidden' });
    expect(posts(client)[0]).toMatchObject({ body: aPost().body });
    expect(posts(client)[0]!.deletedAt).toBeUndefined();

    server.on(`DELETE ${path}`, {
      body: aPost({ body: '', deletedAt: '2026-01-01T10:21:00.000Z' }),
    });
    await client.deletePost(INCIDENT_ID, aPost().id);
    expect(posts(client)).toHaveLength(1);
    expect(posts(client)[0]).toMatchObject({ body: '', deletedAt: '2026-01-01T10:21:00.000Z' });
  });
});
