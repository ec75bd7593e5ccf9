/** The config file: checks with JSON paths, idempotent apply, and the real server refusing a bad file. */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { SecretBox } from './auth/secret-box.js';
import { readSiteSso } from './auth/site-sso.js';
import { parseSigningKeys } from './auth/tokens.js';
import { runConfigCommand } from './cli/config-command.js';
import { applyConfigFile, readConfigFile, withFileSettings } from './config-file.js';
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './start.js';
import { freshTestData, psql, tempDir } from './testing/harness.js';

const EXAMPLE = new URL('../../../examples/lifeboat.config.example.json', import.meta.url).pathname;
const SSO_SECRET = 'sso-secret-0123456789-0123456789-abcdef';
const BOX = new SecretBox(parseSigningKeys('test-secret-0123456789abcdef'));

function write(dir: string, value: unknown, name = 'lifeboat.config.json'): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value, null, 2));
  return file;
}

function problemsOf(file: string, env: Record<string, string> = {}): string[] {
  try {
    readConfigFile(file, env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message
      .split('\n')
      .slice(1)
      .map((l) => l.trim());
  }
  throw new Error('expected the file to be refused');
}

describe('readConfigFile', () => {
  it('reads server settings (status allow-list, proof-of-work difficulty); the environment wins', () => {
    const dir = tempDir();
    const file = write(dir, {
      server: { statusAllow: ['10.0.0.0/8', 'status.internal'], challengeMaxNumber: 2_000_000 },
      sites: [],
    });
    const loaded = readConfigFile(file, {});
    expect(loaded.server).toEqual({
      statusAllow: ['10.0.0.0/8', 'status.internal'],
      challengeMaxNumber: 2_000_000,
    });
    const fromEnv = loadConfig({ env: { LIFEBOAT_STATUS_ALLOW: '127.0.0.1' } });
    expect(withFileSettings(fromEnv, loaded)).toMatchObject({
      statusAllow: ['127.0.0.1', '10.0.0.0/8', 'status.internal'],
      challengeMaxNumber: 2_000_000,
    });
    const envWins = loadConfig({ env: { LIFEBOAT_CHALLENGE_MAX_NUMBER: '300000' } });
    expect(withFileSettings(envWins, loaded).challengeMaxNumber).toBe(300_000);
    expect(
      problemsOf(
        write(dir, {
          server: { statusAllow: ['10.0.0.0/99'], challengeMaxNumber: 5, port: 1 },
          sites: [],
        }),
      ),
    ).toEqual([
      '$.server.port: Unknown field; use statusAllow, challengeMaxNumber.',
      '$.server.statusAllow: "10.0.0.0/99" is not a valid CIDR.',
      '$.server.challengeMaxNumber: Use a whole number from 1000 to 100000000.',
    ]);
  });

  it('reads the example file', () => {
    const loaded = readConfigFile(EXAMPLE, { ACME_SSO_SECRET: SSO_SECRET });
    expect(loaded.sites.map((s) => s.slug)).toEqual(['acme', 'acme-internal']);
    expect(loaded.sites[0]).toMatchObject({
      origins: ['https://status.acme.example', 'https://www.acme.example'],
      policy: { preModeration: 'first_posts', maxLinks: 2, slowModeSeconds: 0 },
      sso: { hs256Secret: SSO_SECRET },
    });
  });

  it('names the JSON path of every mistake', () => {
    const dir = tempDir();
    const file = write(dir, {
      sites: [
        {
          slug: 'Acme Cloud',
          name: 'Acme',
          origins: ['status.acme.example'],
          policy: { maxLinks: 9, preModeration: 'sometimes', bannedWords: ['ok', 3] },
          colour: 'red',
        },
        { slug: 'beta', name: 'Beta', pollIntervalMs: 5, sso: { hs256Secret: 'short' } },
        { slug: 'beta', name: 'Beta again' },
        {
          name: 'No slug',
          sso: { hs256SecretEnv: 'MISSING_SECRET', publicKeyFiles: ['nope.pem'] },
        },
      ],
      extra: true,
    });
    expect(problemsOf(file)).toEqual([
      '$.extra: Unknown field; use $schema, server, sites.',
      '$.sites[0].colour: Unknown field; use slug, name, origins, statusUrl, pollIntervalMs, policy, sso, push, webhooks.',
      expect.stringMatching(/^\$\.sites\[0\]\.slug: Use 1–63 lowercase/),
      '$.sites[0].origins: "status.acme.example" is not an origin like https://status.example.com (or *).',
      '$.sites[0].policy.maxLinks: Use a whole number from 0 to 5.',
      '$.sites[0].policy.preModeration: Use one of none, guests, first_posts, all.',
      '$.sites[0].policy.bannedWords[1]: Use a word of 1 to 100 characters.',
      expect.stringMatching(/^\$\.sites\[1\]\.pollIntervalMs: Use a whole number of milliseconds/),
      expect.stringMatching(
        /^\$\.sites\[1\]\.sso\.hs256Secret: Use a random secret of at least 32/,
      ),
      '$.sites[2].slug: "beta" is declared twice (also $.sites[1]).',
      '$.sites[3].slug: Required.',
      '$.sites[3].sso.hs256SecretEnv: The environment variable MISSING_SECRET is not set.',
      expect.stringMatching(
        /^\$\.sites\[3\]\.sso\.publicKeyFiles\[0\]: Cannot read .*nope\.pem \(ENOENT\)/,
      ),
    ]);
  });

  it('refuses a file that is missing or not JSON', () => {
    const dir = tempDir();
    expect(() => readConfigFile(path.join(dir, 'none.json'))).toThrow(
      /Cannot read the config file .*ENOENT/,
    );
    expect(() => readConfigFile(write(dir, '{"sites": ['))).toThrow(/is not valid JSON/);
    expect(problemsOf(write(dir, '[]'))).toEqual(['$: Use a JSON object with a "sites" list.']);
  });
});

describe('applyConfigFile', () => {
  it('creates the sites, changes nothing the second time, and follows edits of the file', async () => {
    const data = freshTestData();
    const dir = data.dir;
    const { publicKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    fs.writeFileSync(path.join(dir, 'host.pem'), pem);
    const declaration = {
      sites: [
        {
          slug: 'acme',
          name: 'Acme',
          origins: ['https://status.acme.example'],
          policy: { preModeration: 'guests', suspectWords: ['refund'] },
          sso: { hs256SecretEnv: 'ACME_SSO_SECRET', publicKeyFiles: ['host.pem'] },
        },
      ],
    };
    const env = { ACME_SSO_SECRET: SSO_SECRET };
    const store = await data.open();
    const count = async (table: string) =>
      (await store.driver.one<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`))!.n;
    try {
      const file = write(dir, declaration);
      expect(await applyConfigFile(store, readConfigFile(file, env), BOX)).toEqual({
        created: ['acme'],
        updated: [],
        unchanged: [],
      });
      const site = (await store.getSiteBySlug('acme'))!;
      expect(site.origins).toEqual(['https://status.acme.example']);
      expect(await store.getSitePolicy(site.id)).toMatchObject({
        preModeration: 'guests',
        suspectWords: ['refund'],
        maxLinks: 3,
      });
      expect(await readSiteSso(store, BOX, site.id)).toEqual({
        hs256Secret: SSO_SECRET,
        publicKeys: [pem.trim()],
      });
      // Stored sealed (ADR 0020).
      expect(JSON.stringify(await store.getSiteSso(site.id))).not.toContain(SSO_SECRET);
      const audit = await count('moderation_actions');
      const events = await count('events');

      // Idempotent: the same file again writes nothing.
      expect(await applyConfigFile(store, readConfigFile(file, env), BOX)).toEqual({
        created: [],
        updated: [],
        unchanged: ['acme'],
      });
      expect(await count('moderation_actions')).toBe(audit);
      expect(await count('events')).toBe(events);

      // An edit: a policy field removed from the file goes back to its default.
      declaration.sites[0]!.name = 'Acme Cloud';
      declaration.sites[0]!.policy = { preModeration: 'all' } as never;
      expect(
        await applyConfigFile(store, readConfigFile(write(dir, declaration), env), BOX),
      ).toEqual({
        created: [],
        updated: ['acme'],
        unchanged: [],
      });
      expect((await store.getSiteBySlug('acme'))!.name).toBe('Acme Cloud');
      expect(await store.getSitePolicy(site.id)).toMatchObject({
        preModeration: 'all',
        suspectWords: [],
      });
      expect(
        await store.driver.one(
          'SELECT actor_kind, actor_name FROM moderation_actions ORDER BY id DESC',
        ),
      ).toEqual({ actor_kind: 'system', actor_name: 'config file lifeboat.config.json' });
    } finally {
      await store.close();
    }
  });
});

describe('two sites following one status page', () => {
  it('are both created from the file, each with the URL', async () => {
    const data = freshTestData();
    const statusUrl = 'https://acme.statuspage.io/api/v2/summary.json';
    const file = write(data.dir, {
      sites: [
        { slug: 'acme', name: 'Acme', statusUrl },
        { slug: 'acme-eu', name: 'Acme EU', statusUrl },
      ],
    });
    const store = await data.open();
    try {
      expect(await applyConfigFile(store, readConfigFile(file, {}), BOX)).toEqual({
        created: ['acme', 'acme-eu'],
        updated: [],
        unchanged: [],
      });
      for (const slug of ['acme', 'acme-eu'])
        expect((await store.getSiteBySlug(slug))!.statusUrl).toBe(statusUrl);
    } finally {
      await store.close();
    }
  });
});

describe('starting with a config file', () => {
  it('serves the declared sites (startServer with LIFEBOAT_CONFIG)', async () => {
    const data = freshTestData();
    const previous = process.env['ACME_SSO_SECRET'];
    process.env['ACME_SSO_SECRET'] = SSO_SECRET;
    const config = loadConfig({
      env: {
        LIFEBOAT_CONFIG: EXAMPLE,
        LIFEBOAT_DATA_DIR: data.dir,
        ...(data.databaseUrl ? { LIFEBOAT_DATABASE_URL: data.databaseUrl } : {}),
        LIFEBOAT_LOG_LEVEL: 'silent',
        PORT: '0',
        LIFEBOAT_SECRET: 'test-secret-0123456789abcdef',
      },
    });
    const server = await startServer(config);
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/v1/sites/acme-internal/status`, {
        headers: { origin: 'https://intranet.acme.example' },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('https://intranet.acme.example');
    } finally {
      await server.stop();
      if (previous === undefined) delete process.env['ACME_SSO_SECRET'];
      else process.env['ACME_SSO_SECRET'] = previous;
    }
  });

  it('refuses to start on an invalid file, naming the JSON path (real CLI, exit code 2)', async () => {
    const data = freshTestData();
    const file = write(data.dir, {
      sites: [{ slug: 'acme', name: 'Acme', policy: { flagThreshold: 0 } }],
    });
    const main = new URL('./cli/main.ts', import.meta.url).pathname;
    const result = await promisify(execFile)(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        main,
        'start',
        '--port',
        '0',
        '--config',
        file,
        ...data.args,
      ],
      { env: { ...process.env, LIFEBOAT_SECRET: '', LIFEBOAT_DATABASE_URL: '' } },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`lifeboat: The config file ${file} has a problem:`);
    expect(result.stderr).toContain(
      '$.sites[0].policy.flagThreshold: Use a whole number from 1 to 100.',
    );
    // Nothing was created: no SQLite file, no table in the PostgreSQL database.
    expect(fs.existsSync(path.join(data.dir, 'lifeboat.db'))).toBe(false);
    if (data.databaseUrl)
      expect(
        psql(data.databaseUrl, "SELECT COUNT(*) FROM pg_tables WHERE schemaname = 'public'"),
      ).toBe('0');
  }, 60_000);
});

describe('lifeboat config check', () => {
  const io = (env: Record<string, string> = {}) => {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), env, cwd: '/' },
    };
  };

  it('says a good file is good and lists every problem of a bad one', async () => {
    const good = io({ ACME_SSO_SECRET: SSO_SECRET });
    expect(await runConfigCommand(['check', EXAMPLE], good.io)).toBe(0);
    expect(good.out).toEqual([`${EXAMPLE} is good: 2 sites (acme, acme-internal).`]);
    // The file from LIFEBOAT_CONFIG when none is given; the secret's variable is missing here.
    const bad = io({ LIFEBOAT_CONFIG: EXAMPLE });
    expect(await runConfigCommand(['check'], bad.io)).toBe(2);
    expect(bad.err[0]).toContain(
      '$.sites[0].sso.hs256SecretEnv: The environment variable ACME_SSO_SECRET is not set.',
    );
    const none = io();
    expect(await runConfigCommand(['check'], none.io)).toBe(2);
    expect(none.err[0]).toMatch(/^lifeboat: Give the file, or set LIFEBOAT_CONFIG\./);
  });
});
