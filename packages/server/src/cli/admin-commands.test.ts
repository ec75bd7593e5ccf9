/** `lifeboat site …` and `lifeboat incident …` on a real store (SQLite, or PostgreSQL with --database). */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Incident } from '@lifeboat/protocol';
import { helpText } from '../config.js';
import { freshTestData, type TestData } from '../testing/harness.js';
import { runAdminCommand, SITE_HELP } from './admin-commands.js';

const root = new URL('../../../../', import.meta.url).pathname;

function cli(data: TestData) {
  const out: string[] = [];
  const err: string[] = [];
  const run = (group: 'site' | 'incident', ...args: string[]) =>
    runAdminCommand(group, [...args, ...data.args], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: {},
      cwd: data.dir,
    });
  return { run, out, err };
}

describe('lifeboat site', () => {
  it('creates, updates and lists sites', async () => {
    const data = freshTestData();
    const c = cli(data);
    expect(
      await c.run(
        'site',
        'create',
        '--slug',
        'acme',
        '--name',
        'Acme',
        '--origin',
        'https://status.acme.example/',
        '--origin=https://acme.example',
        '--status-url',
        'https://acme.statuspage.io/api/v2/summary.json',
      ),
    ).toBe(0);
    expect(c.out.at(-1)).toBe('Created site "acme" (Acme).');
    expect(
      await c.run('site', 'update', '--slug', 'acme', '--poll-interval-ms', '60000', '--json'),
    ).toBe(0);
    expect(JSON.parse(c.out.at(-1)!)).toMatchObject({
      slug: 'acme',
      origins: ['https://status.acme.example', 'https://acme.example'],
      statusUrl: 'https://acme.statuspage.io/api/v2/summary.json',
      pollIntervalMs: 60000,
    });
    expect(await c.run('site', 'update', '--slug', 'acme', '--status-url', 'none')).toBe(0);
    expect(await c.run('site', 'list')).toBe(0);
    expect(c.out.at(-1)).toBe(
      'acme\tAcme\tmanual incidents\torigins: https://status.acme.example, https://acme.example',
    );
    expect(await data.rows('SELECT slug, status_url, poll_interval_ms FROM sites')).toEqual([
      { slug: 'acme', status_url: null, poll_interval_ms: 60000 },
    ]);
  });

  it('refuses bad input with field messages and stores nothing', async () => {
    const data = freshTestData();
    const c = cli(data);
    expect(
      await c.run('site', 'create', '--slug', 'Bad Slug', '--name', 'x', '--status-url', 'ftp://x'),
    ).toBe(2);
    expect(c.err).toEqual([
      expect.stringMatching(/^lifeboat: slug: /),
      expect.stringMatching(/^lifeboat: statusUrl: /),
    ]);
    expect(await c.run('site', 'create', '--name', 'No slug')).toBe(2);
    expect(c.err.at(-1)).toContain('Missing --slug.');
    expect(await c.run('site', 'create', '--slug', 'a', '--name', 'A', '--bogus', '1')).toBe(2);
    expect(await data.rows('SELECT * FROM sites')).toEqual([]);
    expect(await c.run('site', 'create', '--slug', 'a', '--name', 'A')).toBe(0);
    expect(await c.run('site', 'create', '--slug', 'a', '--name', 'Again')).toBe(2);
    expect(c.err.at(-1)).toBe('lifeboat: another site already uses this slug.');
  });
});

