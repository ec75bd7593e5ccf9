/**
 * Integrations in and out, through the real server (SQLite file, or PostgreSQL with
 * LIFEBOAT_TEST_ENGINE=postgres) and a real local HTTP receiver: Standard Webhooks signatures,
 * the outbox surviving a restart, push ingestion from Statuspage-shaped and Instatus-shaped
 * notifications, bad payloads and SSRF.
 */
import crypto from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import { SqlWebhooks } from '../store/sql-webhooks.js';
import type { SqlStore } from '../store/sql-store.js';
import { startTestServer, TEST_ENGINE, type TestServer } from '../testing/harness.js';
import { openSse } from '../testing/sse.js';
import { newWebhookSecret, signWebhook, verifyWebhook } from './signature.js';

const ADMIN_KEY = 'webhooks-admin-key-0123456789abcdef';
const admin = { authorization: `Bearer ${ADMIN_KEY}` };

/**
 * A Statuspage incident notification, in the shape of Atlassian's documented example
 * (https://support.atlassian.com/statuspage/docs/enable-webhook-notifications/): `meta`, `page`
 * with its indicator, and the incident with its updates (times with offsets, null
 * `scheduled_*` fields, postmortem fields).
 */
function statuspageIncident(
  status: 'investigating' | 'identified' | 'monitoring' | 'resolved',
  updates: Array<{ id: string; status: string; body: string; at: string }>,
  indicator = 'critical',
) {
  const newest = updates[updates.length - 1]!;
  return {
    meta: {
      unsubscribe: 'https://acme.statuspage.io/?unsubscribe=j0vqr9kl3513',
      documentation: 'https://doers.statuspage.io/customer-notifications/webhooks/',
      generated_at: newest.at,
    },
    page: {
      id: 'j2mfxwj97wnj',
      status_indicator: indicator,
      status_description: indicator === 'none' ? 'All Systems Operational' : 'Major System Outage',
    },
    incident: {
      backfilled: false,
      created_at: '2026-12-06T15:08:51-06:00',
      impact: 'critical',
      impact_override: null,
      monitoring_at: null,
      postmortem_body: null,
      postmortem_body_last_updated_at: null,
      postmortem_ignored: false,
      postmortem_notified_subscribers: false,
      postmortem_notified_twitter: false,
      postmortem_published_at: null,
      resolved_at: status === 'resolved' ? newest.at : null,
      scheduled_auto_transition: false,
      scheduled_for: null,
      scheduled_remind_prior: false,
      scheduled_reminded_at: null,
      scheduled_until: null,
      shortlink: 'http://stspg.io/18zyDQx',
      status,
      updated_at: newest.at,
      id: 'lbkhbwn21v5q',
      organization_id: 'j2mfxwj97wnj',
      incident_updates: [...updates].reverse().map((u) => ({
        body: u.body,
        created_at: u.at,
        display_at: u.at,
        status: u.status,
        twitter_updated_at: null,
        updated_at: u.at,
        wants_twitter_update: false,
        id: u.id,
        incident_id: 'lbkhbwn21v5q',
      })),
      name: 'Virginia Is Down',
    },
  };
}

const FIRST = {
  id: 'drfcwbnpxnr6',
  status: 'investigating',
  body: 'We are investigating elevated errors in Virginia.',
  at: '2026-12-06T15:08:51-06:00',
};
const SECOND = {
  id: 'tqnymy0cn6wp',
  status: 'identified',
  body: 'The issue has been identified and a fix is being implemented.',
  at: '2026-12-06T15:20:00-06:00',
};

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local receiver answering with the statuses given, in order (then 200). */
async function receiver(statuses: number[] = []): Promise<{
  url: string;
  received: Received[];
  close: () => Promise<void>;
}> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(statuses.shift() ?? 200, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

let servers: TestServer[] = [];
const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const s of servers) await s.close();
  for (const c of closers.splice(0)) await c();
  servers = [];
});

