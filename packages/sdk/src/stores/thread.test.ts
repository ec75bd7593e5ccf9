import { cleanStores } from 'nanostores';
import { afterEach, describe, expect, it, vi } from 'vitest';
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
} from '../../test/fakes.js';
import type { LifeboatClient } from '../index.js';
import { createLifeboat } from '../index.js';

const enc = encodeURIComponent(INCIDENT_ID);
const THREAD = `GET /incidents/${enc}/thread`;
const tick = () => vi.advanceTimersByTimeAsync(0);
const clients: LifeboatClient[] = [];

function setup() {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
  const server = fakeServer();
  const client = createLifeboat({
    server: SERVER,
    site: SITE,
    fetch: server.fetch,
    EventSource: fakeEventSource(),
    storage: memoryStorage({
      [`lifeboat:${SERVER}:${SITE}:session`]: JSON.stringify(aSession('tok-a')),
    }),
  });
  clients.push(client);
  server.on('GET /status', { body: { lastEventId: 10, incidents: [anIncident()] } });
  return { server, client };
}

const threadCalls = (server: ReturnType<typeof fakeServer>) =>
  server.calls.filter((c) => c.method === 'GET' && c.path.startsWith(`/incidents/${enc}/thread`));

afterEach(() => {
  for (const client of clients.splice(0)) {
    client.close();
    cleanStores(client.thread(INCIDENT_ID));
  }
  vi.useRealTimers();
});

describe('thread store order', () => {
  it('loads the first page in the order chosen before listening, and "load more" continues it', async () => {
    const { server, client } = setup();
    server.on(
      THREAD,
      { body: aPage({ posts: [aPost({ id: 'BEST' })], nextCursor: 'c-1' }) },
      { body: aPage({ posts: [aPost({ id: 'NEXT' })], nextCursor: null }) },
    );
    await client.sortThread(INCIDENT_ID, 'helpful');
    expect(threadCalls(server)).toHaveLength(0);
    const store = client.thread(INCIDENT_ID);
    store.listen(() => {});
    await tick();
    expect(store.get()).toMatchObject({ state: 'ready', sort: 'helpful', nextCursor: 'c-1' });
    await client.loadMore(INCIDENT_ID);
    expect(threadCalls(server).map((c) => c.path)).toEqual([
      `/incidents/${enc}/thread?sort=helpful`,
      `/incidents/${enc}/thread?sort=helpful&cursor=c-1`,
    ]);
    expect(store.get().posts.map((p) => p.id)).toEqual(['BEST', 'NEXT']);
  });

  it('reloads the first page in a new order, keeping posts not yet sent', async () => {
    const { server, client } = setup();
    server.on(
      THREAD,
      { body: aPage({ posts: [aPost({ id: 'OLD1' }), aPost({ id: 'OLD2' })], nextCursor: 'o' }) },
      { body: aPage({ posts: [aPost({ id: 'NEW9' })], nextCursor: 'n' }) },
    );
    server.on(`POST /incidents/${enc}/posts`, 'network');
    const store = client.thread(INCIDENT_ID);
    store.listen(() => {});
    await tick();
    vi.stubGlobal('navigator', { onLine: false });
    const local = await client.post(INCIDENT_ID, { kind: 'answer', body: 'Mine' });
    vi.unstubAllGlobals();
    await client.sortThread(INCIDENT_ID, 'newest');
    expect(threadCalls(server).map((c) => c.path)).toEqual([
      `/incidents/${enc}/thread`,
      `/incidents/${enc}/thread?sort=newest`,
    ]);
    expect(store.get()).toMatchObject({ sort: 'newest', nextCursor: 'n' });
    expect(store.get().posts.map((p) => p.id)).toEqual(['NEW9', local.id]);
    // The same order again: nothing to fetch.
    await client.sortThread(INCIDENT_ID, 'newest');
    expect(threadCalls(server)).toHaveLength(2);
  });
});

describe('flag', () => {
  it('reports a post with its reason and note, starting a guest session when there is none', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const server = fakeServer();
    const client = createLifeboat({
      server: SERVER,
      site: SITE,
      fetch: server.fetch,
      EventSource: fakeEventSource(),
      storage: memoryStorage(),
    });
    clients.push(client);
    server.on('POST /sessions', { status: 201, body: aSession('tok-g') });
    server.on('POST /posts/P1/flags', (call) => ({
      status: 201,
      body: { postId: 'P1', count: 1, hidden: false, echo: call.body },
    }));
    const result = await client.flag('P1', 'phishing', '  fake login page  ');
    expect(result).toMatchObject({ postId: 'P1', count: 1, hidden: false });
    const call = server.calls.find((c) => c.path === '/posts/P1/flags')!;
    expect(call.body).toEqual({ reason: 'phishing', note: 'fake login page' });
    expect(call.headers.authorization).toBe('Bearer tok-g');
    server.on('POST /posts/P2/flags', {
      status: 404,
      body: { type: 'about:blank', title: 'Not found', status: 404, code: 'not_found' },
    });
    await expect(client.flag('P2', 'spam')).rejects.toMatchObject({
      name: 'LifeboatError',
      code: 'not_found',
    });
    expect(server.calls.find((c) => c.path === '/posts/P2/flags')!.body).toEqual({
      reason: 'spam',
      note: null,
    });
  });
});
