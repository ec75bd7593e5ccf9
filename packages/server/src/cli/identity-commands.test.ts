/** `lifeboat site policy|sso` and `lifeboat staff …` on a real data directory (and the real CLI). */
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  freshTestData,
  startTestServer,
  tempDir,
  testData,
  type TestData,
} from '../testing/harness.js';
import { runAdminCommand } from './admin-commands.js';
import { runSitePolicy, runSiteSso, runStaffCommand } from './identity-commands.js';

const SECRET = 'test-secret-0123456789abcdef'; // the harness's LIFEBOAT_SECRET

function cli(data: TestData, env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    env,
    cwd: data.dir,
  };
  const d = data.args;
  return {
    out,
    err,
    site: (...args: string[]) => runAdminCommand('site', [...args, ...d], io),
    policy: (...args: string[]) => runSitePolicy([...args, ...d], io),
    sso: (...args: string[]) => runSiteSso([...args, ...d], io),
    staff: (...args: string[]) => runStaffCommand([...args, ...d], io),
  };
}

/** The first row of a statement on the data. */
const one = async (data: TestData, sql: string) =>
  (await data.rows(sql))[0] as Record<string, unknown> | undefined;

describe('lifeboat site policy', () => {
  it('shows the defaults, sets typed fields from --set and --file, and resets', async () => {
    const data = freshTestData();
    const dir = data.dir;
    const c = cli(data);
    expect(await c.site('create', '--slug', 'acme', '--name', 'Acme')).toBe(0);
    expect(await c.policy('acme', '--show', '--json')).toBe(0);
    expect(JSON.parse(c.out.at(-1)!)).toMatchObject({ preModeration: 'none', maxLinks: 3 });

    fs.writeFileSync(
      path.join(dir, 'policy.json'),
      JSON.stringify({ preModeration: 'first_posts', firstPosts: 2, suspectWords: ['refund'] }),
    );
    expect(
      await c.policy(
        'acme',
        '--file',
        'policy.json',
        '--set',
        'maxLinks=1',
        '--set',
        'bannedWords=free crypto, dm me',
        '--set=riskyAdvice=false',
        '--json',
      ),
    ).toBe(0);
    const expected = {
      preModeration: 'first_posts',
      firstPosts: 2,
      maxLinks: 1,
      bannedWords: ['free crypto', 'dm me'],
      suspectWords: ['refund'],
      riskyAdvice: false,
    };
    expect(JSON.parse(c.out.at(-1)!)).toMatchObject(expected);
    // Stored on the site, and the change is in the audit log.
    expect(
      JSON.parse(
        (await one(data, "SELECT policy FROM sites WHERE slug = 'acme'"))!['policy'] as string,
      ),
    ).toMatchObject(expected);
    expect(
      await one(data, 'SELECT action, actor_kind, actor_name FROM moderation_actions'),
    ).toEqual({
      action: 'policy',
      actor_kind: 'admin',
      actor_name: 'lifeboat CLI',
    });
    // A later change keeps the other fields.
    expect(await c.policy('acme', '--set', 'slowModeSeconds=30')).toBe(0);
    expect(c.out.at(-1)).toMatch(/slowModeSeconds\s+30/);
    expect(c.out.at(-1)).toMatch(/maxLinks\s+1/);
    expect(await c.policy('acme', '--reset', '--json')).toBe(0);
    expect(JSON.parse(c.out.at(-1)!)).toMatchObject({
      maxLinks: 3,
      bannedWords: [],
      slowModeSeconds: 0,
    });
  });

  it('refuses wrong types, unknown fields and bad files with exit code 2, storing nothing', async () => {
    const data = freshTestData();
    const dir = data.dir;
    const c = cli(data);
    await c.site('create', '--slug', 'acme', '--name', 'Acme');
    const before = (await one(data, 'SELECT policy FROM sites'))!['policy'];
    expect(await c.policy('acme', '--set', 'maxLinks=9', '--set', 'riskyAdvice=maybe')).toBe(2);
    expect(c.err).toEqual([
      'lifeboat: policy.maxLinks: Use a whole number from 0 to 5.',
      'lifeboat: policy.riskyAdvice: Use true or false.',
    ]);
    expect(await c.policy('acme', '--set', 'maxLinkz=1')).toBe(2);
    expect(c.err.at(-1)).toMatch(
      /^lifeboat: policy.maxLinkz: Unknown policy field; use preModeration, /,
    );
    expect(await c.policy('acme', '--set', 'preModeration=sometimes')).toBe(2);
    expect(c.err.at(-1)).toBe(
      'lifeboat: policy.preModeration: Use one of none, guests, first_posts, all.',
    );
    fs.writeFileSync(path.join(dir, 'bad.json'), '{"flagThreshold": "3"');
    expect(await c.policy('acme', '--file', 'bad.json')).toBe(2);
    expect(c.err.at(-1)).toBe('lifeboat: bad.json: Not valid JSON.');
    fs.writeFileSync(
      path.join(dir, 'wrong.json'),
      '{"flagThreshold": "3", "bannedWords": ["ok", ""]}',
    );
    expect(await c.policy('acme', '--file', 'wrong.json')).toBe(2);
    expect(c.err.slice(-2)).toEqual([
      'lifeboat: wrong.json.flagThreshold: Use a whole number from 1 to 100.',
      'lifeboat: wrong.json.bannedWords[1]: Use a word of 1 to 100 characters.',
    ]);
    expect(await c.policy('acme', '--file', 'missing.json')).toBe(2);
    expect(c.err.at(-1)).toMatch(/^lifeboat: --file: cannot read missing.json \(ENOENT\)/);
    expect(await c.policy('acme', '--show', '--set', 'maxLinks=1')).toBe(2);
    expect(await c.policy('nope', '--set', 'maxLinks=1')).toBe(1);
    expect(c.err.at(-1)).toContain('no site "nope"');
    expect((await one(data, 'SELECT policy FROM sites'))!['policy']).toBe(before);
    expect(await one(data, 'SELECT COUNT(*) AS n FROM moderation_actions')).toEqual({ n: 0 });
  });
});