async function start(overrides: Parameters<typeof startTestServer>[0] = {}) {
  const s = await startTestServer({
    adminKey: ADMIN_KEY,
    webhookAllow: ['127.0.0.1'],
    webhookRetryBaseMs: 200,
    ...overrides,
  });
  servers.push(s);
  return s;
}

async function pushUrl(s: TestServer, body: object = { provider: 'statuspage' }): Promise<string> {
  const res = await s.api('/v1/admin/sites/acme/status-push', {
    method: 'PUT',
    headers: admin,
    json: body,
  });
  expect(res.status).toBe(200);
  const url = ((await res.json()) as { url: string }).url;
  return new URL(url).pathname;
}

async function addEndpoint(
  s: TestServer,
  url: string,
  events: string[],
  format: 'standard' | 'slack' = 'standard',
): Promise<{ id: string; secret: string }> {
  const res = await s.api('/v1/admin/sites/acme/webhooks', {
    method: 'POST',
    headers: admin,
    json: { url, events, format },
  });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; secret: string };
}

describe('Standard Webhooks signatures', () => {
  const secret = newWebhookSecret();
  const body = JSON.stringify({
    type: 'thread.opened',
    timestamp: '2026-12-06T16:00:00Z',
    data: {},
  });
  const now = Date.parse('2026-12-06T16:00:00Z');
  const ts = Math.floor(now / 1000);
  const headers = (s: string, t = ts) => ({
    'webhook-id': 'msg_1',
    'webhook-timestamp': String(t),
    'webhook-signature': signWebhook(s, 'msg_1', t, body),
  });

  it('accepts a valid signature', () => {
    expect(verifyWebhook(secret, headers(secret), body, now)).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret, or over another body', () => {
    expect(verifyWebhook(secret, headers(newWebhookSecret()), body, now)).toEqual({
      ok: false,
      reason: 'bad_signature',
    });
    expect(verifyWebhook(secret, headers(secret), `${body} `, now).ok).toBe(false);
  });

  it('refuses a replayed (old) timestamp even with a valid signature', () => {
    const old = ts - 10 * 60;
    expect(verifyWebhook(secret, headers(secret, old), body, now)).toEqual({
      ok: false,
      reason: 'stale',
    });
  });

  it('matches the reference construction (HMAC-SHA256 of id.timestamp.body, base64)', () => {
    const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
    const expected = crypto
      .createHmac('sha256', key)
      .update(`msg_1.${ts}.${body}`)
      .digest('base64');
    expect(signWebhook(secret, 'msg_1', ts, body)).toBe(`v1,${expected}`);
  });
});

