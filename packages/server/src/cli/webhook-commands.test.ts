/** `lifeboat site push` and `lifeboat webhook …` against a running server's data. */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../testing/harness.js';
import { verifyWebhook } from '../webhooks/signature.js';
import { runSitePush, runWebhookCommand } from './webhook-commands.js';

const SECRET = 'test-secret-0123456789abcdef'; // the harness's LIFEBOAT_SECRET

let server: TestServer | null = null;
let closeHook: (() => Promise<void>) | null = null;
afterEach(async () => {
  await server?.close();
  await closeHook?.();
  server = null;
  closeHook = null;
});

function cli(s: TestServer) {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: (l: string) => out.push(l),
    err: (l: string) => err.push(l),
    env: { LIFEBOAT_SECRET: SECRET },
    cwd: s.dataDir,
  };
  const d = s.data.args;
  return {
    out,
    err,
    push: (...args: string[]) => runSitePush([...args, ...d], io),
    webhook: (...args: string[]) => runWebhookCommand([...args, ...d], io),
  };
}

describe('lifeboat site push / lifeboat webhook', () => {
  it('sets up both ends, lists the delivery log and redelivers', async () => {
    const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
    const hook = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    closeHook = () => new Promise((r) => hook.close(() => r()));
    const address = hook.address();
    const hookUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/in`;
    server = await startTestServer({ webhookAllow: ['127.0.0.1'], webhookRetryBaseMs: 200 });
    const c = cli(server);

    expect(
      await c.webhook('add', 'acme', '--url', hookUrl, '--event', 'thread.opened', '--json'),
    ).toBe(0);
    const added = JSON.parse(c.out.pop()!) as { id: string; secret: string };
    expect(added.secret).toMatch(/^whsec_/);
    expect(await c.webhook('list', 'acme')).toBe(0);
    expect(c.out.pop()).toContain(hookUrl);

    expect(await c.push('acme', '--provider', 'statuspage', '--origin', server.url, '--json')).toBe(
      0,
    );
    const { url } = JSON.parse(c.out.pop()!) as { url: string };
    expect(url.startsWith(`${server.url}/v1/sites/acme/status/push/`)).toBe(true);
    const pushed = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        meta: { unsubscribe: '', documentation: '' },
        page: { id: 'pg1', status_indicator: 'major', status_description: 'Partial outage' },
        incident: {
          id: 'inc9',
          name: 'Checkout errors',
          status: 'investigating',
          impact: 'major',
          created_at: '2026-12-06T16:00:00Z',
          updated_at: '2026-12-06T16:00:00Z',
          resolved_at: null,
          scheduled_for: null,
          incident_updates: [
            {
              id: 'u1',
              status: 'investigating',
              body: 'Looking.',
              created_at: '2026-12-06T16:00:00Z',
            },
          ],
        },
      }),
    });
    expect(pushed.status).toBe(202);
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(1);
    expect(
      verifyWebhook(
        added.secret,
        received[0]!.headers as Record<string, string>,
        received[0]!.body,
      ),
    ).toEqual({ ok: true });

    await expect
      .poll(
        async () => {
          await c.webhook('deliveries', 'acme', '--json');
          return (JSON.parse(c.out.pop()!) as Array<{ state: string }>)[0]?.state;
        },
        { timeout: 10_000 },
      )
      .toBe('delivered');
    await c.webhook('deliveries', 'acme', '--json');
    const [delivery] = JSON.parse(c.out.pop()!) as Array<{ id: string }>;
    expect(await c.webhook('show', 'acme', delivery!.id)).toBe(0);
    expect(c.out.join('\n')).toContain('HTTP 204');
    expect(await c.webhook('redeliver', 'acme', delivery!.id)).toBe(0);
    await expect.poll(() => received.length, { timeout: 15_000 }).toBe(2);
    expect(received[1]!.headers['webhook-id']).toBe(delivery!.id);
  }, 60_000);

  it('refuses bad input with the option at fault, writing nothing', async () => {
    server = await startTestServer();
    const c = cli(server);
    expect(
      await c.webhook('add', 'acme', '--url', 'ftp://x.example/in', '--event', 'thread.opened'),
    ).toBe(2);
    expect(await c.webhook('add', 'acme', '--url', 'https://x.example/in', '--event', 'nope')).toBe(
      2,
    );
    expect(await c.push('acme', '--provider', 'nope')).toBe(2);
    expect(await c.push('acme', '--provider', 'statuspage', '--signing-secret', 'abcdefgh')).toBe(
      2,
    );
    expect(
      await c.webhook(
        'add',
        'nosuchsite',
        '--url',
        'https://x.example/in',
        '--event',
        'thread.opened',
      ),
    ).toBe(1);
    expect(c.err.join('\n')).toMatch(/--url: .*http/);
    expect(c.err.join('\n')).toMatch(/--event: /);
    expect(c.err.join('\n')).toMatch(/--provider: /);
    expect(c.err.join('\n')).toMatch(/--signing-secret: Statuspage does not sign/);
    expect(server.count('webhook_endpoints')).toBe(0);
    expect(server.count('status_push')).toBe(0);
  });
});
