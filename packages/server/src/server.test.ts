import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Incident, SiteStatus, ThreadPage } from '@lifeboat/protocol';
import {
  enc,
  freshTestData,
  startTestServer,
  tempDir,
  type TestServer,
} from './testing/harness.js';
import { CONFIG_OPTIONS, ConfigError, loadConfig } from './config.js';

describe('static files', () => {
  let s: TestServer;
  beforeAll(async () => {
    const cdnDir = tempDir();
    fs.writeFileSync(path.join(cdnDir, 'lifeboat.js'), 'console.log("lifeboat");\n');
    const demoDir = tempDir();
    fs.writeFileSync(path.join(demoDir, 'index.html'), '<!doctype html><title>Acme status</title>');
    fs.mkdirSync(path.join(demoDir, 'assets'));
    fs.writeFileSync(path.join(demoDir, 'assets', 'page.css'), 'body{}');
    fs.writeFileSync(path.join(path.dirname(demoDir), 'lifeboat-secret.txt'), 'secret');
    s = await startTestServer({ cdnDir, demoDir, demo: true });
  });
  afterAll(async () => {
    await s.close();
  });

  it('serves /cdn/lifeboat.js cross-origin with caching headers and ETag', async () => {
    const res = await s.api('/cdn/lifeboat.js');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
    expect(res.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=86400',
    );
    expect(await res.text()).toContain('lifeboat');
    const etag = res.headers.get('etag')!;
    expect((await s.api('/cdn/lifeboat.js', { headers: { 'if-none-match': etag } })).status).toBe(
      304,
    );
  });

  it('answers a 404 problem for missing bundle files and traversal attempts', async () => {
    const missing = await s.api('/cdn/nope.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toMatch(/problem\+json/);
    for (const p of [
      '/cdn/..%2f..%2fetc%2fpasswd',
      '/cdn/%2e%2e/lifeboat-secret.txt',
      '/..%2flifeboat-secret.txt',
    ]) {
      const res = await s.api(p);
      expect(res.status).toBe(404);
    }
  });

  it('serves the demo page and its assets at / in demo mode, and seeds the demo site', async () => {
    const index = await s.api('/');
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await index.text()).toContain('Acme status');
    const css = await s.api('/assets/page.css');
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    expect((await s.api('/v1/unknown')).headers.get('content-type')).toMatch(/problem\+json/);

    const status = (await (await s.api('/v1/sites/demo/status')).json()) as SiteStatus;
    expect(status.site.name).toBe('Acme Cloud');
    expect(status.severity).toBe('major');
    expect(status.description).toBe('Partial outage');
    const [active] = status.incidents as [Incident];
    expect(active.title).toBe('Elevated error rates on webhook deliveries');
    expect(active.updates).toHaveLength(3);
    expect(active.affectedCount).toBe(37);
    expect(active.topWorkaround?.counts).toEqual({ worked: 4, didntWork: 1 });
    const thread = (await (
      await s.api(`/v1/sites/demo/incidents/${enc(active.id)}/thread`)
    ).json()) as ThreadPage;
    expect(thread.posts.length).toBeGreaterThanOrEqual(5);
    expect(new Set(thread.posts.map((p) => p.author.id)).size).toBeGreaterThanOrEqual(4);
    const all = (await (await s.api('/v1/sites/demo/incidents?state=all')).json()) as {
      incidents: Incident[];
    };
    expect(all.incidents.filter((i) => i.resolvedAt !== null)).toHaveLength(2);
  });
});

describe('persistence', () => {
  it('keeps data across a restart on the same store, and seeds the demo only once', async () => {
    const first = await startTestServer({ demo: true });
    const { token } = await first.session('Persistent');
    const res = await first.api(`/v1/sites/acme/incidents/${enc(first.incident)}/posts`, {
      method: 'POST',
      token,
      json: { kind: 'answer', body: 'Still here after restart' },
      headers: { 'idempotency-key': 'persist' },
    });
    expect(res.status).toBe(201);
    const demoEvents = first.count('events');

    const second = await first.restart({ demo: true });
    const thread = (await (
      await second.api(`/v1/sites/acme/incidents/${enc(second.incident)}/thread`)
    ).json()) as ThreadPage;
    expect(thread.posts.map((p) => p.body)).toContain('Still here after restart');
    expect(second.count('sites', "slug = 'demo'")).toBe(1);
    expect(second.count('events')).toBe(demoEvents);
    // the token signed before the restart still works (secret stored in the data dir)
    const me = await second.api(`/v1/sites/acme/incidents/${enc(second.incident)}/me`, { token });
    expect(me.status).toBe(200);
    await second.close();
  });

  it('generates a 0600 secret file when LIFEBOAT_SECRET is not set', async () => {
    const dataDir = tempDir();
    const s = await startTestServer({ secret: null }, dataDir);
    const stat = fs.statSync(path.join(dataDir, 'secret'));
    expect(stat.mode & 0o777).toBe(0o600);
    expect((await s.session('Keyed')).token).toMatch(/^v1\./);
    await s.close();
  });
});