describe('lifeboat site sso', () => {
  it('stores an HS256 secret and public keys as the sites.sso JSON, never printing the secret', async () => {
    const data = freshTestData();
    const dir = data.dir;
    const c = cli(data);
    await c.site('create', '--slug', 'acme', '--name', 'Acme');
    const secret = crypto.randomBytes(36).toString('base64url');
    expect(await c.sso('acme', '--hs256-secret', secret)).toBe(0);
    expect(c.out.at(-1)).toBe('Updated host sign-in keys of site "acme": HS256 secret.');
    expect(c.out.join('\n')).not.toContain(secret);
    // Stored sealed with the server's keys (ADR 0020), never as the secret itself.
    const raw = (await one(data, 'SELECT sso FROM sites'))!['sso'] as string;
    expect(raw).not.toContain(secret);
    expect(JSON.parse(raw)).toEqual({ hs256Secret: expect.stringMatching(/^lbsec:v1:/) });

    const { publicKey } = crypto.generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    fs.writeFileSync(path.join(dir, 'host.pem'), pem);
    expect(await c.sso('acme', '--public-key-file', 'host.pem', '--json')).toBe(0);
    expect(JSON.parse(c.out.at(-1)!)).toMatchObject({
      hs256: true,
      publicKeys: [{ alg: 'EdDSA' }],
    });
    expect(JSON.parse((await one(data, 'SELECT sso FROM sites'))!['sso'] as string)).toEqual({
      hs256Secret: expect.stringMatching(/^lbsec:v1:/),
      publicKeys: [pem.trim()],
    });

    expect(await c.sso('acme', '--clear')).toBe(0);
    expect(c.out.at(-1)).toBe(
      'Updated host sign-in keys of site "acme": none (host sign-in is off).',
    );
    expect(JSON.parse((await one(data, 'SELECT sso FROM sites'))!['sso'] as string)).toEqual({});
  });

  it('refuses a short secret, a private key and a file that is not a key', async () => {
    const data = freshTestData();
    const dir = data.dir;
    const c = cli(data);
    await c.site('create', '--slug', 'acme', '--name', 'Acme');
    expect(await c.sso('acme', '--hs256-secret', 'too-short')).toBe(2);
    expect(c.err.at(-1)).toMatch(/^lifeboat: --hs256-secret: Use a random secret of at least 32/);
    const { privateKey } = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
    fs.writeFileSync(
      path.join(dir, 'private.pem'),
      privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    );
    expect(await c.sso('acme', '--public-key-file', 'private.pem')).toBe(2);
    expect(c.err.at(-1)).toMatch(/^lifeboat: --public-key-file private.pem: .*private key/);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    expect(await c.sso('acme', '--public-key-file', 'notes.txt')).toBe(2);
    expect(await c.sso('acme', '--hs256-secret')).toBe(2);
    expect(c.err.at(-1)).toContain('Option --hs256-secret needs a value.');
    expect((await one(data, 'SELECT sso FROM sites'))!['sso']).toBe('{}');
  });
});

