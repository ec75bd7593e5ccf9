import { EVENT_TYPES, type Maintenance } from '@lifeboat/protocol';
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
} from '../test/fakes.js';
import type { LifeboatClient } from './index.js';
import { createLifeboat } from './index.js';

let client: LifeboatClient;
const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

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
  server.on('GET /status', { body: aStatus() });
  server.on(`GET /incidents/${encodeURIComponent(INCIDENT_ID)}`, { body: anIncident() });
  server.on(`GET /incidents/${encodeURIComponent(INCIDENT_ID)}/thread`, { body: aPage() });
  return { server, ES, client };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  client.close();
  cleanStores(client.$status, client.incident(INCIDENT_ID), client.thread(INCIDENT_ID));
  vi.useRealTimers();
});

describe('lazy stores and the shared stream', () => {
  it('fetches nothing until a store is listened to', async () => {
    const { server, ES } = setup();
    client.incident(INCIDENT_ID);
    client.thread(INCIDENT_ID);
    await tick();
    expect(server.calls).toEqual([]);
    expect(ES.instances).toEqual([]);
    expect(client.$connection.get()).toBe('idle');
  });

  it('fetches on mount and opens one stream from the first snapshot, closed after the last unmount', async () => {
    const { server, ES } = setup();
    const offStatus = client.$status.listen(() => {});
    expect(client.$status.get().state).toBe('loading');
    expect(ES.instances).toEqual([]); // not before the snapshot says where to start
    await tick();
    expect(client.$status.get()).toMatchObject({ state: 'ready', value: { lastEventId: 10 } });
    expect(ES.instances).toHaveLength(1);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=10`);
    expect(client.$connection.get()).toBe('connecting');
    ES.last.open();
    expect(client.$connection.get()).toBe('open');

    const offThread = client.thread(INCIDENT_ID).listen(() => {});
    const offIncident = client.incident(INCIDENT_ID).listen(() => {});
    await tick();
    expect(client.thread(INCIDENT_ID).get()).toMatchObject({
      state: 'ready',
      posts: [{ id: aPost().id }],
    });
    expect(client.incident(INCIDENT_ID).get()).toMatchObject({
      state: 'ready',
      value: { id: INCIDENT_ID },
    });
    expect(ES.instances).toHaveLength(1);
    expect(server.count('GET /status')).toBe(1);

    offStatus();
    offThread();
    await tick(1000);
    expect(ES.last.closed).toBe(false); // the incident still listens
    offIncident();
    await tick(1000);
    expect(ES.last.closed).toBe(true);
    expect(client.$connection.get()).toBe('idle');
  });

  it('returns the same store for the same id', () => {
    setup();
    expect(client.incident('a')).toBe(client.incident('a'));
    expect(client.thread('a')).toBe(client.thread('a'));
    expect(client.me('a')).toBe(client.me('a'));
    expect(client.thread('a')).not.toBe(client.thread('b'));
  });

  it('encodes incident ids in paths', async () => {
    const { server } = setup();
    client.incident(INCIDENT_ID).listen(() => {});
    await tick();
    expect(server.calls[0]!.path).toBe('/incidents/statuspage%3Aabc%3Ainc1');
  });

  it('shows an error with the LifeboatError and refetches on retry()', async () => {
    const { server } = setup();
    server.on('GET /status', 'network', { body: aStatus() });
    client.$status.listen(() => {});
    await tick();
    expect(client.$status.get()).toMatchObject({
      state: 'error',
      error: { code: 'network', status: 0 },
    });
    client.retry();
    await tick();
    expect(client.$status.get().state).toBe('ready');
  });
});

describe('events', () => {
  async function live() {
    const ctx = setup();
    client.$status.listen(() => {});
    client.incident(INCIDENT_ID).listen(() => {});
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    ctx.ES.last.open();
    return ctx;
  }

  it('applies post.created once, bumping the post count', async () => {
    const { ES } = await live();
    const post = aPost({ id: 'P2', body: 'Second' });
    ES.last.send({ type: 'post.created', seq: 11, post });
    ES.last.send({ type: 'post.created', seq: 11, post }); // replayed twice: ignored
    expect(
      client
        .thread(INCIDENT_ID)
        .get()
        .posts.map((p) => p.id),
    ).toEqual([aPost().id, 'P2']);
    expect(client.incident(INCIDENT_ID).get().value?.postCount).toBe(2);
    expect(client.$status.get().value?.incidents[0]!.postCount).toBe(2);
  });

  it('ignores events at or below the last seen sequence', async () => {
    const { ES } = await live();
    ES.last.send({ type: 'affected.changed', seq: 12, incidentId: INCIDENT_ID, count: 7 });
    ES.last.send({ type: 'affected.changed', seq: 11, incidentId: INCIDENT_ID, count: 5 });
    ES.last.send({ type: 'affected.changed', seq: 12, incidentId: INCIDENT_ID, count: 6 });
    expect(client.incident(INCIDENT_ID).get().value?.affectedCount).toBe(7);
    expect(client.$status.get().value?.incidents[0]!.affectedCount).toBe(7);
  });

  it('ignores events the snapshot already holds', async () => {
    const { ES } = await live();
    // seq 10 is the snapshot's lastEventId: already counted in it.
    ES.last.send({ type: 'post.created', seq: 10, post: aPost({ id: 'OLD' }) });
    expect(client.thread(INCIDENT_ID).get().posts).toHaveLength(1);
  });

  it('updates posts in place and reaction counts in the thread and the top workaround', async () => {
    const { ES, server } = setup();
    const top = aPost({ kind: 'workaround' });
    server.on(`GET /incidents/${encodeURIComponent(INCIDENT_ID)}`, {
      body: anIncident({ topWorkaround: top }),
    });
    client.incident(INCIDENT_ID).listen(() => {});
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    ES.last.send({ type: 'post.updated', seq: 11, post: { ...top, body: 'Edited', pinned: true } });
    ES.last.send({
      type: 'reaction.changed',
      seq: 12,
      incidentId: INCIDENT_ID,
      postId: top.id,
      counts: { worked: 9, didntWork: 1 },
    });
    const [post] = client.thread(INCIDENT_ID).get().posts;
    expect(post).toMatchObject({
      body: 'Edited',
      pinned: true,
      counts: { worked: 9, didntWork: 1 },
    });
    expect(client.incident(INCIDENT_ID).get().value?.topWorkaround).toMatchObject({
      body: 'Edited',
      counts: { worked: 9, didntWork: 1 },
    });
  });

  it('adds opened incidents to the status and removes resolved ones', async () => {
    const { ES } = await live();
    const other = anIncident({ id: 'inc2', title: 'Login slow' });
    ES.last.send({ type: 'incident.opened', seq: 11, incident: other });
    expect(client.$status.get().value?.incidents.map((i) => i.id)).toEqual(['inc2', INCIDENT_ID]);
    const resolved = anIncident({
      phase: 'resolved',
      threadState: 'locked',
      resolvedAt: '2026-01-01T12:00:00Z',
    });
    ES.last.send({ type: 'incident.resolved', seq: 12, incident: resolved });
    expect(client.$status.get().value?.incidents.map((i) => i.id)).toEqual(['inc2']);
    expect(client.incident(INCIDENT_ID).get().value?.phase).toBe('resolved');
    expect(client.thread(INCIDENT_ID).get().threadState).toBe('locked');
  });

  it('listens to every public event type of the protocol', async () => {
    const { ES } = await live();
    expect([...ES.last.types()].filter((t) => t.includes('.')).sort()).toEqual(
      [...EVENT_TYPES].sort(),
    );
  });

  it('adds, updates and removes maintenances, raising and lowering the severity', async () => {
    const { ES, server } = setup();
    server.on('GET /status', {
      body: aStatus({ severity: 'operational', incidents: [], components: [], maintenances: [] }),
    });
    client.$status.listen(() => {});
    await tick();
    const maintenance: Maintenance = {
      id: 'statuspage:p:m1',
      title: 'Database upgrade',
      status: 'scheduled',
      scheduledFor: '2026-01-01T12:00:00.000Z',
      scheduledUntil: '2026-01-01T13:00:00.000Z',
      components: [],
      updates: [],
    };
    const status = () => client.$status.get().value!;
    ES.last.send({ type: 'maintenance.updated', seq: 11, maintenance });
    expect(status().maintenances!.map((m) => m.status)).toEqual(['scheduled']);
    expect(status().severity).toBe('operational');
    ES.last.send({
      type: 'maintenance.updated',
      seq: 12,
      maintenance: { ...maintenance, status: 'in_progress' },
    });
    expect(status().maintenances!.map((m) => m.status)).toEqual(['in_progress']);
    expect(status().severity).toBe('maintenance');
    ES.last.send({
      type: 'maintenance.updated',
      seq: 13,
      maintenance: { ...maintenance, status: 'completed' },
    });
    expect(status().maintenances).toEqual([]);
    expect(status().severity).toBe('operational');
  });

  it('replays events that arrived while a later snapshot was loading', async () => {
    const { ES, server } = setup();
    client.$status.listen(() => {});
    await tick();
    let answer!: (value: unknown) => void;
    server.on(`GET /incidents/${encodeURIComponent(INCIDENT_ID)}/thread`, () =>
      new Promise((resolve) => (answer = resolve)).then(() => ({
        body: aPage({ lastEventId: 11 }),
      })),
    );
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    ES.last.send({ type: 'post.created', seq: 11, post: aPost({ id: 'IN-SNAPSHOT' }) });
    ES.last.send({ type: 'post.created', seq: 12, post: aPost({ id: 'AFTER' }) });
    answer(null);
    await tick();
    expect(
      client
        .thread(INCIDENT_ID)
        .get()
        .posts.map((p) => p.id),
    ).toEqual([aPost().id, 'AFTER']);
  });
});

describe('reconnecting', () => {
  it('reconnects after a drop with backoff, from the last event seen', async () => {
    const { ES } = setup();
    client.$status.listen(() => {});
    await tick();
    ES.last.open();
    ES.last.send({ type: 'affected.changed', seq: 14, incidentId: INCIDENT_ID, count: 4 });
    const first = ES.last;
    first.fail();
    expect(first.closed).toBe(true);
    expect(client.$connection.get()).toBe('reconnecting');
    expect(ES.instances).toHaveLength(1);
    await tick(1000);
    expect(ES.instances).toHaveLength(2);
    expect(ES.last.url).toBe(`${BASE}/stream?lastEventId=14`);
    // Events the old source still delivers are ignored.
    first.send({ type: 'affected.changed', seq: 15, incidentId: INCIDENT_ID, count: 99 });
    expect(client.$status.get().value?.incidents[0]!.affectedCount).toBe(4);
    ES.last.open();
    expect(client.$connection.get()).toBe('open');
  });

  it('backs off longer after repeated failures', async () => {
    const { ES } = setup();
    client.$status.listen(() => {});
    await tick();
    ES.last.fail();
    await tick(1000);
    ES.last.fail(); // second attempt: 1 to 2 s
    await tick(900);
    expect(ES.instances).toHaveLength(2);
    await tick(1100);
    expect(ES.instances).toHaveLength(3);
  });

  it('refetches every mounted snapshot on reset, then continues', async () => {
    const { ES, server } = setup();
    client.$status.listen(() => {});
    client.incident(INCIDENT_ID).listen(() => {});
    client.thread(INCIDENT_ID).listen(() => {});
    await tick();
    server.on('GET /status', { body: aStatus({ lastEventId: 500, description: 'After reset' }) });
    server.on(`GET /incidents/${encodeURIComponent(INCIDENT_ID)}/thread`, {
      body: aPage({ lastEventId: 500, posts: [aPost(), aPost({ id: 'NEW' })] }),
    });
    ES.last.dispatch('reset', { lastEventId: 500 });
    await tick();
    expect(server.count('GET /status')).toBe(2);
    expect(server.count(`GET /incidents/${encodeURIComponent(INCIDENT_ID)}`)).toBe(2);
    expect(server.count(`GET /incidents/${encodeURIComponent(INCIDENT_ID)}/thread`)).toBe(2);
    expect(client.$status.get().value?.description).toBe('After reset');
    expect(
      client
        .thread(INCIDENT_ID)
        .get()
        .posts.map((p) => p.id),
    ).toEqual([aPost().id, 'NEW']);
    ES.last.send({ type: 'affected.changed', seq: 400, incidentId: INCIDENT_ID, count: 1 });
    ES.last.send({ type: 'affected.changed', seq: 501, incidentId: INCIDENT_ID, count: 42 });
    expect(client.incident(INCIDENT_ID).get().value?.affectedCount).toBe(42);
  });

  it('goes offline with the browser and back on "online"', async () => {
    const nav = { onLine: true };
    vi.stubGlobal('navigator', nav);
    const target = new EventTarget();
    vi.stubGlobal('addEventListener', target.addEventListener.bind(target));
    vi.stubGlobal('removeEventListener', target.removeEventListener.bind(target));
    try {
      const { ES } = setup();
      client.$status.listen(() => {});
      await tick();
      ES.last.open();
      nav.onLine = false;
      target.dispatchEvent(new Event('offline'));
      expect(client.$connection.get()).toBe('offline');
      expect(ES.last.closed).toBe(true);
      nav.onLine = true;
      target.dispatchEvent(new Event('online'));
      expect(ES.instances).toHaveLength(2);
      expect(client.$connection.get()).toBe('connecting');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});
