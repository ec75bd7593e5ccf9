/**
 * Test harness: the real app on 127.0.0.1:0 over a real store — a SQLite file in a temp
 * directory, or, with LIFEBOAT_TEST_ENGINE=postgres, a fresh PostgreSQL database per server
 * (created on LIFEBOAT_TEST_PG, default postgres://postgres@127.0.0.1:5432, dropped at close).
 * Tests that need a store without a server (CLI commands, the poller) take a `testData()`: the
 * same choice of engine, for them to open stores on and point the CLI at.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ulid, type Session } from '@lifeboat/protocol';
import { buildApp } from '../app.js';
import { signToken } from '../auth/tokens.js';
import { openStore, type SqlStore, type StoreOptions } from '../store/sql-store.js';
import { loadConfig, type ServerConfig } from '../config.js';
import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';

export const TEST_ORIGIN = 'https://status.acme.test';

export interface TestServer {
  app: FastifyInstance;
  url: string;
  config: ServerConfig;
  dataDir: string;
  /** The server's store: its data directory and, on PostgreSQL, its database. */
  data: TestData;
  site: string;
  incident: string;
  lockedIncident: string;
  /** Rows in a table (a separate read connection on the same file, or `psql`). */
  count(table: string, where?: string): number;
  /** Rows of a statement on the server's own store (either engine; `?` placeholders). */
  sql<T = Record<string, unknown>>(text: string, ...params: unknown[]): Promise<T[]>;
  api(pathname: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /**
   * A guest session. Every one comes from 127.0.0.1 with fetch's User-Agent, so they share one
   * guest fingerprint (one browser: a ban covers them all, their flags and confirmations count
   * once); give `userAgent` for a visitor with a browser of their own.
   */
  session(displayName?: string, site?: string, userAgent?: string): Promise<Session>;
  /** A token of a new staff member (made as the CLI's `lifeboat staff add` would) of a site. */
  staffToken(displayName?: string, site?: string): Promise<string>;
  /**
   * Stops this server keeping its data, and starts another one on the same data (directory and
   * database) with `overrides`; the new server owns the data from then on.
   */
  restart(overrides?: Partial<ServerConfig>): Promise<TestServer>;
  close(): Promise<void>;
}

/** Where a test's data lives, on the engine the suite runs on. */
export interface TestData {
  /** The data directory (the SQLite file, the signing secret). */
  dir: string;
  /** The PostgreSQL database, or null on SQLite. */
  databaseUrl: string | null;
  /** CLI flags that point a command at this data: `--data-dir` and, on PostgreSQL, `--database`. */
  args: string[];
  /** Opens a store on it, migrating when needed (its own connection, as another process's). */
  open(options?: Pick<StoreOptions, 'eventRetention'>): Promise<SqlStore>;
  /** Rows of a statement (`?` placeholders), through a store opened and closed for it. */
  rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]>;
  /** Drops the PostgreSQL database (nothing on SQLite); a test server does it at close. */
  drop(): void;
}

/** The engine the suites run on (CI runs the server suites once per engine). */
export const TEST_ENGINE: 'sqlite' | 'postgres' =
  process.env['LIFEBOAT_TEST_ENGINE'] === 'postgres' ? 'postgres' : 'sqlite';
const PG_BASE = (process.env['LIFEBOAT_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432').replace(
  /\/+$/,
  '',
);
/**
 * Test databases are named `lb_test_[<run>_]<ulid>`: scripts/test-all.mjs sets
 * LIFEBOAT_TEST_RUN, so it can find (and drop) any database its run left behind without touching
 * those of a run going on beside it.
 */
const RUN = (process.env['LIFEBOAT_TEST_RUN'] ?? '')
  .toLowerCase()
  .replace(/[^a-z0-9]/g, '')
  .slice(0, 16);

/** `psql` on a database, synchronously (tests read rows between requests). */
export function psql(url: string, sql: string): string {
  return execFileSync('psql', [url, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-c', sql], {
    encoding: 'utf8',
  }).trim();
}

/** A new empty PostgreSQL database for one test server; returns its URL and a drop function. */
export function createTestDatabase(): { url: string; drop: () => void } {
  const name = `lb_test_${RUN ? `${RUN}_` : ''}${ulid().toLowerCase()}`;
  psql(`${PG_BASE}/postgres`, `CREATE DATABASE ${name}`);
  return {
    url: `${PG_BASE}/${name}`,
    drop: () => {
      try {
        psql(`${PG_BASE}/postgres`, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } catch {
        // best effort: scripts/test-all.mjs reports and drops what a run left behind
      }
    },
  };
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'lifeboat-test-'));
}

/**
 * Fresh data for a test on the suite's engine: a temp directory and, on PostgreSQL, a new empty
 * database (drop it when done, or take `freshTestData()`). With `databaseUrl` given, that
 * database is used and never dropped; `null` means SQLite whatever the engine.
 */
export function testData(dir = tempDir(), databaseUrl?: string | null): TestData {
  const pg = databaseUrl === undefined && TEST_ENGINE === 'postgres' ? createTestDatabase() : null;
  const url = pg?.url ?? databaseUrl ?? null;
  const open: TestData['open'] = (options = {}) =>
    openStore({ databaseUrl: url, file: path.join(dir, 'lifeboat.db'), ...options });
  return {
    dir,
    databaseUrl: url,
    args: ['--data-dir', dir, ...(url ? ['--database', url] : [])],
    open,
    async rows<T>(sql: string, ...params: unknown[]) {
      const store = await open();
      try {
        return await store.driver.all<T>(sql, ...params);
      } finally {
        await store.close();
      }
    },
    drop: () => pg?.drop(),
  };
}

