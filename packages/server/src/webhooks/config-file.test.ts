/** `push` and `webhooks` of a declared site in the config file: checks with JSON paths, idempotent apply. */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SecretBox } from '../auth/secret-box.js';
import { parseSigningKeys } from '../auth/tokens.js';
import { applyConfigFile, readConfigFile } from '../config-file.js';
import { ConfigError } from '../config.js';
import { SqlWebhooks } from '../store/sql-webhooks.js';
import { freshTestData, tempDir } from '../testing/harness.js';
import { hashToken, newWebhookSecret } from './signature.js';

const BOX = new SecretBox(parseSigningKeys('test-secret-0123456789abcdef'));
const TOKEN = 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6';

function write(dir: string, value: unknown): string {
  const file = path.join(dir, 'lifeboat.config.json');
  fs.writeFileSync(file, JSON.stringify(value, null, 2));
  return file;
}

const site = (extra: Record<string, unknown>) => ({
  sites: [{ slug: 'acme', name: 'Acme', origins: ['https://status.acme.test'], ...extra }],
});

describe('config file: push and webhooks', () => {
  it('creates the push endpoint and webhooks from the environment, then changes nothing', async () => {
    const dir = tempDir();
    const secret = newWebhookSecret();
    const env = { ACME_PUSH: TOKEN, ACME_HOOK: secret };
    const file = write(
      dir,
      site({
        push: { provider: 'statuspage', tokenEnv: 'ACME_PUSH' },
        webhooks: [
          {
            url: 'https://hooks.slack.com/services/T0/B0/x',
            events: ['thread.opened', 'incident.resolved'],
            format: 'slack',
            secretEnv: 'ACME_HOOK',
          },
        ],
      }),
    );
    const data = freshTestData();
    const store = await data.open();
    try {
      expect(await applyConfigFile(store, readConfigFile(file, env), BOX)).toEqual({
        created: ['acme'],
        updated: [],
        unchanged: [],
      });
      const hooks = new SqlWebhooks(store.driver);
      const s = (await store.getSiteBySlug('acme'))!;
      expect((await hooks.getPush(s.id))?.tokenHash).toBe(hashToken(TOKEN));
      const [endpoint] = await hooks.listEndpoints(s.id);
      expect(endpoint).toMatchObject({
        format: 'slack',
        events: ['thread.opened', 'incident.resolved'],
      });
      expect(BOX.open(endpoint!.secret).plain).toBe(secret);
      expect(await applyConfigFile(store, readConfigFile(file, env), BOX)).toEqual({
        created: [],
        updated: [],
        unchanged: ['acme'],
      });
      // A new secret in the environment is applied to the same endpoint.
      const next = newWebhookSecret();
      expect(
        await applyConfigFile(store, readConfigFile(file, { ...env, ACME_HOOK: next }), BOX),
      ).toMatchObject({ updated: ['acme'] });
      const after = await hooks.listEndpoints(s.id);
      expect(after).toHaveLength(1);
      expect(BOX.open(after[0]!.secret).plain).toBe(next);
    } finally {
      await store.close();
    }
  });

  it('names every mistake with its JSON path', () => {
    const dir = tempDir();
    const file = write(
      dir,
      site({
        push: { provider: 'statuspage', tokenEnv: 'SHORT', signingSecretEnv: 'SIGN' },
        webhooks: [
          { url: 'http://user:pw@x.example/', events: ['nope'], secretEnv: 'MISSING' },
          { url: 'https://x.example/', events: ['thread.opened'], secretEnv: 'BAD' },
        ],
      }),
    );
    let message = '';
    try {
      readConfigFile(file, { SHORT: 'abc', SIGN: 'whatever-secret', BAD: 'not-whsec' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('$.sites[0].push.tokenEnv: The token needs 24+');
    expect(message).toContain('$.sites[0].push.signingSecretEnv: Statuspage does not sign');
    expect(message).toContain(
      '$.sites[0].webhooks[0].secretEnv: The environment variable MISSING is not set.',
    );
    expect(message).toContain('$.sites[0].webhooks[1].secretEnv: Use a whsec_ secret');
  });
});
