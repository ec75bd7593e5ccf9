/**
 * SDK identity against the real server (real HTTP, real SQLite file): a guest solves the proof of
 * work with Web Crypto when the site always asks for it; a host token signs the member in (name,
 * role, badges from verified claims), `identify(null)` signs out; the member exports and erases
 * their data and the next write starts afresh.
 */
import crypto from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp, loadConfig } from '@lifeboat/server';
import { createLifeboat, type LifeboatClient } from '@lifeboat/sdk';

const ADMIN_KEY = 'integration-admin-key-0123456789abcdef';
const HOST_SECRET = 'demo-host-secret-0123456789abcdef01234';
let app: FastifyInstance;
let server: string;
let dataDir: string;
let incidentId: string;
const clients: LifeboatClient[] = [];

function visitor(
  options: { identity?: string; refreshIdentity?: () => Promise<string | null> } = {},
) {
  const client = createLifeboat({ server, site: 'demo', storage: null, ...options });
  clients.push(client);
  return client;
}

/** What the company's backend does: an HS256 JWT with the site's secret. */
function hostToken(claims: Record<string, unknown>): string {
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const head = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ iat: now, exp: now + 300, aud: 'demo', jti: crypto.randomUUID(), ...claims })}`;
  return `${head}.${crypto.createHmac('sha256', HOST_SECRET).update(head).digest('base64url')}`;
}

const admin = (path: string, method: string, body: unknown) =>
  fetch(`${server}/v1/admin/sites/demo/${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

async function setPolicy(change: object): Promise<void> {
  expect((await admin('policy', 'PUT', change)).status).toBe(200);
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'lifeboat-identity-live-'));
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
  expect((await admin('sso', 'PUT', { hs256Secret: HOST_SECRET })).status).toBe(200);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await app.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('SDK identity against the real server', () => {
  it("a guest on a site with guestChallenge 'always' solves the proof of work and posts", async () => {
    await setPolicy({ guestChallenge: 'always' });
    try {
      const bare = await fetch(`${server}/v1/sites/demo/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ displayName: 'Bot' }),
      });
      expect(bare.status).toBe(428);
      const guest = visitor();
      const session = await guest.startSession('Gus');
      expect(session.member).toMatchObject({ displayName: 'Gus', staff: false });
      const post = await guest.post(incidentId, {
        kind: 'answer',
        body: 'Retrying after a minute worked.',
      });
      expect(post.author.displayName).toBe('Gus');
    } finally {
      await setPolicy({ guestChallenge: 'under_load' });
    }
  });

  it('a host token signs the member in with verified name, role and badges; identify(null) signs out', async () => {
    const member = visitor({
      identity: hostToken({
        id: 'acct-7',
        name: 'Priya (Acme)',
        role: 'staff',
        badges: ['support'],
      }),
    });
    const post = await member.post(incidentId, {
      kind: 'answer',
      body: 'We are rolling back the webhook release now.',
    });
    expect(post.author).toMatchObject({
      displayName: 'Priya (Acme)',
      role: 'staff',
      staff: true,
      badges: ['support'],
    });
    expect(await member.identify(null)).toBeNull();
    const asGuest = await member.startSession('Just me');
    expect(asGuest.member).toMatchObject({ displayName: 'Just me', staff: false });
    expect(asGuest.member.id).not.toBe(post.author.id);
  });

  it('a refused token is reported with the reason; refreshIdentity supplies a good one', async () => {
    const expired = hostToken({
      id: 'acct-8',
      name: 'Old',
      exp: Math.floor(Date.now() / 1000) - 3600,
    });
    const plain = visitor();
    await expect(plain.identify(expired)).rejects.toMatchObject({
      status: 401,
      message: /expired/,
    });
    let refreshed = 0;
    const member = visitor({
      identity: expired,
      refreshIdentity: async () => (refreshed++, hostToken({ id: 'acct-8', name: 'Fresh' })),
    });
    const post = await member.post(incidentId, {
      kind: 'answer',
      body: 'Fresh token, fresh post.',
    });
    expect(post.author.displayName).toBe('Fresh');
    expect(refreshed).toBe(1);
  });

  it('exportMyData returns what is stored; deleteMyData erases it and ends the session', async () => {
    const member = visitor({ identity: hostToken({ id: 'acct-9', name: 'Erin' }) });
    const post = await member.post(incidentId, { kind: 'answer', body: 'Erin was here briefly.' });
    await member.setAffected(incidentId, true);
    const data = await member.exportMyData();
    expect(data.member).toMatchObject({ displayName: 'Erin', kind: 'sso', externalId: 'acct-9' });
    expect(data.posts.map((p) => p.id)).toEqual([post.id]);
    expect(data.affected.map((a) => a.incidentId)).toEqual([incidentId]);

    const token = member.$session.get()!.token;
    await member.deleteMyData();
    expect(member.$session.get()).toBeNull();
    const thread = await (
      await fetch(
        `${server}/v1/sites/demo/incidents/${encodeURIComponent(incidentId)}/thread?limit=200`,
      )
    ).json();
    expect(thread.posts.find((p: { id: string }) => p.id === post.id)).toMatchObject({
      body: '',
      author: { displayName: 'Deleted member' },
    });
    const me = await fetch(`${server}/v1/sites/demo/members/me`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(401);
  });
});