describe('lifeboat incident', () => {
  it('creates, updates and resolves a manual incident with its events', async () => {
    const data = freshTestData();
    const c = cli(data);
    await c.run('site', 'create', '--slug', 'acme', '--name', 'Acme');
    expect(
      await c.run(
        'incident',
        'create',
        '--site',
        'acme',
        '--title',
        'Checkout down',
        '--impact',
        'critical',
        '--body',
        'Investigating.',
        '--json',
      ),
    ).toBe(0);
    const created = JSON.parse(c.out.at(-1)!) as Incident;
    expect(created).toMatchObject({
      title: 'Checkout down',
      threadState: 'open',
      phase: 'investigating',
    });
    expect(
      await c.run(
        'incident',
        'update',
        '--site',
        'acme',
        '--id',
        created.id,
        '--phase',
        'monitoring',
        '--body',
        'Fix deployed.',
      ),
    ).toBe(0);
    expect(c.out.at(-1)).toContain('[monitoring, critical] Checkout down');
    expect(await c.run('incident', 'resolve', '--site', 'acme', '--id', created.id)).toBe(0);
    expect(await c.run('incident', 'resolve', '--site', 'acme', '--id', created.id)).toBe(1);
    expect(c.err.at(-1)).toBe('lifeboat: this incident is already resolved.');
    expect((await data.rows('SELECT type FROM events ORDER BY seq')).map((r) => r['type'])).toEqual(
      ['incident.opened', 'incident.updated', 'incident.resolved'],
    );
    expect(await c.run('incident', 'list', '--site', 'acme')).toBe(0);
    expect(c.out.at(-1)).toBe('No open incidents.');
  });

  it('reports unknown sites, incidents, impacts and empty changes', async () => {
    const data = freshTestData();
    const c = cli(data);
    await c.run('site', 'create', '--slug', 'acme', '--name', 'Acme');
    expect(await c.run('incident', 'list', '--site', 'nope')).toBe(1);
    expect(
      await c.run('incident', 'update', '--site', 'acme', '--id', 'nope', '--title', 'x'),
    ).toBe(1);
    expect(
      await c.run(
        'incident',
        'create',
        '--site',
        'acme',
        '--title',
        't',
        '--impact',
        'huge',
        '--body',
        'b',
      ),
    ).toBe(2);
    expect(c.err.at(-1)).toContain('--impact must be one of none, minor, major, critical.');
    expect(await c.run('incident', 'update', '--site', 'acme', '--id', 'x')).toBe(2);
    expect(await data.rows('SELECT * FROM incidents')).toEqual([]);
  });
});

describe('the lifeboat binary', () => {
  it('dispatches site and incident commands and prints their help', async () => {
    const data = freshTestData();
    const env = {
      ...process.env,
      LIFEBOAT_DATA_DIR: data.dir,
      LIFEBOAT_DATABASE_URL: data.databaseUrl ?? '',
    };
    const run = (...args: string[]) =>
      promisify(execFile)(
        process.execPath,
        ['--conditions=source', '--import', 'tsx', 'packages/server/src/cli/main.ts', ...args],
        { cwd: root, env },
      );
    expect((await run('site', '--help')).stdout.trim()).toBe(SITE_HELP);
    await run('site', 'create', '--slug', 'bin', '--name', 'From the binary');
    expect(await data.rows('SELECT slug, name FROM sites')).toEqual([
      { slug: 'bin', name: 'From the binary' },
    ]);
    expect(helpText()).toContain('lifeboat site --help');
  }, 30_000);
});

describe('two sites and one status page', () => {
  it('lets a second site follow the same page (each keeps its own incidents)', async () => {
    const data = freshTestData();
    const c = cli(data);
    const url = 'https://acme.statuspage.io/api/v2/summary.json';
    expect(
      await c.run('site', 'create', '--slug', 'acme', '--name', 'Acme', '--status-url', url),
    ).toBe(0);
    expect(
      await c.run('site', 'create', '--slug', 'beta', '--name', 'Beta', '--status-url', url),
    ).toBe(0);
    expect(await c.run('site', 'create', '--slug', 'gamma', '--name', 'Gamma')).toBe(0);
    expect(await c.run('site', 'update', '--slug', 'gamma', '--status-url', url)).toBe(0);
    expect(await data.rows('SELECT slug, status_url FROM sites ORDER BY slug')).toEqual([
      { slug: 'acme', status_url: url },
      { slug: 'beta', status_url: url },
      { slug: 'gamma', status_url: url },
    ]);
  });
});