describe('outgoing webhooks', () => {
  it('delivers a signed thread.opened that fails twice, across a server restart', async () => {
    const hook = await receiver([500, 500]);
    closers.push(hook.close);
    // A long first backoff: the server stops before the second attempt.
    let s = await start({ webhookRetryBaseMs: 1500 });
    const { secret } = await addEndpoint(s, hook.url, ['thread.opened']);
    const path = await pushUrl(s);
    const pushed = await s.api(path, {
      method: 'POST',
      json: statuspageIncident('investigating', [FIRST]),
    });
    expect(pushed.status).toBe(202);
    await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(1);
    await expect
      .poll(
        async () =>
          (await s.sql<{ attempts: number }>('SELECT attempts FROM webhook_messages'))[0]?.attempts,
        {
          timeout: 10_000,
        },
      )
      .toBeGreaterThanOrEqual(1);

    const before = hook.received.length;
    s = await s.restart({
      adminKey: ADMIN_KEY,
      webhookAllow: ['127.0.0.1'],
      webhookRetryBaseMs: 200,
    });
    servers = [s];
    await expect.poll(() => hook.received.length, { timeout: 20_000 }).toBe(3);
    expect(before).toBeLessThan(3);

    // The same message each time (webhook-id), each attempt signed afresh, all verifiable.
    const ids = new Set(hook.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
    for (const r of hook.received)
      expect(verifyWebhook(secret, r.headers as Record<string, string>, r.body)).toEqual({
        ok: true,
      });
    const event = JSON.parse(hook.received[2]!.body) as {
      type: string;
      data: { incident: { id: string; title: string } };
    };
    expect(event.type).toBe('thread.opened');
    expect(event.data.incident).toMatchObject({
      id: 'statuspage:j2mfxwj97wnj:lbkhbwn21v5q',
      title: 'Virginia Is Down',
    });

    // The delivery log: three attempts, 500, 500, 200; delivered.
    const list = (await (
      await s.api('/v1/admin/sites/acme/webhooks/deliveries', { headers: admin })
    ).json()) as { items: Array<{ id: string; state: string; attempts: number }> };
    expect(list.items).toHaveLength(1);
    await expect
      .poll(async () => {
        const one = (await (
          await s.api(`/v1/admin/sites/acme/webhooks/deliveries/${list.items[0]!.id}`, {
            headers: admin,
          })
        ).json()) as { state: string; log: Array<{ status: number }> };
        return [one.state, one.log.map((a) => a.status)];
      })
      .toEqual(['delivered', [500, 500, 200]]);

    // Redelivery sends it once more, same id.
    const again = await s.api(
      `/v1/admin/sites/acme/webhooks/deliveries/${list.items[0]!.id}/redeliver`,
      { method: 'POST', headers: admin },
    );
    expect(again.status).toBe(202);
    await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBe(4);
    expect(hook.received[3]!.headers['webhook-id']).toBe(hook.received[0]!.headers['webhook-id']);
  }, 60_000);

  it('sends the Slack format, and each event once per endpoint', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const s = await start();
    await addEndpoint(s, hook.url, ['thread.opened', 'incident.resolved'], 'slack');
    const path = await pushUrl(s);
    await s.api(path, { method: 'POST', json: statuspageIncident('investigating', [FIRST]) });
    // The same notification again (Statuspage retries): no second message.
    await s.api(path, { method: 'POST', json: statuspageIncident('investigating', [FIRST]) });
    await s.api(path, {
      method: 'POST',
      json: statuspageIncident('resolved', [FIRST, { ...SECOND, status: 'resolved' }], 'none'),
    });
    await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBe(2);
    const [opened, resolved] = hook.received.map(
      (r) => JSON.parse(r.body) as { text: string; blocks: Array<{ type: string }> },
    );
    expect(opened!.text).toContain('Virginia Is Down');
    expect(opened!.blocks[0]!.type).toBe('section');
    expect(resolved!.text).toContain('is resolved');
  });

  it('refuses loopback without the allow-list, and does not follow redirects', async () => {
    const hook = await receiver([302]);
    closers.push(hook.close);
    const s = await start({ webhookAllow: [], webhookMaxAttempts: 1 });
    await addEndpoint(s, hook.url, ['thread.opened']);
    // A host name that resolves to loopback is checked on the connection, after DNS.
    await addEndpoint(s, hook.url.replace('127.0.0.1', 'localhost'), ['thread.opened']);
    const path = await pushUrl(s);
    await s.api(path, { method: 'POST', json: statuspageIncident('investigating', [FIRST]) });
    await expect
      .poll(
        async () =>
          (await s.sql<{ state: string }>('SELECT state FROM webhook_messages')).map(
            (r) => r.state,
          ),
        { timeout: 10_000 },
      )
      .toEqual(['failed', 'failed']);
    expect(hook.received).toHaveLength(0);
    for (const row of await s.sql<{ last_error: string }>(
      'SELECT last_error FROM webhook_messages',
    ))
      expect(row.last_error).toMatch(/(127\.0\.0\.1|::1) is not public.*LIFEBOAT_WEBHOOK_ALLOW/);

    const t = await start({ webhookMaxAttempts: 1 });
    await addEndpoint(t, hook.url, ['thread.opened']);
    const tPath = await pushUrl(t);
    await t.api(tPath, { method: 'POST', json: statuspageIncident('investigating', [FIRST]) });
    await expect
      .poll(
        async () =>
          (await t.sql<{ state: string }>('SELECT state FROM webhook_messages'))[0]?.state,
        {
          timeout: 10_000,
        },
      )
      .toBe('failed');
    expect(hook.received).toHaveLength(1);
    const [redirected] = await t.sql<{ last_status: number; last_error: string }>(
      'SELECT last_status, last_error FROM webhook_messages',
    );
    expect(redirected).toMatchObject({ last_status: 302 });
    expect(redirected!.last_error).toMatch(/Redirects are not followed/);
  });

  it('sends a new endpoint only what happens after it is added', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const s = await start();
    const first = await addEndpoint(s, hook.url, ['thread.opened']);
    const removed = await s.api(`/v1/admin/sites/acme/webhooks/${first.id}`, {
      method: 'DELETE',
      headers: admin,
    });
    expect(removed.status).toBe(204);
    const path = await pushUrl(s);
    // Opened while nobody listens: not sent to the endpoint added next.
    await s.api(path, { method: 'POST', json: statuspageIncident('investigating', [FIRST]) });
    await addEndpoint(s, hook.url, ['thread.opened']);
    const later = statuspageIncident('investigating', [FIRST]);
    later.incident.id = 'zz9later';
    later.incident.name = 'Later incident';
    await s.api(path, { method: 'POST', json: later });
    await expect.poll(() => hook.received.length, { timeout: 10_000 }).toBe(1);
    expect(hook.received[0]!.body).toContain('Later incident');
    expect(s.count('webhook_messages')).toBe(1);
  });

  it('refuses bad endpoints with problems', async () => {
    const s = await start();
    for (const json of [
      { url: 'ftp://example.com/x', events: ['thread.opened'] },
      { url: 'https://user:pw@example.com/x', events: ['thread.opened'] },
      { url: 'https://example.com/x', events: ['nope'] },
      { url: 'https://example.com/x', events: ['thread.opened'], secret: 'short' },
    ]) {
      const res = await s.api('/v1/admin/sites/acme/webhooks', {
        method: 'POST',
        headers: admin,
        json,
      });
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(s.count('webhook_endpoints')).toBe(0);
    const anonymous = await s.api('/v1/admin/sites/acme/webhooks', {
      method: 'POST',
      json: { url: 'https://example.com/x', events: ['thread.opened'] },
    });
    expect(anonymous.status).toBe(401);
  });
});

