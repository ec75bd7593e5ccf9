import type { AuditEntry, LifeboatEvent, QueueItem } from '@lifeboat/protocol';
import { cleanStores } from 'nanostores';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BASE, SERVER, SITE, aPost, fakeServer, problem } from '../../test/fakes.js';
import { createModeration, type ModerationClient } from './index.js';

const TOKEN = 'staff-token-123';
let client: ModerationClient | undefined;
const offs: Array<() => void> = [];

afterEach(() => {
  for (const off of offs.splice(0)) off();
  client?.close();
  if (client) cleanStores(client.$queue, client.$audit, client.$connection, client.$slowMode);
  client = undefined;
  vi.useRealTimers();
});

function anItem(id: string, overrides: Partial<QueueItem> = {}): QueueItem {
  return {
    post: aPost({ id, state: 'pending', body: `Post ${id}` }),
    queue: 'pending',
    reasons: [{ code: 'guest', message: 'First post by a guest' }],
    flags: { count: 0, reasons: [], notes: [] },
    author: {
      id: `m-${id}`,
      displayName: 'Guest',
      role: 'member',
      staff: false,
      kind: 'guest',
      posts: 1,
      banned: false,
    },
    ...overrides,
  };
}

function anEntry(id: string, overrides: Partial<AuditEntry> = {}): AuditEntry {
  return {
    id,
    action: 'approve',
    actor: { kind: 'admin', id: null, displayName: 'Admin' },
    target: { kind: 'post', id: 'p1' },
    reason: null,
    detail: null,
    createdAt: '2026-01-01T10:00:00.000Z',
    ...overrides,
  };
}