describe('lifeboat staff', () => {
  it('adds a staff member whose printed token works on the staff API of that site only', async () => {
    const server = await startTestServer();
    try {
      const c = cli(server.data, { LIFEBOAT_SECRET: SECRET });
      expect(
        await c.staff('add', 'acme', '  Ana   (Support) ', '--role', 'moderator', '--ttl', '2h'),
      ).toBe(0);
      const token = c.out.at(-1)!;
      expect(c.err.at(-1)).toMatch(/^Created moderator "Ana \(Support\)" on site "acme" \(member /);
      expect(await c.staff('list', 'acme')).toBe(0);
      expect(c.out.at(-1)).toMatch(/\tmoderator\tAna \(Support\)\t/);

      const create = await server.api('/v1/sites/acme/incidents', {
        method: 'POST',
        token,
        json: { title: 'Login slow', impact: 'minor', body: 'Looking.' },
      });
      expect(create.status).toBe(201);
      // Another site refuses it.
      const other = await server.api('/v1/sites/other/incidents', {
        method: 'POST',
        token,
        json: { title: 'Login slow', impact: 'minor', body: 'Looking.' },
      });
      expect(other.status).toBe(401);
      expect(
        await one(
          server.data,
          "SELECT kind, role FROM members WHERE display_name = 'Ana (Support)'",
        ),
      ).toEqual({
        kind: 'staff',
        role: 'moderator',
      });

      // Removing the role closes the staff routes to that token at once.
      const ana = (await one(
        server.data,
        "SELECT id FROM members WHERE display_name = 'Ana (Support)'",
      ))!;
      expect(await c.staff('remove', 'acme', ana['id'] as string)).toBe(0);
      expect(c.out.at(-1)).toBe('"Ana (Support)" is no longer staff on site "acme".');
      const after = await server.api('/v1/sites/acme/incidents', {
        method: 'POST',
        token,
        json: { title: 'Login slow', impact: 'minor', body: 'Looking.' },
      });
      expect(after.status).toBe(403);
      expect(await c.staff('list', 'acme')).toBe(0);
      expect(c.out.at(-1)).toMatch(/^No staff on site "acme" yet/);
      expect(await c.staff('remove', 'acme', ana['id'] as string)).toBe(1);
      expect(c.err.at(-1)).toMatch(/^lifeboat: no staff member "/);

      expect(await c.staff('add', 'acme', 'Bo', '--json')).toBe(0);
      const added = JSON.parse(c.out.at(-1)!);
      expect(added.member).toMatchObject({ displayName: 'Bo', role: 'staff', staff: true });
      const days = (Date.parse(added.expiresAt) - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(29);
      expect(days).toBeLessThanOrEqual(30);
    } finally {
      await server.close();
    }
  });

  it('refuses a bad role, ttl or site', async () => {
    const data = freshTestData();
    const c = cli(data);
    await c.site('create', '--slug', 'acme', '--name', 'Acme');
    expect(await c.staff('add', 'acme', 'Ana', '--role', 'admin')).toBe(2);
    expect(c.err.at(-1)).toMatch(/^lifeboat: --role must be staff or moderator\./);
    expect(await c.staff('add', 'acme', 'Ana', '--ttl', '2y')).toBe(2);
    expect(await c.staff('add', 'acme', 'Ana', '--ttl', '400d')).toBe(2);
    expect(await c.staff('add', 'acme')).toBe(2);
    expect(c.err.at(-1)).toMatch(/^lifeboat: Missing <displayName>\./);
    expect(await c.staff('add', 'nope', 'Ana')).toBe(1);
    expect(await c.staff('list', 'acme')).toBe(0);
    expect(c.out.at(-1)).toMatch(/^No staff on site "acme" yet/);
  });
});

describe('the real lifeboat CLI', () => {
  const main = new URL('./main.ts', import.meta.url).pathname;
  const run = (args: string[], env: Record<string, string> = {}) =>
    promisify(execFile)(
      process.execPath,
      ['--conditions=source', '--import', 'tsx', main, ...args],
      {
        env: { ...process.env, LIFEBOAT_SECRET: '', LIFEBOAT_DATABASE_URL: '', ...env },
      },
    ).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => e,
    );

  // Two real processes (each pays for tsx start-up): the exit codes and the two output streams.
  it('exits 2 with the message on stderr for bad input, 0 with the token on stdout', async () => {
    const data = freshTestData();
    expect(await cli(data).site('create', '--slug', 'acme', '--name', 'Acme')).toBe(0);
    const bad = await run(['site', 'policy', 'acme', '--set', 'maxLinks=99', ...data.args]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('lifeboat: policy.maxLinks: Use a whole number from 0 to 5.');
    expect(bad.stdout).toBe('');
    const added = await run(['staff', 'add', 'acme', 'Ana', ...data.args]);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(added.stderr).toContain('Created staff "Ana"');
  }, 60_000);

  it('prints the staff help', async () => {
    const c = cli(testData(tempDir(), null));
    expect(
      await runStaffCommand(['--help'], {
        out: (l) => c.out.push(l),
        err: (l) => c.err.push(l),
        env: {},
        cwd: '/',
      }),
    ).toBe(0);
    expect(c.out.at(-1)).toContain('lifeboat staff add <site> <displayName>');
  });
});
