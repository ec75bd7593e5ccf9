/**
 * An acknowledged post survives a crash: a real `lifeboat start` process takes posts from
 * concurrent clients and is killed with SIGKILL while more are in flight; after a restart on the
 * same data, every post answered with 201 is in the thread (counted through the API), and a
 * retry of each unanswered one (same Idempotency-Key) is stored at most once. On SQLite (the data
 * directory's file) and on PostgreSQL (a fresh database).
 */
import { rmSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Cleanup, createDatabase, startInstance, tempDir, type Instance } from './multi-cluster.js';

const ACKNOWLEDGED = 120;
const CLIENTS = 8;

const cleanup = new Cleanup();
afterEach(() => cleanup.run(), 60_000);

interface Attempt {
  key: string;
  body: string;
  /** The post's id when the server answered 201. */
  id: string | null;
}

async function guestToken(server: Instance, name: string): Promise<string> {
  const r = await fetch(`${server.url}/v1/sites/demo/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ displayName: name }),
  });
  expect(r.status).toBe(201);
  return ((await r.json()) as { token: string }).token;
}

async function openIncident(server: Instance): Promise<string> {
  const r = await fetch(`${server.url}/v1/sites/demo/status`);
  return ((await r.json()) as { incidents: Array<{ id: string }> }).incidents[0]!.id;
}

function send(server: Instance, token: string, incident: string, attempt: Attempt) {
  return fetch(`${server.url}/v1/sites/demo/incidents/${encodeURIComponent(incident)}/posts`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      'idempotency-key': attempt.key,
    },
    body: JSON.stringify({ kind: 'answer', body: attempt.body }),
  });
}

/** Every published post of the thread, page by page, through the public API. */
async function threadPosts(server: Instance, incident: string) {
  const posts: Array<{ id: string; body: string }> = [];
  let cursor: string | null = null;
  do {
    const query = new URLSearchParams({ limit: '100', ...(cursor ? { cursor } : {}) });
    const r = await fetch(
      `${server.url}/v1/sites/demo/incidents/${encodeURIComponent(incident)}/thread?${query}`,
    );
    expect(r.status).toBe(200);
    const page = (await r.json()) as {
      posts: Array<{ id: string; body: string }>;
      nextCursor: string | null;
    };
    posts.push(...page.posts);
    cursor = page.nextCursor;
  } while (cursor);
  return posts;
}

describe.each([
  { engine: 'SQLite', database: false },
  { engine: 'PostgreSQL', database: true },
])('an acknowledged post survives SIGKILL ($engine)', ({ database }) => {
  it('keeps every post answered 201, and a retry of the others is stored once', async () => {
    const dataDir = tempDir('lifeboat-durability-');
    cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {
      // Many posts from one member in seconds: the limits would answer 429, not the store.
      LIFEBOAT_RATE_LIMITS: 'off',
      ...(database ? { LIFEBOAT_DATABASE_URL: createDatabase(cleanup).url } : {}),
    };
    const first = await startInstance(cleanup, { name: 'durable', dataDir, env });
    const incident = await openIncident(first);
    const token = await guestToken(first, 'Dana Durable');
    const tag = `durable${Date.now().toString(36)}`;

    // Clients post as fast as they can; the process is killed once enough were acknowledged,
    // with the other clients' requests still in flight.
    const attempts: Attempt[] = [];
    let acknowledged = 0;
    let killed: Promise<void> | null = null;
    const client = async () => {
      while (!killed) {
        const attempt: Attempt = {
          key: crypto.randomUUID(),
          body: `${tag} #${attempts.length}: switching the relay region helped`,
          id: null,
        };
        attempts.push(attempt);
        try {
          const r = await send(first, token, incident, attempt);
          if (r.status === 201) {
            attempt.id = ((await r.json()) as { id: string }).id;
            if (++acknowledged === ACKNOWLEDGED) killed = first.kill();
          } else if (!killed) throw new Error(`POST answered ${r.status}: ${await r.text()}`);
        } catch (err) {
          if (!killed) throw err;
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, client));
    await killed;
    expect(first.process.signalCode).toBe('SIGKILL');
    const answered = attempts.filter((a) => a.id !== null);
    const unanswered = attempts.filter((a) => a.id === null);
    expect(answered.length).toBeGreaterThanOrEqual(ACKNOWLEDGED);

    // Restart on the same data (directory, and database when there is one).
    const second = await startInstance(cleanup, { name: 'restarted', dataDir, env });
    const ids = new Set((await threadPosts(second, incident)).map((p) => p.id));
    const missing = answered.filter((a) => !ids.has(a.id!));
    expect(missing).toEqual([]);

    // The posts in flight at the kill may or may not have been stored; sent again with their
    // keys, each ends up in the thread exactly once.
    for (const attempt of unanswered) {
      const r = await send(second, token, incident, attempt);
      expect([200, 201]).toContain(r.status);
    }
    const after = (await threadPosts(second, incident)).filter((p) => p.body.startsWith(tag));
    expect(after).toHaveLength(attempts.length);
    expect(new Set(after.map((p) => p.body)).size).toBe(attempts.length);
    await second.stop();
  }, 120_000);
});