/** A staff stream the test writes into; `requests` are the stream requests the client made. */
function fakeStreams() {
  const requests: Array<{ url: string; headers: Record<string, string>; signal: AbortSignal }> = [];
  const controllers: Array<ReadableStreamDefaultController<Uint8Array>> = [];
  let status = 200;
  const encoder = new TextEncoder();
  return {
    requests,
    setStatus(s: number) {
      status = s;
    },
    respond(url: string, init: RequestInit): Response {
      requests.push({ url, headers: init.headers as Record<string, string>, signal: init.signal! });
      if (status !== 200) return new Response('', { status });
      const body = new ReadableStream<Uint8Array>({
        start: (c) => void controllers.push(c),
      });
      init.signal?.addEventListener('abort', () => {
        try {
          body.cancel().catch(() => {});
        } catch {
          // already locked and cancelled by the reader
        }
      });
      return new Response(body, { headers: { 'content-type': 'text/event-stream' } });
    },
    write(text: string) {
      controllers[controllers.length - 1]!.enqueue(encoder.encode(text));
    },
    send(event: LifeboatEvent) {
      this.write(`id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    },
    end() {
      controllers[controllers.length - 1]!.close();
    },
  };
}

function setup(items: QueueItem[] = [anItem('p1'), anItem('p2')]) {
  const server = fakeServer();
  const streams = fakeStreams();
  server.on('GET /moderation/queue', (call) => ({
    body: {
      items: call.path.includes('flagged') ? [] : items,
      lastEventId: 20,
    },
  }));
  server.on('GET /moderation/audit', {
    body: { entries: [anEntry('a2'), anEntry('a1')], nextCursor: 'c1' },
  });
  const fetch = async (url: string, init: RequestInit) =>
    url.endsWith('/moderation/stream') ? streams.respond(url, init) : server.fetch(url, init);
  client = createModeration({ server: SERVER, site: SITE, token: TOKEN, fetch });
  return { server, streams, client };
}

function listen<T>(store: { subscribe(cb: (v: T) => void): () => void }) {
  let latest!: T;
  offs.push(store.subscribe((v) => (latest = v)));
  return () => latest;
}

const ids = (c: ModerationClient) => c.$queue.get().items.map((i) => i.post.id);

describe('createModeration: the queue', () => {
  it('fetches nothing until listened to, then pending and flagged with the token as a header', async () => {
    const { server, streams, client } = setup();
    expect(server.calls).toEqual([]);
    const queue = listen(client.$queue);
    expect(queue().state).toBe('loading');
    await vi.waitFor(() => expect(queue().state).toBe('ready'));
    expect(ids(client)).toEqual(['p1', 'p2']);
    expect(server.calls.map((c) => c.path).sort()).toEqual([
      '/moderation/queue?queue=flagged',
      '/moderation/queue?queue=pending',
    ]);
    for (const call of server.calls) expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
    // The stream starts where the snapshot ends; the token is never in its URL.
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    expect(streams.requests[0]!.url).toBe(`${BASE}/moderation/stream`);
    expect(streams.requests[0]!.url).not.toContain(TOKEN);
    expect(streams.requests[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(streams.requests[0]!.headers['last-event-id']).toBe('20');
    await vi.waitFor(() => expect(client.$connection.get()).toBe('open'));
  });

  it('applies queued, cleared and updated events live, ignoring events the snapshot holds', async () => {
    const { streams, client } = setup();
    listen(client.$queue);
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    streams.send({ type: 'moderation.queued', seq: 19, item: anItem('old') });
    streams.send({ type: 'moderation.queued', seq: 21, item: anItem('p3') });
    await vi.waitFor(() => expect(ids(client)).toEqual(['p1', 'p2', 'p3']));
    streams.send({ type: 'moderation.cleared', seq: 22, postId: 'p1', action: 'approve' });
    streams.send({
      type: 'post.updated',
      seq: 23,
      post: aPost({ id: 'p2', state: 'pending', body: 'Edited by the author' }),
    });
    await vi.waitFor(() => expect(ids(client)).toEqual(['p2', 'p3']));
    expect(client.$queue.get().items[0]!.post.body).toBe('Edited by the author');
    // A repeat of the same item replaces it (never listed twice).
    streams.send({ type: 'moderation.queued', seq: 24, item: anItem('p3', { queue: 'flagged' }) });
    await vi.waitFor(() => expect(client.$queue.get().items[1]!.queue).toBe('flagged'));
    expect(ids(client)).toEqual(['p2', 'p3']);
  });

  it('approve takes the item out at once and sends the action with its reason', async () => {
    const { server, client } = setup();
    const queue = listen(client.$queue);
    await vi.waitFor(() => expect(queue().state).toBe('ready'));
    let release!: () => void;
    server.on('POST /moderation/posts/p1', async () => {
      await new Promise<void>((r) => (release = r));
      return { body: { post: aPost({ id: 'p1' }), entry: anEntry('a3') } };
    });
    const done = client.act('p1', 'approve', '  Looks fine ');
    expect(ids(client)).toEqual(['p2']);
    expect(queue().acting).toEqual({ p1: 'approve' });
    await vi.waitFor(() => expect(release).toBeTypeOf('function'));
    release();
    await done;
    expect(queue().acting).toEqual({});
    expect(ids(client)).toEqual(['p2']);
    const call = server.calls.find((c) => c.method === 'POST')!;
    expect(call.body).toEqual({ action: 'approve', reason: 'Looks fine' });
    expect(call.headers.authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('rolls back a failed action to the same place and records the error for that item', async () => {
    const { server, client } = setup([anItem('p1'), anItem('p2'), anItem('p3')]);
    const queue = listen(client.$queue);
    await vi.waitFor(() => expect(queue().state).toBe('ready'));
    server.on('POST /moderation/posts/p2', problem(409, 'conflict'));
    await expect(client.act('p2', 'reject')).rejects.toMatchObject({ status: 409 });
    expect(ids(client)).toEqual(['p1', 'p2', 'p3']);
    expect(queue().failures.p2).toMatchObject({ action: 'reject', error: { code: 'conflict' } });
    // The next action on that post clears its error.
    server.on('POST /moderation/posts/p2', {
      body: { post: aPost({ id: 'p2', state: 'removed' }), entry: anEntry('a9') },
    });
    await client.act('p2', 'reject');
    expect(queue().failures).toEqual({});
    expect(ids(client)).toEqual(['p1', 'p3']);
  });

  it('verify and pin change the post in place, then take the server answer', async () => {
    const { server, client } = setup();
    const queue = listen(client.$queue);
    await vi.waitFor(() => expect(queue().state).toBe('ready'));
    server.on('POST /moderation/posts/p1', {
      body: {
        post: aPost({ id: 'p1', verified: true, body: 'server copy' }),
        entry: anEntry('a3'),
      },
    });
    const done = client.act('p1', 'verify');
    expect(queue().items[0]!.post.verified).toBe(true);
    await done;
    expect(queue().items[0]!.post.body).toBe('server copy');
    server.on('POST /moderation/posts/p1', 'network');
    await expect(client.act('p1', 'pin')).rejects.toMatchObject({ code: 'network' });
    expect(queue().items[0]!.post.pinned).toBe(false);
  });

  it('ban marks every item of the author as banned, and rolls back on failure', async () => {
    const shared = {
      id: 'm-x',
      displayName: 'Spammer',
      role: 'member' as const,
      staff: false,
      kind: 'guest' as const,
      posts: 2,
      banned: false,
    };
    const { server, client } = setup([
      anItem('p1', { author: shared }),
      anItem('p2'),
      anItem('p3', { author: shared }),
    ]);
    const queue = listen(client.$queue);
    await vi.waitFor(() => expect(queue().state).toBe('ready'));
    server.on('POST /moderation/members/m-x', problem(500, 'internal'));
    const failed = client.ban('m-x', 'Phishing links', 24);
    expect(queue().items.map((i) => i.author.banned)).toEqual([true, false, true]);
    await expect(failed).rejects.toMatchObject({ status: 500 });
    expect(queue().items.map((i) => i.author.banned)).toEqual([false, false, false]);
    expect(queue().failures.p1?.action).toBe('ban');
    server.on('POST /moderation/members/m-x', {
      body: { entry: anEntry('a5', { action: 'ban' }) },
    });
    await client.ban('m-x', 'Phishing links', 24);
    expect(queue().items.map((i) => i.author.banned)).toEqual([true, false, true]);
    expect(server.calls.filter((c) => c.method === 'POST').at(-1)!.body).toEqual({
      action: 'ban',
      reason: 'Phishing links',
      hours: 24,
    });
  });

  it('a refused token (403) is an error state and an unauthorized connection', async () => {
    const { server, client } = setup();
    server.on('GET /moderation/queue', problem(403, 'forbidden'));
    const queue = listen(client.$queue);
    await vi.waitFor(() => expect(queue().state).toBe('error'));
    expect(queue().error).toMatchObject({ status: 403 });
    expect(client.$connection.get()).toBe('unauthorized');
  });

  it('retry() refetches a queue that failed', async () => {
    const { server, client } = setup();
    server.on('GET /moderation/queue', 'network', 'network', {
      body: { items: [anItem('p9')], lastEventId: 3 },
    });
    const queue = listen(client.$queue);
    await vi.waitFor(() => expect(queue().state).toBe('error'));
    client.retry();
    await vi.waitFor(() => expect(queue().state).toBe('ready'));
    expect(ids(client)).toContain('p9');
  });
});

describe('createModeration: the staff stream', () => {
  it('resumes with Last-Event-ID after a drop, with no event applied twice', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { streams, client } = setup();
    listen(client.$queue);
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    streams.send({ type: 'moderation.queued', seq: 21, item: anItem('p3') });
    await vi.waitFor(() => expect(ids(client)).toEqual(['p1', 'p2', 'p3']));
    streams.end();
    await vi.waitFor(() => expect(client.$connection.get()).toBe('reconnecting'));
    await vi.advanceTimersByTimeAsync(1000);
    await vi.waitFor(() => expect(streams.requests).toHaveLength(2));
    expect(streams.requests[1]!.headers['last-event-id']).toBe('21');
    streams.send({ type: 'moderation.queued', seq: 21, item: anItem('dup') });
    streams.send({ type: 'moderation.cleared', seq: 22, postId: 'p3', action: 'reject' });
    await vi.waitFor(() => expect(ids(client)).toEqual(['p1', 'p2']));
  });

  it('treats silence (no heartbeat) as a drop', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { streams, client } = setup();
    listen(client.$queue);
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    streams.write(': hb\n\n');
    await vi.advanceTimersByTimeAsync(44_000);
    expect(client.$connection.get()).toBe('open');
    await vi.advanceTimersByTimeAsync(1_001);
    expect(streams.requests[0]!.signal.aborted).toBe(true);
    expect(client.$connection.get()).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1_000);
    await vi.waitFor(() => expect(streams.requests).toHaveLength(2));
    expect(streams.requests[1]!.headers['last-event-id']).toBe('20');
  });

  it('refetches the queue on reset and continues after it', async () => {
    const { server, streams, client } = setup();
    const queue = listen(client.$queue);
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    server.on('GET /moderation/queue', (call) => ({
      body: { items: call.path.includes('pending') ? [anItem('fresh')] : [], lastEventId: 90 },
    }));
    streams.write('event: reset\ndata: {"lastEventId":90}\n\n');
    await vi.waitFor(() => expect(ids(client)).toEqual(['fresh']));
    streams.send({ type: 'moderation.queued', seq: 91, item: anItem('after') });
    await vi.waitFor(() => expect(ids(client)).toEqual(['fresh', 'after']));
    expect(queue().state).toBe('ready');
  });

  it('stops for good on 401 from the stream (reconnecting would not help)', async () => {
    const { streams, client } = setup();
    streams.setStatus(401);
    listen(client.$queue);
    await vi.waitFor(() => expect(client.$connection.get()).toBe('unauthorized'));
    expect(streams.requests).toHaveLength(1);
  });

  it('closes the stream after the last listener leaves', async () => {
    const { streams, client } = setup();
    const off = client.$queue.listen(() => {});
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    off();
    // nanostores unmounts a store a moment after its last listener.
    await vi.waitFor(() => expect(streams.requests[0]!.signal.aborted).toBe(true), {
      timeout: 3000,
    });
    expect(client.$connection.get()).toBe('idle');
  });
});

describe('createModeration: the audit log', () => {
  it('loads newest first, prepends live entries and action results once, and pages on demand', async () => {
    const { server, streams, client } = setup();
    const audit = listen(client.$audit);
    await vi.waitFor(() => expect(audit().state).toBe('ready'));
    expect(audit().entries.map((e) => e.id)).toEqual(['a2', 'a1']);
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    streams.send({ type: 'moderation.audit', seq: 21, entry: anEntry('a3') });
    await vi.waitFor(() => expect(audit().entries.map((e) => e.id)).toEqual(['a3', 'a2', 'a1']));
    server.on('POST /moderation/posts/p1', {
      body: { post: aPost({ id: 'p1' }), entry: anEntry('a4') },
    });
    await client.act('p1', 'approve');
    streams.send({ type: 'moderation.audit', seq: 22, entry: anEntry('a4') });
    await vi.waitFor(() =>
      expect(audit().entries.map((e) => e.id)).toEqual(['a4', 'a3', 'a2', 'a1']),
    );

    server.on('GET /moderation/audit', {
      body: { entries: [anEntry('a1'), anEntry('a0')], nextCursor: null },
    });
    await client.loadMoreAudit();
    expect(audit().entries.map((e) => e.id)).toEqual(['a4', 'a3', 'a2', 'a1', 'a0']);
    expect(audit().nextCursor).toBeNull();
    expect(server.calls.at(-1)!.path).toBe('/moderation/audit?cursor=c1');
  });

  it('slow mode is read from the policy, changed optimistically and followed live', async () => {
    const { server, streams, client } = setup();
    server.on('GET /moderation/policy', { body: { slowModeSeconds: 0 } });
    const slow = listen(client.$slowMode);
    expect(slow()).toBeNull();
    await vi.waitFor(() => expect(slow()).toBe(0));
    server.on('PUT /moderation/slow-mode', problem(500, 'internal'));
    const failed = client.setSlowMode(30);
    expect(slow()).toBe(30);
    await expect(failed).rejects.toMatchObject({ status: 500 });
    expect(slow()).toBe(0);
    // Another moderator switches it on: the audit event says so.
    await vi.waitFor(() => expect(streams.requests).toHaveLength(1));
    streams.send({
      type: 'moderation.audit',
      seq: 21,
      entry: anEntry('s9', { action: 'slow_mode', detail: { seconds: 120, from: 0 } }),
    });
    await vi.waitFor(() => expect(slow()).toBe(120));
  });

  it('slow mode and lock send their bodies and add the audit entry', async () => {
    const { server, client } = setup();
    const audit = listen(client.$audit);
    await vi.waitFor(() => expect(audit().state).toBe('ready'));
    server.on('PUT /moderation/slow-mode', {
      body: { policy: { slowModeSeconds: 60 }, entry: anEntry('s1', { action: 'slow_mode' }) },
    });
    await client.setSlowMode(60, 'Flood');
    server.on('POST /moderation/incidents/inc1', {
      body: { incident: {}, entry: anEntry('l1', { action: 'lock' }) },
    });
    await client.lockIncident('inc1');
    expect(server.calls.filter((c) => c.method !== 'GET').map((c) => c.body)).toEqual([
      { seconds: 60, reason: 'Flood' },
      { action: 'lock', reason: null },
    ]);
    expect(
      audit()
        .entries.slice(0, 2)
        .map((e) => e.id),
    ).toEqual(['l1', 's1']);
  });
});