describe('push ingestion', () => {
  it('applies a Statuspage notification at once and ignores a stale one', async () => {
    const s = await start({ pollIntervalMs: 3_600_000 });
    const path = await pushUrl(s);
    const stream = await openSse(`${s.url}/v1/sites/acme/stream`);
    try {
      const second = await s.api(path, {
        method: 'POST',
        json: statuspageIncident('identified', [FIRST, SECOND]),
      });
      expect(second.status).toBe(202);
      expect(await second.json()).toEqual({ applied: true, events: 1 });
      const frame = await stream.waitFor((f) => f.event === 'incident.opened', 5_000);
      expect(JSON.parse(frame.data!)).toMatchObject({
        incident: { title: 'Virginia Is Down', phase: 'identified', impact: 'critical' },
      });
    } finally {
      stream.close();
    }
    // The first notification arrives late: older than what the site has, it changes nothing.
    const late = await s.api(path, {
      method: 'POST',
      json: statuspageIncident('investigating', [FIRST]),
    });
    expect(await late.json()).toEqual({ applied: false, events: 0, reason: 'stale' });
    const [row] = await s.sql<{ phase: string }>(
      "SELECT phase FROM incidents WHERE id = 'statuspage:j2mfxwj97wnj:lbkhbwn21v5q'",
    );
    expect(row!.phase).toBe('identified');
    const status = (await (await s.api('/v1/sites/acme/status')).json()) as {
      incidents: Array<{ id: string }>;
    };
    expect(status.incidents.map((i) => i.id)).toContain('statuspage:j2mfxwj97wnj:lbkhbwn21v5q');
  });

  it('applies a component notification; leaves a maintenance to the poll', async () => {
    const s = await start();
    const path = await pushUrl(s);
    const component = (id: string, status: string) => ({
      meta: { unsubscribe: '', documentation: '' },
      page: { id: 'j2mfxwj97wnj', status_indicator: 'major', status_description: 'Partial outage' },
      component_update: {
        created_at: '2026-12-06T16:05:00Z',
        new_status: status,
        old_status: 'operational',
        id: 'k7730b5v92bv',
        component_id: id,
      },
      component: { created_at: '2024-01-01T00:00:00Z', id, name: 'API', status },
    });
    const applied = await s.api(path, { method: 'POST', json: component('api', 'major_outage') });
    expect(await applied.json()).toEqual({ applied: true, events: 0 });
    const [row] = await s.sql<{ status: string }>("SELECT status FROM components WHERE id = 'api'");
    expect(row!.status).toBe('major_outage');
    const unknown = await s.api(path, { method: 'POST', json: component('nope', 'major_outage') });
    expect(await unknown.json()).toEqual({ applied: false, events: 0, reason: 'unchanged' });

    const maintenance = statuspageIncident('investigating', [FIRST]);
    (maintenance.incident as Record<string, unknown>)['scheduled_for'] = '2026-12-07T02:00:00Z';
    const left = await s.api(path, { method: 'POST', json: maintenance });
    expect(await left.json()).toEqual({ applied: false, events: 0, reason: 'maintenance' });
    expect(s.count('incidents', "id LIKE 'statuspage:j2mfxwj97wnj:%'")).toBe(0);
  });

  it('refuses a wrong secret and bad payloads with problems, changing nothing', async () => {
    const s = await start();
    const path = await pushUrl(s);
    const events = s.count('events');
    const wrong = await s.api(path.replace(/[^/]+$/, 'x'.repeat(32)), {
      method: 'POST',
      json: statuspageIncident('investigating', [FIRST]),
    });
    expect(wrong.status).toBe(404);
    const cases: Array<[unknown, number]> = [
      [{ meta: {}, page: { id: 'p' } }, 422],
      [{ meta: {}, incident: { id: 'i', incident_updates: [] } }, 422],
      [{ meta: {}, page: { id: 'p' }, incident: { name: 'no id', incident_updates: [] } }, 422],
      [{ meta: {}, page: { id: 'p' }, incident: { id: 'i' } }, 422],
      [{ page: { id: 'p' }, component_update: { component_id: 'c', new_status: 'on_fire' } }, 422],
      [[1, 2, 3], 422],
    ];
    for (const [json, status] of cases) {
      const res = await s.api(path, { method: 'POST', json });
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    }
    const broken = await s.api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"page":',
    });
    expect(broken.status).toBe(400);
    const big = await s.api(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ page: { id: 'p' }, pad: 'x'.repeat(300_000) }),
    });
    expect(big.status).toBe(413);
    expect(s.count('events')).toBe(events);
  });

  it('checks Instatus signatures (x-instatus-webhook-signature)', async () => {
    const s = await start();
    const path = await pushUrl(s, { provider: 'instatus', signingSecret: 'instatus-secret-1' });
    // The shape of Instatus's documented incident webhook (https://instatus.com/help/webhooks).
    const body = JSON.stringify({
      meta: { unsubscribe: 'https://instatus.com/unsubscribe?id=s1&token=t1', documentation: '' },
      page: {
        id: 'ckx1',
        status_indicator: 'HASISSUES',
        status_description: 'Some systems are affected',
        url: 'https://acme.instatus.com',
      },
      incident: {
        backfilled: false,
        created_at: '2026-12-06T16:00:00.000Z',
        impact: 'MAJOROUTAGE',
        name: 'Login failures',
        resolved_at: null,
        status: 'INVESTIGATING',
        updated_at: '2026-12-06T16:00:00.000Z',
        id: 'cl9incident',
        url: 'https://acme.instatus.com/cl9incident',
        incident_updates: [
          {
            id: 'cl9update',
            incident_id: 'cl9incident',
            body: 'We are looking into failed logins.',
            status: 'INVESTIGATING',
            created_at: '2026-12-06T16:00:00.000Z',
            updated_at: '2026-12-06T16:00:00.000Z',
          },
        ],
      },
    });
    const sign = (secret: string) => crypto.createHmac('sha256', secret).update(body).digest('hex');
    const send = (signature?: string) =>
      s.api(path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-instatus-webhook-signature': signature } : {}),
        },
        body,
      });
    expect((await send()).status).toBe(401);
    expect((await send(sign('another-secret'))).status).toBe(401);
    const ok = await send(sign('instatus-secret-1'));
    expect(ok.status).toBe(202);
    const [row] = await s.sql<{ title: string; impact: string; phase: string }>(
      "SELECT title, impact, phase FROM incidents WHERE id = 'instatus:acme.instatus.com:cl9incident'",
    );
    expect(row).toEqual({ title: 'Login failures', impact: 'critical', phase: 'investigating' });
  });

  it('checks incident.io (Standard Webhooks) signatures and refuses replays', async () => {
    const s = await start();
    const secret = newWebhookSecret();
    const path = await pushUrl(s, { provider: 'incidentio', signingSecret: secret });
    const body = JSON.stringify(statuspageIncident('investigating', [FIRST]));
    const send = (headers: Record<string, string>) =>
      s.api(path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
    const now = Math.floor(Date.now() / 1000);
    const signed = (key: string, ts: number) => ({
      'webhook-id': 'msg_2',
      'webhook-timestamp': String(ts),
      'webhook-signature': signWebhook(key, 'msg_2', ts, body),
    });
    expect((await send(signed(newWebhookSecret(), now))).status).toBe(401);
    expect((await send(signed(secret, now - 3600))).status).toBe(401);
    expect(s.count('incidents', "id LIKE 'incidentio:%'")).toBe(0);
    expect((await send(signed(secret, now))).status).toBe(202);
    expect(s.count('incidents', "id LIKE 'incidentio:%'")).toBe(1);
  });

  it('keeps only the hash of the push secret and seals signing secrets', async () => {
    const s = await start();
    const path = await pushUrl(s, { provider: 'instatus', signingSecret: 'instatus-secret-1' });
    const token = path.split('/').pop()!;
    const [row] = await s.sql<{ token_hash: string; signing_secret: string }>(
      'SELECT token_hash, signing_secret FROM status_push',
    );
    expect(row!.token_hash).not.toContain(token);
    expect(row!.token_hash).toBe(crypto.createHash('sha256').update(token).digest('hex'));
    expect(row!.signing_secret).toMatch(/^lbsec:v1:/);
    expect(row!.signing_secret).not.toContain('instatus-secret-1');
    const view = (await (
      await s.api('/v1/admin/sites/acme/status-push', { headers: admin })
    ).json()) as Record<string, unknown>;
    expect(view['url']).toBeUndefined();
    expect(view['signed']).toBe(true);
  });
});

