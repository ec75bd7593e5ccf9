/**
 * Streams under pressure, seen from the client: told to poll (or unable to open the stream), it
 * keeps the same stores current by polling their snapshots with If-None-Match, and streams again
 * on its own later. Fake timers drive the intervals; jitter is bounded, so the waits are too.
 */
import type { Post, SiteStatus, ThreadPage } from '@lifeboat/protocol';
import { cleanStores } from 'nanostores';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BASE,
  INCIDENT_ID,
  SERVER,
  SITE,
  aPage,
  aPost,
  aStatus,
  anIncident,
  fakeEventSource,
  fakeServer,
  memoryStorage,
  type Call,
} from '../test/fakes.js';
import type { LocalPost } from './client-types.js';
import type { LifeboatClient } from './index.js';
import { createLifeboat } from './index.js';
import { FALLBACK_AFTER, FALLBACK_POLL } from './stream.js';
import { mergePolled } from './stores/thread.js';

const enc = encodeURIComponent(INCIDENT_ID);
const STATUS = 'GET /status';
const INCIDENT = `GET /incidents/${enc}`;
const THREAD = `GET /incidents/${enc}/thread`;

let client: LifeboatClient;
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

/** A snapshot route that answers 304 to its current ETag, like the server's cached reads. */
function snapshot<T>(initial: T) {
  let value = initial;
  let version = 1;
  const etag = () => `W/"v${version}"`;
  return {
    set(next: T) {
      value = next;
      version++;
    },
    handler: (call: Call) =>
      call.headers['if-none-match'] === etag()
        ? { status: 304 }
        : { body: value, headers: { etag: etag() } },
  };
}

function setup() {
  const server = fakeServer();
  const ES = fakeEventSource();
  client = createLifeboat({
    server: SERVER,
    site: SITE,
    fetch: server.fetch,
    EventSource: ES,
    storage: memoryStorage(),
  });
  const status = snapshot<SiteStatus>(aStatus());
  const incident = snapshot(anIncident());
  const thread = snapshot<ThreadPage>(aPage());
  server.on(STATUS, status.handler);
  server.on(INCIDENT, incident.handler);
  server.on(THREAD, thread.handler);
  return { server, ES, status, incident, thread };
}

/** Every store mounted and loaded, the stream open. */
async function live() {
  const ctx = setup();
  client.$status.listen(() => {});
  client.incident(INCIDENT_ID).listen(() => {});
  client.thread(INCIDENT_ID).listen(() => {});
  await tick();
  ctx.ES.last.open();
  ctx.server.calls.length = 0;
  return ctx;
}

const snapshotCalls = (calls: Call[]) =>
  calls.map((c) => `${c.method} ${c.path} ${c.headers['if-none-match'] ?? '-'}`);
const ids = () =>
  client
    .thread(INCIDENT_ID)
    .get()
    .posts.map((p) => p.id);

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  client.close();
  cleanStores(client.$status, client.incident(INCIDENT_ID), client.thread(INCIDENT_ID));
  vi.useRealTimers();
});

