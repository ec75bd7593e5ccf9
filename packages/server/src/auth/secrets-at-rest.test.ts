/**
 * Secrets at rest (issue 16, item 6), through the real server on either engine: the data
 * directory is 0700 and the files in it 0600 (an older install's looser modes are tightened at
 * start), every key of LIFEBOAT_SECRET is long enough, and a site's HS256 sign-in secret is stored
 * sealed under a key derived from the server secret — the raw row never holds it — while a
 * plaintext row of an older database still works and is sealed at its first use.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config.js';
import { startTestServer, tempDir, TEST_ENGINE, type TestServer } from '../testing/harness.js';
import { hostClaims, mintHostToken } from '../testing/host-tokens.js';
import { SecretBox } from './secret-box.js';
import { parseSigningKeys } from './tokens.js';

const ADMIN_KEY = 'secrets-admin-key-0123456789-abcdef';
const HOST_SECRET = 'acme-host-secret-at-rest-0123456789abcdef';
const HARNESS_SECRET = 'test-secret-0123456789abcdef';

const mode = (file: string) => fs.statSync(file).mode & 0o777;
const sqliteFiles = (dir: string) =>
  ['lifeboat.db', 'lifeboat.db-wal', 'lifeboat.db-shm'].map((f) => path.join(dir, f));

describe('file modes', () => {
  it('a new data directory is 0700 and its files 0600 (database, WAL, shared memory, secret)', async () => {
    const dir = path.join(tempDir(), 'data');
    const s = await startTestServer({ secret: null }, dir);
    try {
      expect((await s.session('Writes')).token).toBeTruthy();
      expect(mode(dir)).toBe(0o700);
      expect(mode(path.join(dir, 'secret'))).toBe(0o600);
      if (TEST_ENGINE === 'sqlite')
        for (const f of sqliteFiles(dir)) expect(mode(f), f).toBe(0o600);
    } finally {
      await s.close();
    }
  });

  it("an older install's 0755 directory and 0644 files are tightened at start", async () => {
    const dir = path.join(tempDir(), 'data');
    const first = await startTestServer({ secret: null }, dir);
    await first.session('Before');
    const files = [path.join(dir, 'secret'), ...(TEST_ENGINE === 'sqlite' ? sqliteFiles(dir) : [])];
    // Loosened as an older version left them; the next start on the same data tightens them.
    fs.chmodSync(dir, 0o755);
    for (const f of files) fs.chmodSync(f, 0o644);
    const second = await first.restart({ secret: null });
    try {
      expect(mode(dir)).toBe(0o700);
      for (const f of files) expect(mode(f), f).toBe(0o600);
    } finally {
      await second.close();
    }
  });
});

describe('LIFEBOAT_SECRET', () => {
  it('refuses any key shorter than 24 characters, naming it', () => {
    const good = 'k1:' + 'a'.repeat(32);
    expect(loadConfig({ env: { LIFEBOAT_SECRET: good } }).secret).toBe(good);
    expect(() => loadConfig({ env: { LIFEBOAT_SECRET: `${good},k2:short-but-16-chars` } })).toThrow(
      /LIFEBOAT_SECRET: key "k2" has 18 characters; each key needs at least 24/,
    );
    expect(() => loadConfig({ env: { LIFEBOAT_SECRET: 'twenty-characters-xx' } })).toThrow(
      ConfigError,
    );
    expect(() => loadConfig({ env: { LIFEBOAT_SECRET: `${good},` } })).not.toThrow();
  });
});

describe('sealed secret box', () => {
  it('opens what it sealed; a tampered value or a foreign key opens to nothing', () => {
    const box = new SecretBox(parseSigningKeys('k1:' + 'a'.repeat(32)));
    const sealed = box.seal('hello secret');
    expect(sealed).toMatch(/^lbsec:v1:k1:/);
    expect(sealed).not.toContain('hello');
    expect(box.open(sealed)).toEqual({ plain: 'hello secret', needsReseal: false });
    expect(box.open(sealed.slice(0, -2) + (sealed.endsWith('A') ? 'BB' : 'AA')).plain).toBeNull();
    const other = new SecretBox(parseSigningKeys('k1:' + 'b'.repeat(32)));
    expect(other.open(sealed).plain).toBeNull();
    expect(box.open('plain from an old row')).toEqual({
      plain: 'plain from an old row',
      needsReseal: true,
    });
  });
});

describe('stored host sign-in secrets', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ adminKey: ADMIN_KEY });
  });
  afterAll(async () => {
    await s.close();
  });

  const rawSso = async () =>
    (await s.sql<{ sso: string }>("SELECT sso FROM sites WHERE slug = 'acme'"))[0]!.sso;
  const signIn = async (id: string) =>
    (
      await s.api('/v1/sites/acme/sessions/sso', {
        method: 'POST',
        json: { token: mintHostToken(hostClaims({ id }), { alg: 'HS256', secret: HOST_SECRET }) },
      })
    ).status;

  it('are sealed in the row, and still verify tokens', async () => {
    const res = await s.api('/v1/admin/sites/acme/sso', {
      method: 'PUT',
      token: ADMIN_KEY,
      json: { hs256Secret: HOST_SECRET },
    });
    expect(res.status).toBe(200);
    const raw = await rawSso();
    expect(raw).not.toContain(HOST_SECRET);
    expect(JSON.parse(raw).hs256Secret).toMatch(/^lbsec:v1:/);
    expect(await signIn('sealed-1')).toBe(201);
    const view = await s.api('/v1/admin/sites/acme/sso', { token: ADMIN_KEY });
    expect(await view.json()).toMatchObject({ hs256: true });
  });

  it('a plaintext row of an older database works and is sealed at first use', async () => {
    await s.sql(
      "UPDATE sites SET sso = ? WHERE slug = 'acme'",
      JSON.stringify({ hs256Secret: HOST_SECRET }),
    );
    expect(await rawSso()).toContain(HOST_SECRET);
    expect(await signIn('legacy-1')).toBe(201);
    expect(await rawSso()).not.toContain(HOST_SECRET);
    expect(await signIn('legacy-2')).toBe(201);
  });

  it('a plaintext row is sealed at the next start, before anyone signs in', async () => {
    await s.sql(
      "UPDATE sites SET sso = ? WHERE slug = 'acme'",
      JSON.stringify({ hs256Secret: HOST_SECRET }),
    );
    s = await s.restart({ adminKey: ADMIN_KEY });
    expect(await rawSso()).not.toContain(HOST_SECRET);
    expect(await signIn('restarted-1')).toBe(201);
  });

  it('a rotated LIFEBOAT_SECRET still opens it (while the old key is listed) and reseals it', async () => {
    const kidBefore = JSON.parse(await rawSso()).hs256Secret.split(':')[2];
    const NEW = 'k2026:' + 'n'.repeat(40);
    s = await s.restart({ adminKey: ADMIN_KEY, secret: `${NEW},${HARNESS_SECRET}` });
    expect(await signIn('rotated-1')).toBe(201);
    const resealed = JSON.parse(await rawSso()).hs256Secret;
    expect(resealed.split(':')[2]).toBe('k2026');
    expect(resealed.split(':')[2]).not.toBe(kidBefore);
    // The old key dropped: the new one alone opens it.
    s = await s.restart({ adminKey: ADMIN_KEY, secret: NEW });
    expect(await signIn('rotated-2')).toBe(201);
  });
});