describe('webhook events', () => {
  it('sends the first peer answer once, a verified workaround, a held post, a spike and a resolution with its report', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const s = await start();
    await addEndpoint(s, hook.url, [
      'answer.first',
      'workaround.verified',
      'post.held',
      'spike.detected',
      'incident.resolved',
    ]);
    const incident = encodeURIComponent(s.incident);
    let n = 0;
    const guest = async (name: string) => {
      const res = await s.api('/v1/sites/acme/sessions', {
        method: 'POST',
        headers: { 'user-agent': `HookBrowser/${++n}` },
        json: { displayName: name },
      });
      return ((await res.json()) as { token: string }).token;
    };
    const post = async (token: string, json: Record<string, unknown>) => {
      const id = ulid();
      const res = await s.api(`/v1/sites/acme/incidents/${incident}/posts`, {
        method: 'POST',
        token,
        headers: { 'idempotency-key': id },
        json: { id, ...json },
      });
      expect([201, 202], await res.clone().text()).toContain(res.status);
      return (await res.json()) as { id: string };
    };
    const types = () => hook.received.map((r) => (JSON.parse(r.body) as { type: string }).type);

    const ana = await guest('Ana');
    await post(ana, { kind: 'answer', body: 'Same here, since 10:02 UTC.' });
    await post(await guest('Bo'), { kind: 'answer', body: 'Also failing for me in Berlin.' });
    const fix = await post(ana, {
      kind: 'workaround',
      body: 'Switching to the EU region works.',
      workaround: {
        title: 'Use the EU region',
        steps: ['Open settings.', 'Pick EU.'],
        risk: 'safe',
      },
    });
    const staff = await s.staffToken();
    const verified = await s.api(`/v1/sites/acme/moderation/posts/${fix.id}`, {
      method: 'POST',
      token: staff,
      json: { action: 'verify', reason: 'Confirmed by SRE' },
    });
    expect(verified.status).toBe(200);
    await expect.poll(types, { timeout: 10_000 }).toEqual(['answer.first', 'workaround.verified']);

    const policy = await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: admin,
      json: { preModeration: 'guests' },
    });
    expect(policy.status).toBe(200);
    await post(await guest('Cy'), { kind: 'answer', body: 'Restarting did not help me.' });
    await expect.poll(types, { timeout: 10_000 }).toContain('post.held');

    const { store, notifiers } = s.app.lifeboat;
    const site = (await store.getSiteBySlug('acme'))!;
    // The early-warning detector's notice (services/early-warning.ts), twice for one spike.
    const spike = { type: 'spike.detected', spike: { id: 'spike-1', reports: 42 } };
    await notifiers.notify(site.id, spike);
    await notifiers.notify(site.id, spike);
    await expect.poll(types, { timeout: 10_000 }).toContain('spike.detected');

    const opened = await s.api('/v1/sites/acme/incidents', {
      method: 'POST',
      headers: admin,
      json: { title: 'Slow dashboard', impact: 'minor', body: 'Looking.' },
    });
    const manual = ((await opened.json()) as { id: string }).id;
    const resolved = await s.api(`/v1/sites/acme/incidents/${manual}/resolve`, {
      method: 'POST',
      token: staff,
      json: { body: 'Fixed.' },
    });
    expect(resolved.status, await resolved.clone().text()).toBe(200);
    await expect.poll(types, { timeout: 10_000 }).toContain('incident.resolved');
    expect(types().filter((t) => t === 'answer.first')).toHaveLength(1);
    expect(types().filter((t) => t === 'spike.detected')).toHaveLength(1);
    const report = hook.received
      .map(
        (r) =>
          JSON.parse(r.body) as { type: string; data: { report?: { incident: { id: string } } } },
      )
      .find((e) => e.type === 'incident.resolved')!;
    expect(report.data.report?.incident.id).toBe(manual);
  });
});