/** `testData()` inside a test: dropped when that test ends. */
export function freshTestData(): TestData {
  const data = testData();
  onTestFinished(data.drop);
  return data;
}

export async function startTestServer(
  overrides: Partial<ServerConfig> = {},
  dataDir = tempDir(),
): Promise<TestServer> {
  return start(overrides, testData(dataDir, overrides.databaseUrl));
}

async function start(overrides: Partial<ServerConfig>, data: TestData): Promise<TestServer> {
  const dataDir = data.dir;
  const base = loadConfig({ env: {}, argv: [], cwd: dataDir });
  const config: ServerConfig = {
    ...base,
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    secret: 'test-secret-0123456789abcdef',
    // Fake upstream status pages listen on loopback, which the poller refuses unless allowed.
    statusAllow: ['127.0.0.1'],
    // Tests solve proofs of work with altcha-lib: a small range keeps them quick.
    challengeMaxNumber: 50_000,
    rateLimits: {
      sessionsPerIp: 1000,
      writesPerIp: 10_000,
      writesPerMember: 10_000,
      writesPerStaff: 10_000,
      postsPerMember: 1000,
      windowMs: 60_000,
    },
    ...overrides,
    databaseUrl: data.databaseUrl,
  };
  let app: FastifyInstance | null = null;
  try {
    app = await buildApp(config);
    return await serve(app, config, data);
  } catch (err) {
    await app?.close();
    data.drop();
    throw err;
  }
}

/** Seeds the test sites (once per store), listens, and wraps the running app. */
async function serve(
  app: FastifyInstance,
  config: ServerConfig,
  data: TestData,
): Promise<TestServer> {
  const dataDir = data.dir;
  const { store } = app.lifeboat;
  let site = await store.getSiteBySlug('acme');
  let incident = '';
  let lockedIncident = '';
  if (!site) {
    site = await store.createSite({ slug: 'acme', name: 'Acme', origins: [TEST_ORIGIN] });
    await store.replaceComponents(site.id, [
      { id: 'api', name: 'API', status: 'operational', group: null },
      { id: 'webhooks', name: 'Webhooks', status: 'degraded_performance', group: 'Integrations' },
    ]);
    await store.createSite({ slug: 'other', name: 'Other', origins: ['*'] });
    const now = new Date().toISOString();
    incident = 'statuspage:abc:inc1';
    await store.createIncident(site.id, {
      id: incident,
      title: 'Webhooks failing',
      phase: 'investigating',
      impact: 'major',
      components: ['webhooks'],
      startedAt: now,
      resolvedAt: null,
      threadState: 'open',
      updates: [{ id: ulid(), phase: 'investigating', body: 'Looking into it.', createdAt: now }],
    });
    lockedIncident = ulid();
    await store.createIncident(site.id, {
      id: lockedIncident,
      title: 'Old one',
      phase: 'resolved',
      impact: 'minor',
      components: [],
      startedAt: now,
      resolvedAt: now,
      threadState: 'locked',
      updates: [],
    });
  } else {
    const all = await store.listIncidents(site.id, 'all');
    incident = all.find((i) => i.threadState === 'open')!.id;
    lockedIncident = all.find((i) => i.threadState === 'locked')!.id;
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const databaseUrl = data.databaseUrl;
  const reader = databaseUrl
    ? null
    : new Database(path.join(dataDir, 'lifeboat.db'), { readonly: true, fileMustExist: true });

  const api: TestServer['api'] = (pathname, init = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return fetch(url + pathname, { ...init, headers, body });
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    reader?.close();
    app.lifeboat.closeStreams();
    await app.close();
  };

  return {
    app,
    url,
    config,
    dataDir,
    data,
    site: 'acme',
    incident,
    lockedIncident,
    count: (table, where = '1=1') => {
      const sql = `SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`;
      if (databaseUrl) return Number(psql(databaseUrl, sql));
      return (reader!.prepare(sql).get() as { n: number }).n;
    },
    sql: <T>(text: string, ...params: unknown[]) =>
      (app.lifeboat.store as SqlStore).driver.all<T>(text, ...params),
    api,
    async session(displayName = 'Tester', siteSlug = 'acme', userAgent?: string) {
      const res = await api(`/v1/sites/${siteSlug}/sessions`, {
        method: 'POST',
        json: { displayName },
        ...(userAgent ? { headers: { 'user-agent': userAgent } } : {}),
      });
      if (res.status !== 201) throw new Error(`session: ${res.status} ${await res.text()}`);
      return (await res.json()) as Session;
    },
    async staffToken(displayName = 'Sam (Acme)', siteSlug = 'acme') {
      const { store, keys } = app.lifeboat;
      const site = (await store.getSiteBySlug(siteSlug))!;
      const member = await store.createMember({
        siteId: site.id,
        kind: 'staff',
        displayName,
        role: 'staff',
      });
      return signToken(keys, {
        sub: member.id,
        site: site.id,
        name: member.displayName,
        exp: Math.floor(Date.now() / 1000) + 3600,
      });
    },
    async restart(next = {}) {
      await stop();
      return start(next, data);
    },
    async close() {
      try {
        await stop();
      } finally {
        data.drop();
      }
    },
  };
}

export const enc = encodeURIComponent;

declare global {
  // Tests read arbitrary JSON (problems included) and assert on it.
  interface Response {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json<T = any>(): Promise<T>;
  }
}
