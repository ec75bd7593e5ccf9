/**
 * Two server instances over one PostgreSQL database (the PostgreSQL run of the unit suites:
 * LIFEBOAT_TEST_ENGINE=postgres): events cross instances through LISTEN/NOTIFY, shared state holds
 * across them, the poller runs on one of them, and the hub heals a lost LISTEN connection.
 */
import { solveChallenge } from 'altcha-lib/v1';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GuestChallenge, Post } from '@lifeboat/protocol';
import {
  createTestDatabase,
  enc,
  psql,
  startTestServer,
  TEST_ENGINE,
  tempDir,
  type TestServer,
} from '../testing/harness.js';
import { openSse, type SseClient } from '../testing/sse.js';
import type { PgHub } from '../realtime/pg-hub.js';
import type { AuditActor } from '../store/store.js';

const SECRET = 'cluster-secret-0123456789abcdef';
const ADMIN: AuditActor = { kind: 'admin', id: null, displayName: 'test' };

describe.runIf(TEST_ENGINE === 'postgres')('two instances on one PostgreSQL', () => {
  let db: { url: string; drop: () => void };
  let a: TestServer;
  let b: TestServer;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    db = createTestDatabase();
    const limits = {
      sessionsPerIp: 6,
      writesPerIp: 10_000,
      writesPerMember: 10_000,
      writesPerStaff: 10_000,
      postsPerMember: 1000,
      windowMs: 60_000,
    };
    // A seeds the fixtures, B finds them (concurrent starts are tested in store/migrations).
    a = await startTestServer(
      { databaseUrl: db.url, secret: SECRET, rateLimits: limits },
      tempDir(),
    );
    b = await startTestServer(
      { databaseUrl: db.url, secret: SECRET, rateLimits: limits },
      tempDir(),
    );
    Object.assign(b, { incident: a.incident, lockedIncident: a.lockedIncident });
  });

  afterAll(async () => {
    for (const c of clients) c.close();
    await a?.close();
    await b?.close();
    db?.drop();
  });

  const postOn = async (s: TestServer, token: string, body: string): Promise<Post> => {
    const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
      method: 'POST',
      token,
      json: { kind: 'answer', body },
      headers: { 'idempotency-key': `k-${body.replace(/\W/g, '')}` },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as Post;
  };

  it('migrated once', () => {
    expect(psql(db.url, 'SELECT COUNT(*) FROM schema_migrations WHERE version = 7')).toBe('1');
    expect(psql(db.url, "SELECT COUNT(*) FROM sites WHERE slug = 'acme'")).toBe('1');
  });

  it('a post made on A reaches a stream open on B, once', async () => {
    const stream = await openSse(`${b.url}/v1/sites/acme/stream`);
    clients.push(stream);
    await stream.waitFor((f) => f.event === 'ready');
    const token = (await a.session('Ana')).token; // tokens are valid on every instance
    const post = await postOn(a, token, 'Across instances');
    const frame = await stream.waitFor((f) => f.event === 'post.created');
    expect(JSON.parse(frame.data!).post.id).toBe(post.id);
    // B's own write goes to the same stream too
    const again = await postOn(b, token, 'Written on B');
    const second = await stream.waitFor(
      (f) => f.event === 'post.created' && JSON.parse(f.data!).post.id === again.id,
    );
    expect(Number(second.id)).toBeGreaterThan(Number(frame.id));
    expect(stream.frames.filter((f) => f.event === 'post.created')).toHaveLength(2);
  });

  it('heals a lost LISTEN connection: events written meanwhile still arrive', async () => {
    const stream = await openSse(`${b.url}/v1/sites/acme/stream`);
    clients.push(stream);
    await stream.waitFor((f) => f.event === 'ready');
    // Cut B's LISTEN connection from the server side, then write on A while it is down.
    psql(
      db.url,
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN lifeboat_events%' AND pid <> pg_backend_pid()",
    );
    const token = (await a.session('Bea')).token;
    const post = await postOn(a, token, 'While B was deaf');
    const frame = await stream.waitFor(
      (f) => f.event === 'post.created' && JSON.parse(f.data!).post.id === post.id,
      10_000,
    );
    expect(frame.id).toBeTruthy();
    const hubB = b.app.lifeboat.hub as PgHub;
    expect(hubB.connected).toBe(true);
  });

  it('a proof of work used on A is refused on B', async () => {
    const site = (await a.app.lifeboat.store.getSiteBySlug('acme'))!;
    const policy = await a.app.lifeboat.store.getSitePolicy(site.id);
    await a.app.lifeboat.store.setSitePolicy(
      site.id,
      { ...policy, guestChallenge: 'always' },
      { action: 'policy', actor: ADMIN, reason: null, detail: null },
    );
    try {
      const c = (await (await a.api('/v1/sites/acme/sessions/challenge')).json()) as GuestChallenge;
      const { number } = (await solveChallenge(c.challenge, c.salt, c.algorithm, c.maxnumber)
        .promise)!;
      const altcha = Buffer.from(JSON.stringify({ ...c, number })).toString('base64');
      const first = await a.api('/v1/sites/acme/sessions', {
        method: 'POST',
        json: { displayName: 'Pow', altcha },
      });
      expect(first.status).toBe(201);
      const replay = await b.api('/v1/sites/acme/sessions', {
        method: 'POST',
        json: { displayName: 'Pow again', altcha },
      });
      expect(replay.status).toBe(422);
      expect((await replay.json()).errors[0].message).toMatch(/already used/);
    } finally {
      await a.app.lifeboat.store.setSitePolicy(site.id, policy, {
        action: 'policy',
        actor: ADMIN,
        reason: null,
        detail: null,
      });
    }
  });

  it('a client over its limit on A is over it on B', async () => {
    // 6 guest sessions per IP per minute across both; earlier tests made some already.
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const s = i % 2 === 0 ? a : b;
      const res = await s.api('/v1/sites/acme/sessions', {
        method: 'POST',
        json: { displayName: `Limit ${i}` },
      });
      statuses.push(res.status);
    }
    expect(statuses.filter((x) => x === 201).length).toBeLessThan(6);
    expect(statuses.at(-1)).toBe(429);
    expect(statuses.at(-2)).toBe(429); // refused on both instances
  });

  it('polls on one instance; the other takes over when it stops', async () => {
    const pa = a.app.lifeboat.statusPoller;
    const pb = b.app.lifeboat.statusPoller;
    expect([pa.polls, pb.polls].filter(Boolean)).toHaveLength(1);
    const [holder, other] = pa.polls ? [pa, pb] : [pb, pa];
    holder.stop(); // releases the lease
    await new Promise((r) => setTimeout(r, 200));
    await other.renewLease();
    expect(other.polls).toBe(true);
    expect(holder.polls).toBe(false);
  });
});