describe('config', () => {
  it('has defaults, reads env, lets flags win', () => {
    const c = loadConfig({ env: {}, argv: [], cwd: '/tmp/x' });
    expect(c).toMatchObject({
      port: 8787,
      host: '127.0.0.1',
      dataDir: '/tmp/x/.lifeboat',
      demo: false,
      heartbeatMs: 15000,
      eventRetention: 10000,
    });
    const e = loadConfig({
      env: { PORT: '9000', LIFEBOAT_DEMO: '1', LIFEBOAT_TRUST_PROXY: '10.0.0.0/8, loopback' },
      argv: ['--port', '9100', '--data-dir=/data'],
      cwd: '/tmp',
    });
    expect(e).toMatchObject({
      port: 9100,
      demo: true,
      dataDir: '/data',
      trustProxy: ['10.0.0.0/8', 'loopback'],
    });
  });

  it('explains bad values', () => {
    expect(() => loadConfig({ env: { PORT: 'eighty' } })).toThrow(ConfigError);
    expect(() => loadConfig({ env: { PORT: '70000' } })).toThrow(/PORT must be between/);
    expect(() => loadConfig({ argv: ['--nope'] })).toThrow(/Unknown option --nope/);
    expect(() => loadConfig({ argv: ['--port'] })).toThrow(/needs a value/);
    expect(() => loadConfig({ env: { LIFEBOAT_SECRET: 'short' } })).toThrow(/at least 24/);
    expect(() => loadConfig({ env: { LIFEBOAT_PUBLIC_ORIGIN: 'not a url' } })).toThrow(
      /LIFEBOAT_PUBLIC_ORIGIN/,
    );
    expect(() => loadConfig({ env: { LIFEBOAT_DATABASE_URL: 'mysql://x/y' } })).toThrow(
      /LIFEBOAT_DATABASE_URL must be a postgres:\/\/ URL/,
    );
    expect(() => loadConfig({ env: { LIFEBOAT_SQLITE_SYNC: 'off' } })).toThrow(/full or normal/);
    expect(() => loadConfig({ env: { LIFEBOAT_LISTEN_BACKLOG: '3' } })).toThrow(
      /LIFEBOAT_LISTEN_BACKLOG/,
    );
  });

  it('reads the storage and connection settings', () => {
    const defaults = loadConfig({ env: {} });
    expect(defaults).toMatchObject({ databaseUrl: null, sqliteSync: 'full', listenBacklog: 4096 });
    const set = loadConfig({
      env: { LIFEBOAT_SQLITE_SYNC: 'NORMAL', LIFEBOAT_LISTEN_BACKLOG: '1024' },
      argv: ['--database', 'postgres://127.0.0.1/lifeboat'],
    });
    expect(set).toMatchObject({
      databaseUrl: 'postgres://127.0.0.1/lifeboat',
      sqliteSync: 'normal',
      listenBacklog: 1024,
    });
  });

  it('reads rate limits per minute, or off', () => {
    expect(loadConfig({ env: {} }).rateLimits).toMatchObject({
      sessionsPerIp: 20,
      writesPerIp: 120,
      postsPerMember: 10,
    });
    expect(loadConfig({ env: { LIFEBOAT_RATE_LIMITS: 'posts=3' } }).rateLimits).toMatchObject({
      sessionsPerIp: 20,
      postsPerMember: 3,
    });
    expect(loadConfig({ env: { LIFEBOAT_RATE_LIMITS: 'off' } }).rateLimits.postsPerMember).toBe(
      Infinity,
    );
    expect(() => loadConfig({ env: { LIFEBOAT_RATE_LIMITS: 'posts' } })).toThrow(
      /LIFEBOAT_RATE_LIMITS/,
    );
    expect(() => loadConfig({ env: { LIFEBOAT_RATE_LIMITS: 'posts=0' } })).toThrow(/between 1/);
  });

  it('exports its options as data for the docs', () => {
    expect(CONFIG_OPTIONS.map((o) => o.env)).toEqual(
      expect.arrayContaining([
        'PORT',
        'HOST',
        'LIFEBOAT_DATA_DIR',
        'LIFEBOAT_SECRET',
        'LIFEBOAT_DEMO',
      ]),
    );
    for (const o of CONFIG_OPTIONS) expect(o.description.length).toBeGreaterThan(10);
  });
});

describe('lifeboat CLI', () => {
  const cli = fileURLToPath(new URL('./cli/main.ts', import.meta.url));
  const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

  it('starts, prints its URL, and exits 0 on SIGTERM', async () => {
    const data = freshTestData();
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        cli,
        'start',
        '--port',
        '0',
        ...data.args,
        '--log-level',
        'silent',
        '--demo',
      ],
      { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start line: ${out}`)), 15000);
      child.stdout.on('data', () => {
        const m = /Lifeboat is running at (http:\/\/localhost:\d+)/.exec(out);
        if (m && out.includes('Data:')) {
          clearTimeout(timer);
          resolve(m[1]!);
        }
      });
    });
    expect(out).toContain('Demo status page:');
    const health = await fetch(url.replace('localhost', '127.0.0.1') + '/healthz');
    expect(await health.json()).toEqual({ ok: true });
    const stream = await fetch(url.replace('localhost', '127.0.0.1') + '/v1/sites/demo/stream');
    expect(stream.status).toBe(200);
    const started = Date.now();
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await data.rows("SELECT slug FROM sites WHERE slug = 'demo'")).toEqual([
      { slug: 'demo' },
    ]);
  }, 30000);

  it('prints help', async () => {
    const child = spawn(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', cli, '--help'],
      { cwd: repoRoot },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    expect(await new Promise((resolve) => child.on('exit', resolve))).toBe(0);
    expect(out).toContain('Usage: lifeboat start');
    expect(out).toContain('LIFEBOAT_DATA_DIR');
  }, 30000);
});