describe('push and poll together', () => {
  it('the next poll reconciles what a push left behind (a missed resolution)', async () => {
    const operational = JSON.stringify({
      page: { id: 'j2mfxwj97wnj', name: 'Acme', url: 'https://acme.statuspage.io' },
      status: { indicator: 'none', description: 'All Systems Operational' },
      components: [],
      incidents: [],
      scheduled_maintenances: [],
    });
    const upstream = createServer((_req, res) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(operational),
    );
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => upstream.close(() => r())));
    const address = upstream.address();
    const statusUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v2/summary.json`;
    const s = await start({ pollIntervalMs: 3_600_000 });
    const path = await pushUrl(s);
    await s.api(path, { method: 'POST', json: statuspageIncident('investigating', [FIRST]) });
    const id = 'statuspage:j2mfxwj97wnj:lbkhbwn21v5q';
    expect(s.count('incidents', `id = '${id}' AND resolved_at IS NULL`)).toBe(1);
    // The resolution notification never arrives; the site then follows the page by polling.
    const patched = await s.api('/v1/admin/sites/acme', {
      method: 'PATCH',
      headers: admin,
      json: { statusUrl },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const site = (await s.app.lifeboat.store.getSiteBySlug('acme'))!;
    const outcome = await s.app.lifeboat.statusPoller.pollSite(site.id);
    expect(outcome.kind).toBe('applied');
    expect(s.count('incidents', `id = '${id}' AND resolved_at IS NOT NULL`)).toBe(1);
  });
});

describe('the outbox lease', () => {
  it('gives each due message to one claimer only', async () => {
    const s = await start();
    const { store } = s.app.lifeboat;
    const site = (await store.getSiteBySlug('acme'))!;
    const data = new SqlWebhooks((store as SqlStore).driver);
    const endpoint = await data.createEndpoint(site.id, {
      url: 'https://hooks.example.com/x',
      events: ['spike.detected'],
      format: 'standard',
      secret: 'sealed',
    });
    await data.enqueue(
      site.id,
      Array.from({ length: 6 }, (_, i) => ({
        seq: null,
        endpointId: endpoint.id,
        eventType: 'spike.detected',
        dedupeKey: `k${i}`,
        payload: '{}',
      })),
    );
    const now = new Date(Date.now() + 1000).toISOString();
    const until = new Date(Date.now() + 60_000).toISOString();
    const [a, b] = await Promise.all([
      data.claimDue('a', now, until, 10),
      data.claimDue('b', now, until, 10),
    ]);
    const ids = [...a, ...b].map((c) => c.message.id);
    expect(new Set(ids).size).toBe(ids.length);
    // Whatever the server's worker took besides, no message is held by two claimers.
    const rows = await s.sql<{ lease_owner: string | null }>(
      'SELECT lease_owner FROM webhook_messages',
    );
    expect(rows.filter((r) => r.lease_owner === 'a' || r.lease_owner === 'b')).toHaveLength(
      ids.length,
    );
    // An expired lease is claimed again.
    const later = new Date(Date.now() + 120_000).toISOString();
    const again = await data.claimDue('c', later, new Date(Date.now() + 180_000).toISOString(), 10);
    expect(again.map((c) => c.message.id).sort()).toEqual(expect.arrayContaining(ids.sort()));
  });
});

describe.runIf(TEST_ENGINE === 'postgres')('two instances on one database', () => {
  it('enqueue and deliver each message once', async () => {
    const hook = await receiver();
    closers.push(hook.close);
    const a = await start();
    const b = await startTestServer({
      adminKey: ADMIN_KEY,
      webhookAllow: ['127.0.0.1'],
      webhookRetryBaseMs: 200,
      databaseUrl: a.data.databaseUrl,
    });
    servers.unshift(b); // closed before a, which drops the database
    await addEndpoint(a, hook.url, ['thread.opened']);
    const path = await pushUrl(b);
    for (let i = 0; i < 6; i++) {
      const body = statuspageIncident('investigating', [FIRST]);
      body.incident.id = `multi${i}`;
      // Alternate instances: both read the same event log and claim from the same outbox.
      const res = await (i % 2 ? a : b).api(path, { method: 'POST', json: body });
      expect(res.status).toBe(202);
    }
    await expect
      .poll(() => a.count('webhook_messages', "state = 'delivered'"), { timeout: 20_000 })
      .toBe(6);
    // One attempt each: a message sent by both instances would have two in the log.
    expect(a.count('webhook_messages')).toBe(6);
    expect(a.count('webhook_attempts')).toBe(6);
    const ids = hook.received.map((r) => r.headers['webhook-id']);
    expect(ids).toHaveLength(6);
    expect(new Set(ids).size).toBe(6);
  }, 60_000);
});
