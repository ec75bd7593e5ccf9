/**
 * An acknowledged post survives a crash, again and again: a real `lifeboat start` process takes
 * posts from concurrent clients and is killed with SIGKILL at a random moment while more are in
 * flight, then restarted on the same data — 20 times (LIFEBOAT_CRASH_KILLS), on SQLite (the data
 * directory's file) and on PostgreSQL (a fresh database), both at once. After each restart:
 * - every post answered 201 is in the thread (counted through the API), once;
 * - nothing is half-written: the incident's post count agrees with the thread's rows, and every
 *   post of the thread has its `post.created` event and every event its post;
 * - the stream replays them: connected with `Last-Event-ID: 0`, it delivers each acknowledged
 *   post exactly once before `ready`;
 * - a retry of each unanswered post (same Idempotency-Key) is stored at most once.
 */
import { rmSync } from 'node:fs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { Cleanup, createDatabase, startInstance, tempDir, type Instance } from './multi-cluster.js';

const KILLS = Number(process.env['LIFEBOAT_CRASH_KILLS'] ?? 20);
const CLIENTS = 6;
const GUESTS = 3;

interface Attempt {
  key: string;
  token: string;
  body: string;
  /** The post's id when the server answered 201 (or 200 for a retry). */
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

function send(server: Instance, incident: string, attempt: Attempt) {
  return fetch(`${server.url}/v1/sites/demo/incidents/${encodeURIComponent(incident)}/posts`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${attempt.token}`,
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

/** The posts of the `post.created` events the stream replays from `Last-Event-ID: 0` to `ready`. */
async function replayedPosts(server: Instance): Promise<Array<{ id: string; body: string }>> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), 30_000);
  const ids: Array<{ id: string; body: string }> = [];
  try {
    const res = await fetch(`${server.url}/v1/sites/demo/stream`, {
      headers: { 'last-event-id': '0' },
      signal: abort.signal,
    });
    expect(res.status).toBe(200);
    const decoder = new TextDecoder();
    let buffer = '';
    const seen: string[] = [];
    const reader = res.body!.getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(frame)?.[1];
        seen.push(event ?? frame.slice(0, 40));
        if (event === 'reset') throw new Error(`the replay from 0 was reset: ${frame}`);
        if (event === 'ready') return ids;
        if (event === 'post.created') {
          const data = /^data: (.*)$/m.exec(frame)![1]!;
          const { post } = JSON.parse(data) as { post: { id: string; body: string } };
          ids.push({ id: post.id, body: post.body });
        }
      }
    }
    throw new Error(
      `the stream ended before ready; frames: ${seen.slice(-5).join(' | ')} (${seen.length})`,
    );
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe.concurrent.each([
  { engine: 'SQLite', database: false },
  { engine: 'PostgreSQL', database: true },
])('acknowledged posts survive repeated SIGKILL ($engine)', ({ engine, database }) => {
  it(`keeps every post answered 201 across ${KILLS} kills, whole, once, and replayed`, async () => {
    // Its own cleanup: the two engines run at once, and one ending must not stop the other.
    const cleanup = new Cleanup();
    onTestFinished(() => cleanup.run(), 60_000);
    const dataDir = tempDir('lifeboat-durability-');
    cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
    const env: Record<string, string> = {
      // Many posts from a few members in seconds: the limits would answer 429, not the store.
      LIFEBOAT_RATE_LIMITS: 'off',
      ...(database ? { LIFEBOAT_DATABASE_URL: createDatabase(cleanup).url } : {}),
    };
    const tag = `durable${Date.now().toString(36)}${engine}`;
    const attempts: Attempt[] = [];
    let incident = '';
    let tokens: string[] = [];
    let killedAfterAcks: number[] = [];
    let retried = 0;
    let acknowledged = 0;
    const startMs: number[] = [];
    const started = Date.now();

    /** Everything acknowledged so far is there, whole and once, in the thread and the replay. */
    const verify = async (server: Instance) => {
      const thread = await threadPosts(server, incident);
      const ours = thread.filter((p) => p.body.startsWith(tag));
      const ids = new Set(thread.map((p) => p.id));
      expect(ids.size, 'a post listed twice').toBe(thread.length);
      const missing = attempts.filter((a) => a.id !== null && !ids.has(a.id));
      expect(missing.map((a) => a.body)).toEqual([]);
      // The incident's count agrees with its rows.
      const one = (await (
        await fetch(`${server.url}/v1/sites/demo/incidents/${encodeURIComponent(incident)}`)
      ).json()) as { postCount: number };
      expect(one.postCount).toBe(thread.length);
      // Every post has its event, once, and every event its post.
      const replayed = await replayedPosts(server);
      const replayedIds = replayed.map((p) => p.id);
      expect(new Set(replayedIds).size, 'a post.created replayed twice').toBe(replayed.length);
      const replayedOurs = replayed.filter((p) => p.body.startsWith(tag)).map((p) => p.id);
      expect(replayedOurs.sort()).toEqual(ours.map((p) => p.id).sort());
      return ours;
    };

    for (let round = 0; round <= KILLS; round++) {
      const t0 = Date.now();
      const server = await startInstance(cleanup, { name: `durable-${round}`, dataDir, env });
      startMs.push(Date.now() - t0);
      if (round === 0) {
        incident = await openIncident(server);
        tokens = [];
        for (let g = 0; g < GUESTS; g++) tokens.push(await guestToken(server, `Dana ${g}`));
      } else {
        await verify(server);
        // The posts in flight at the last kill may or may not have been stored; sent again with
        // their keys, each ends up in the thread exactly once.
        for (const attempt of attempts.filter((a) => a.id === null)) {
          const r = await send(server, incident, attempt);
          expect([200, 201], await r.clone().text()).toContain(r.status);
          attempt.id = ((await r.json()) as { id: string }).id;
          retried++;
        }
        const ours = await verify(server);
        expect(ours).toHaveLength(attempts.length);
        expect(new Set(ours.map((p) => p.body)).size).toBe(attempts.length);
      }
      if (round === KILLS) {
        await server.stop();
        break;
      }

      // Clients post as fast as they can; the process is killed at a random moment after the
      // first acknowledgement, with requests in flight.
      let killed: Promise<void> | null = null;
      let acks = 0;
      const killAfter = 20 + Math.floor(Math.random() * 300);
      const client = async (c: number) => {
        while (!killed) {
          const attempt: Attempt = {
            key: crypto.randomUUID(),
            token: tokens[c % tokens.length]!,
            body: `${tag} #${attempts.length}: switching the relay region helped`,
            id: null,
          };
          attempts.push(attempt);
          try {
            const r = await send(server, incident, attempt);
            if (r.status === 201) {
              attempt.id = ((await r.json()) as { id: string }).id;
              acknowledged++;
              if (++acks === 1) void sleep(killAfter).then(() => (killed ??= server.kill()));
            } else if (!killed) throw new Error(`POST answered ${r.status}: ${await r.text()}`);
          } catch (err) {
            if (!killed) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c)));
      await killed;
      expect(server.process.signalCode).toBe('SIGKILL');
      killedAfterAcks.push(acks);
    }

    console.log(
      `crash (${engine}): ${KILLS} SIGKILLs in ${((Date.now() - started) / 1000).toFixed(0)} s; ` +
        `${attempts.length} posts sent, ${acknowledged} acknowledged (201) before a kill, ` +
        `${retried} in flight at a kill and retried (each stored once); acknowledged per round ` +
        `min ${Math.min(...killedAfterAcks)} max ${Math.max(...killedAfterAcks)}; lost 0, ` +
        `half-written 0, replayed exactly once; a start took ${Math.round(startMs.reduce((a, b) => a + b, 0) / startMs.length)} ms on average`,
    );
    killedAfterAcks = [];
  }, 600_000);
});