describe('told to poll', () => {
  it('polls the snapshots it holds with If-None-Match, the incident first, and changes nothing on 304', async () => {
    const { ES, server } = await live();
    const before = client.thread(INCIDENT_ID).get();
    ES.last.dispatch('poll', { interval: 5000, retryAfter: 30 });
    expect(ES.last.closed).toBe(true);
    await tick();
    expect(snapshotCalls(server.calls)).toEqual([
      `GET /incidents/${enc} W/"v1"`,
      'GET /status W/"v1"',
      `GET /incidents/${enc}/thread W/"v1"`,
    ]);
    expect(client.thread(INCIDENT_ID).get()).toBe(before);
    expect(client.$connection.get()).toBe('open');
    // Every interval (± 20 %), until it streams again.
    await tick(6000);
    expect(server.count(STATUS)).toBe(2);
    expect(ES.instances).toHaveLength(1);
  });

  it('feeds the same stores from changed snapshots, then streams again from the oldest sequence polled', async () => {
    const { ES, server, status, incident, thread } = await live();
    ES.last.dispatch('poll', { interval: 5000, retryAfter: 30 });
    await tick();

    const answer = aPost({ id: 'P2', body: 'Restart the agent.' });
    incident.set(anIncident({ postCount: 2, affectedCount: 9 }));
    status.set(aStatus({ lastEventId: 13, incidents: [anIncident({ postCount: 2 })] }));
    thread.set(aPage({ lastEventId: 12, posts: [aPost(), answer] }));
    await tick(6000);
    expect(ids()).toEqual([aPost().id, 'P2']);
    expect(client.incident(INCIDENT_ID).get().value).toMatchObject({
      postCount: 2,
      affectedCount: 9,
    });
    expect(client.$status.get().value?.lastEventId).toBe(13);
    expect(client.$connection.get()).toBe('open');

    // Streaming again after retryAfter (spread by up to a quarter): from 12, the thread's.
    await tick(30_000 * 1.25);
    expect(ES.instances).toHaveLength(2);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=12`);
    expect(client.$connection.get()).toBe('open');
    ES.last.open();
    // Replayed events the polled snapshots already hold are ignored; newer ones apply.
    ES.last.send({ type: 'post.created', seq: 12, post: answer });
    ES.last.send({ type: 'post.created', seq: 14, post: aPost({ id: 'P3' }) });
    expect(ids()).toEqual([aPost().id, 'P2', 'P3']);
    // No more polling.
    const polls = server.calls.length;
    await tick(60_000);
    expect(server.calls).toHaveLength(polls);
  });

  it('keeps the stores when a poll fails and says reconnecting until one succeeds', async () => {
    const { ES, server } = await live();
    ES.last.dispatch('poll', { interval: 5000, retryAfter: 300 });
    await tick();
    const held = client.thread(INCIDENT_ID).get();
    server.on(THREAD, 'network');
    await tick(6000);
    expect(client.$connection.get()).toBe('reconnecting');
    expect(client.thread(INCIDENT_ID).get()).toBe(held);
    expect(client.$status.get().state).toBe('ready');
    server.on(THREAD, { body: aPage({ posts: [aPost(), aPost({ id: 'BACK' })] }) });
    await tick(6000);
    expect(client.$connection.get()).toBe('open');
    expect(ids()).toEqual([aPost().id, 'BACK']);
  });

  it('bounds what the server asks: about a second between polls at least', async () => {
    const { ES, server } = await live();
    ES.last.dispatch('poll', { interval: 1, retryAfter: 30 });
    await tick(790); // a second, less the 20 % spread
    expect(server.count(STATUS)).toBe(1);
  });

  it('stops polling when the last store unmounts', async () => {
    const ctx = setup();
    const offs = [client.$status.listen(() => {}), client.thread(INCIDENT_ID).listen(() => {})];
    await tick();
    ctx.ES.last.open();
    ctx.ES.last.dispatch('poll', { interval: 5000, retryAfter: 30 });
    await tick();
    for (const off of offs) off();
    await tick(1000);
    const calls = ctx.server.calls.length;
    await tick(60_000);
    expect(ctx.server.calls).toHaveLength(calls);
    expect(ctx.ES.instances).toHaveLength(1);
    expect(client.$connection.get()).toBe('idle');
  });
});

describe('when the stream will not open', () => {
  it(`polls after ${FALLBACK_AFTER} refused attempts, tries again later, and polls at once if still refused`, async () => {
    const { ES, server } = setup();
    client.$status.listen(() => {});
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    server.calls.length = 0;
    for (let i = 1; i < FALLBACK_AFTER; i++) {
      ES.last.fail(); // 429 or 503: the browser never opens it
      await tick(MAX_BACKOFF);
    }
    expect(ES.instances).toHaveLength(FALLBACK_AFTER);
    expect(server.calls).toHaveLength(0);
    ES.last.fail();
    await tick();
    expect(snapshotCalls(server.calls)).toEqual([
      'GET /status W/"v1"',
      `GET /incidents/${enc}/thread W/"v1"`,
    ]);
    expect(client.$connection.get()).toBe('open');
    await tick(FALLBACK_POLL.interval * 1.2);
    expect(server.count(STATUS)).toBe(2);

    await tick(FALLBACK_POLL.retryAfter * 1000 * 1.25);
    expect(ES.instances).toHaveLength(FALLBACK_AFTER + 1);
    const polled = server.count(STATUS);
    ES.last.fail();
    await tick();
    expect(server.count(STATUS)).toBe(polled + 1);
    expect(client.$connection.get()).toBe('open');
  });

  it('does not count drops of a stream that had opened', async () => {
    const { ES, server } = setup();
    client.$status.listen(() => {});
    await tick();
    for (let i = 0; i < FALLBACK_AFTER + 2; i++) {
      ES.last.open();
      ES.last.fail(); // the server dropped a slow reader: resume, no polling
      await tick(MAX_BACKOFF);
    }
    expect(server.count(STATUS)).toBe(1);
    expect(ES.instances).toHaveLength(FALLBACK_AFTER + 3);
  });
});

/** The longest first-attempts backoff (1, 2, 4 s ceilings) in these tests. */
const MAX_BACKOFF = 4000;

describe('thread polling', () => {
  it('walks the pages the reader holds and one more, then the newest page of a longer thread', async () => {
    const { ES, server } = setup();
    server.on(THREAD, {
      body: aPage({ posts: [aPost()], nextCursor: 'c1' }),
      headers: { etag: 'W/"a"' },
    });
    client.$status.listen(() => {});
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    ES.last.open();
    server.calls.length = 0;
    const worked = { worked: 7, didntWork: 0 };
    server.on(
      THREAD,
      {
        body: aPage({ lastEventId: 15, posts: [aPost({ counts: worked })], nextCursor: 'c1' }),
        headers: { etag: 'W/"b"' },
      },
      { body: aPage({ posts: [aPost({ id: 'OLD-2' })], nextCursor: 'c2' }) },
      { body: aPage({ posts: [aPost({ id: 'NEW' }), aPost({ id: 'NEW-REPLY' })] }) },
    );
    ES.last.dispatch('poll', { interval: 5000, retryAfter: 300 });
    await tick();
    const threadCalls = server.calls.filter((c) => c.path.includes('/thread'));
    expect(threadCalls.map((c) => c.path)).toEqual([
      `/incidents/${enc}/thread`,
      `/incidents/${enc}/thread?cursor=c1`,
      `/incidents/${enc}/thread?sort=newest`,
    ]);
    expect(threadCalls[0]!.headers['if-none-match']).toBe('W/"a"');
    const snapshot = client.thread(INCIDENT_ID).get();
    expect(snapshot.posts.map((p) => p.id)).toEqual([aPost().id, 'OLD-2', 'NEW', 'NEW-REPLY']);
    expect(snapshot.posts[0]!.counts).toEqual(worked);
    // "Load more" goes on after the pages now held.
    expect(snapshot.nextCursor).toBe('c2');
  });
});

describe('mergePolled', () => {
  const p = (id: string, extra: Partial<LocalPost> = {}): LocalPost => aPost({ id, ...extra });
  const list = [p('A'), p('B'), p('C', { local: 'sending' })];

  it('updates listed posts in place and appends new ones', () => {
    const fetched: Post[] = [p('B', { body: 'edited' }), p('A'), p('D')];
    const merged = mergePolled(list, fetched, false);
    expect(merged.map((x) => x.id)).toEqual(['A', 'B', 'C', 'D']);
    expect(merged[1]!.body).toBe('edited');
  });

  it('drops what a complete listing no longer has (hidden, removed), never optimistic entries', () => {
    expect(mergePolled(list, [p('A')], true).map((x) => x.id)).toEqual(['A', 'C']);
    expect(mergePolled(list, [p('A')], false).map((x) => x.id)).toEqual(['A', 'B', 'C']);
  });

  it('takes the server copy of an optimistic post it now lists', () => {
    const merged = mergePolled(list, [p('A'), p('B'), p('C')], true);
    expect(merged[2]!.local).toBeUndefined();
  });
});
