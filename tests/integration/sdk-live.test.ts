/**
 * The SDK against the real server: real HTTP on 127.0.0.1:0, a real SQLite file, a real SSE
 * stream. Two clients stand for two visitors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, loadConfig } from '@lifeboat/server';
import { createLifeboat, LifeboatError, type LifeboatClient } from '@lifeboat/sdk';
import { NodeEventSource } from './node-event-source.js';

let app: FastifyInstance;
let server: string;
let dataDir: string;
let incidentId: string;
const clients: LifeboatClient[] = [];

function visitor(): LifeboatClient {
  const client = createLifeboat({
    server,
    site: 'demo',
    EventSource: NodeEventSource,
    storage: null,
  });
  clients.push(client);
  return client;
}

/** Subscribes like a component would and returns the latest value getter plus an unsubscribe. */
function listen<T>(store: { subscribe(cb: (v: T) => void): () => void }) {
  let latest!: T;
  const off = store.subscribe((v) => (latest = v));
  return { get: () => latest, off };
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lifeboat-sdk-live-'));
  app = await buildApp(
    loadConfig({
      env: { LIFEBOAT_DATA_DIR: dataDir, LIFEBOAT_LOG_LEVEL: 'silent', LIFEBOAT_DEMO: 'true' },
      argv: [],
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  server = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const status = await (await fetch(`${server}/v1/sites/demo/status`)).json();
  incidentId = status.incidents[0].id;
});

afterAll(async () => {
  for (const c of clients) c.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('@lifeboat/sdk against the real server', () => {
  it('loads status lazily and keeps a thread live between two visitors', async () => {
    const alice = visitor();
    const bob = visitor();
    const status = listen(alice.$status);
    await vi.waitFor(() => expect(status.get().state).toBe('ready'));
    expect(status.get().value!.incidents.map((i) => i.id)).toContain(incidentId);

    const bobThread = listen(bob.thread(incidentId));
    await vi.waitFor(() => expect(bobThread.get().state).toBe('ready'));
    await vi.waitFor(() => expect(bob.$connection.get()).toBe('open'));
    const before = bobThread.get().posts.length;

    const aliceThread = listen(alice.thread(incidentId));
    await vi.waitFor(() => expect(aliceThread.get().state).toBe('ready'));
    await alice.startSession('Alice');
    const post = await alice.post(incidentId, {
      kind: 'answer',
      body: 'Clearing the DNS cache worked for me.',
    });
    expect(aliceThread.get().posts.filter((p) => p.id === post.id)).toHaveLength(1);
    expect(aliceThread.get().posts.find((p) => p.id === post.id)!.local).toBeUndefined();

    await vi.waitFor(() => expect(bobThread.get().posts.length).toBe(before + 1));
    expect(bobThread.get().posts.filter((p) => p.id === post.id)).toHaveLength(1);
    expect(bobThread.get().posts.at(-1)!.author.displayName).toBe('Alice');
    status.off();
    aliceThread.off();
    bobThread.off();
  });

  it('counts a confirmation once per member and shows it to the other visitor', async () => {
    const carol = visitor();
    const dave = visitor();
    const daveThread = listen(dave.thread(incidentId));
    await vi.waitFor(() => expect(daveThread.get().state).toBe('ready'));
    await vi.waitFor(() => expect(dave.$connection.get()).toBe('open'));
    const target = daveThread.get().posts[0]!;
    const worked = target.counts.worked;

    await carol.react(incidentId, target.id, 'worked');
    const again = await carol.react(incidentId, target.id, 'worked');
    expect(again.counts.worked).toBe(worked + 1);
    await vi.waitFor(() =>
      expect(daveThread.get().posts.find((p) => p.id === target.id)!.counts.worked).toBe(
        worked + 1,
      ),
    );

    const moved = await carol.react(incidentId, target.id, 'didnt_work');
    expect(moved.counts).toEqual({ worked, didntWork: target.counts.didntWork + 1 });
    daveThread.off();
  });

  it('resumes after the stream is cut and misses nothing', async () => {
    const erin = visitor();
    const frank = visitor();
    const frankThread = listen(frank.thread(incidentId));
    await vi.waitFor(() => expect(frankThread.get().state).toBe('ready'));
    await vi.waitFor(() => expect(frank.$connection.get()).toBe('open'));

    for (const source of NodeEventSource.all) source.cut();
    const posted = [];
    for (let i = 0; i < 3; i++)
      posted.push(
        await erin.post(incidentId, { kind: 'answer', body: `While you were away ${i}` }),
      );

    await vi.waitFor(
      () => {
        const ids = frankThread.get().posts.map((p) => p.id);
        for (const p of posted) expect(ids.filter((id) => id === p.id)).toHaveLength(1);
      },
      { timeout: 10_000 },
    );
    frankThread.off();
  });

  it('turns a problem+json into a LifeboatError with field errors and keeps the post as failed', async () => {
    const gina = visitor();
    const thread = listen(gina.thread(incidentId));
    await vi.waitFor(() => expect(thread.get().state).toBe('ready'));
    const error = await gina
      .post(incidentId, { kind: 'answer', body: 'see http://insecure.example' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(LifeboatError);
    expect(error.status).toBe(400);
    expect(error.fieldError('body')).toBeTruthy();
    expect(thread.get().posts.filter((p) => p.local === 'failed')).toHaveLength(1);
    thread.off();
  });
});
