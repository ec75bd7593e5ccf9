/**
 * `/metrics` (docs/metrics.md): a real server is used (reads through the router and the fast path,
 * posts, streams, a poll of a real upstream on loopback), then scraped over HTTP and its
 * exposition text parsed; the values must have moved. Also: 401 without the token, no label per
 * random URL, off by default, a listener of its own, and the configuration's refusals.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ulid } from '@lifeboat/protocol';
import { loadConfig, ConfigError } from '../config.js';
import { startFakeUpstream, fixture, type FakeUpstream } from '../testing/fake-upstream.js';
import { enc, startTestServer, type TestServer } from '../testing/harness.js';
import { openSse, type SseClient } from '../testing/sse.js';

const TOKEN = 'metrics-token-0123456789abcdef';
const ADMIN_KEY = 'admin-key-0123456789abcdef-metrics';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A small parser of the Prometheus text exposition format (0.0.4): samples only. */
function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    const re = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g;
    let l: RegExpExecArray | null;
    while ((l = re.exec(m[2] ?? '')) !== null)
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    const raw = m[3]!;
    const value = raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw);
    samples.push({ name: m[1]!, labels, value });
  }
  return samples;
}

/** The value of the one sample of `name` whose labels include `labels` (0 when there is none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match`);
  return found[0]?.value ?? 0;
}

async function scrape(url: string, token: string | null = TOKEN): Promise<Sample[]> {
  const res = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseExposition(await res.text());
}

async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let s: TestServer | null = null;
let upstream: FakeUpstream | null = null;
const streams: SseClient[] = [];
afterEach(async () => {
  for (const stream of streams.splice(0)) stream.close();
  await s?.close();
  s = null;
  await upstream?.close();
  upstream = null;
});

describe('/metrics with LIFEBOAT_METRICS=token', () => {
  it('is scraped and parsed: requests by route (fast path too), streams, events, replays, polls, queue', async () => {
    s = await startTestServer({ metrics: 'token', metricsToken: TOKEN, adminKey: ADMIN_KEY });
    const metricsUrl = `${s.url}/metrics`;
    const before = await scrape(metricsUrl);
    const statusCount = (samples: Sample[]) =>
      value(samples, 'lifeboat_http_request_duration_seconds_count', {
        route: '/v1/sites/:site/status',
        method: 'GET',
        status: '200',
      });
    expect(statusCount(before)).toBe(0);

    // Five reads of one snapshot: the first through the router, the rest answered before it.
    const early = s.app.snapshots.stats.early;
    for (let i = 0; i < 5; i++) expect((await s.api('/v1/sites/acme/status')).status).toBe(200);
    expect(s.app.snapshots.stats.early).toBeGreaterThan(early);

    // Posts held for review (the queue) and published (events).
    const policy = await s.api('/v1/admin/sites/acme/policy', {
      method: 'PUT',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      json: { preModeration: 'guests' },
    });
    expect(policy.status).toBe(200);
    const guest = await s.session('Gwen');
    for (let i = 0; i < 2; i++) {
      const id = ulid();
      const res = await s.api(`/v1/sites/acme/incidents/${enc(s.incident)}/posts`, {
        method: 'POST',
        token: guest.token,
        headers: { 'idempotency-key': id },
        json: { id, kind: 'answer', body: `Same here, attempt ${i}.` },
      });
      expect(res.status).toBe(201);
    }

    // One public stream resuming from 0 (a replay), one staff stream.
    const pub = await openSse(`${s.url}/v1/sites/acme/stream`, { 'last-event-id': '0' });
    streams.push(pub);
    await pub.waitFor((f) => f.event === 'ready');
    const staffToken = await s.staffToken('Sam');
    const mod = await openSse(`${s.url}/v1/sites/acme/moderation/stream`, {
      authorization: `Bearer ${staffToken}`,
    });
    streams.push(mod);
    await mod.waitFor((f) => f.event === 'ready');

    // A poll of a real upstream on loopback.
    upstream = await startFakeUpstream();
    upstream.serve({
      body: fixture(
        'statuspage-summary-githubstatus-active-incident-2022-11-25-sergeyshevch-statuspage-exporter.json',
      ),
    });
    const { store, statusPoller } = s.app.lifeboat;
    const polled = await store.createSite({ slug: 'polled', name: 'Polled', origins: [] });
    await store.updateSite(polled.id, { statusUrl: upstream.url });
    expect((await statusPoller.pollSite(polled.id)).kind).toBe('applied');
    upstream.serve({ status: 503, body: 'down' });
    expect((await statusPoller.pollSite(polled.id)).kind).toBe('failed');

    const after = await scrape(metricsUrl);
    expect(statusCount(after)).toBe(5);
    const sessions = value(after, 'lifeboat_http_request_duration_seconds_count', {
      route: '/v1/sites/:site/sessions',
      method: 'POST',
      status: '201',
    });
    expect(sessions).toBeGreaterThanOrEqual(1);
    expect(value(after, 'lifeboat_streams_open', { audience: 'public' })).toBe(1);
    expect(value(after, 'lifeboat_streams_open', { audience: 'staff' })).toBe(1);
    expect(value(after, 'lifeboat_events_published_total')).toBeGreaterThanOrEqual(2);
    expect(value(after, 'lifeboat_stream_replay_events_count')).toBe(1);
    expect(value(after, 'lifeboat_stream_replay_events_sum')).toBeGreaterThanOrEqual(1);
    expect(value(after, 'lifeboat_moderation_queue_size', { site: 'acme' })).toBe(2);
    expect(value(after, 'lifeboat_moderation_queue_size', { site: 'other' })).toBe(0);
    expect(value(after, 'lifeboat_status_polls_total', { site: 'polled', result: 'ok' })).toBe(1);
    expect(value(after, 'lifeboat_status_polls_total', { site: 'polled', result: 'failed' })).toBe(
      1,
    );
    expect(value(after, 'lifeboat_status_poll_consecutive_failures', { site: 'polled' })).toBe(1);
    const lastSuccess = value(after, 'lifeboat_status_poll_last_success_timestamp_seconds', {
      site: 'polled',
    });
    expect(Math.abs(lastSuccess - Date.now() / 1000)).toBeLessThan(300);
    expect(
      value(after, 'lifeboat_status_upstream_duration_seconds_count', { site: 'polled' }),
    ).toBe(2);
    // The counter webhooks increment exists from the start, and moves when they do.
    s.app.lifeboat.metrics.webhookDeliveries.inc({ site: 'acme', outcome: 'delivered' });
    const later = await scrape(metricsUrl);
    expect(
      value(later, 'lifeboat_webhook_deliveries_total', { site: 'acme', outcome: 'delivered' }),
    ).toBe(1);
    // Process metrics come along.
    expect(value(later, 'lifeboat_process_resident_memory_bytes')).toBeGreaterThan(0);
    // The staff stream closed is counted out at the next scrape.
    mod.close();
    await vi.waitFor(async () =>
      expect(value(await scrape(metricsUrl), 'lifeboat_streams_open', { audience: 'staff' })).toBe(
        0,
      ),
    );
  });

  it('answers 401 without the token or with a wrong one, and nothing leaks', async () => {
    s = await startTestServer({ metrics: 'token', metricsToken: TOKEN });
    for (const headers of [
      {} as Record<string, string>,
      { authorization: 'Bearer wrong-token-0123456789abcdef' },
      { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` },
      { authorization: `Bearer ${TOKEN}x` },
    ]) {
      const res = await fetch(`${s.url}/metrics`, { headers });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const text = await res.text();
      expect(text).not.toContain('lifeboat_');
    }
  });

  it('labels random URLs by route template, never by URL: no label explosion', async () => {
    s = await startTestServer({ metrics: 'token', metricsToken: TOKEN });
    const known = new Set(s.app.lifeboat.routes.map((r) => r.url));
    for (let i = 0; i < 40; i++) {
      const junk = `${Math.random().toString(36).slice(2)}${i}`;
      await s.api(`/${junk}`);
      await s.api(`/v1/sites/${junk}/status`);
      await s.api(`/v1/sites/acme/incidents/${junk}/thread?cursor=${junk}`);
      await s.api(`/v1/sites/acme/${junk}`, { method: 'POST', json: {} });
    }
    const samples = await scrape(`${s.url}/metrics`);
    const http = samples.filter((x) => x.name === 'lifeboat_http_request_duration_seconds_count');
    const routes = new Set(http.map((x) => x.labels['route']!));
    for (const route of routes) expect(route === '(unmatched)' || known.has(route)).toBe(true);
    // 160 distinct URLs, a handful of series.
    expect(http.length).toBeLessThan(12);
    const unmatched = http
      .filter((x) => x.labels['route'] === '(unmatched)')
      .reduce((n, x) => n + x.value, 0);
    expect(unmatched).toBe(80);
    for (const sample of samples)
      for (const v of Object.values(sample.labels)) expect(v).not.toMatch(/[0-9a-z]{8,}\d+$/);
  });
});

describe('/metrics exposure', () => {
  it('is off by default: no route, no hook', async () => {
    s = await startTestServer();
    expect(s.config.metrics).toBe('off');
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
    expect(
      (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
    ).toBe(404);
  });

  it('a listener of its own: /metrics there (token asked when set), not on the main port', async () => {
    const port = await freePort();
    s = await startTestServer({ metrics: { host: '127.0.0.1', port } });
    expect((await fetch(`${s.url}/metrics`)).status).toBe(404);
    await s.api('/v1/sites/acme/status');
    const samples = await scrape(`http://127.0.0.1:${port}/metrics`, null);
    expect(
      value(samples, 'lifeboat_http_request_duration_seconds_count', {
        route: '/v1/sites/:site/status',
        method: 'GET',
        status: '200',
      }),
    ).toBe(1);
    expect((await fetch(`http://127.0.0.1:${port}/other`)).status).toBe(404);
    await s.close();
    s = null;

    const port2 = await freePort();
    s = await startTestServer({ metrics: { host: '127.0.0.1', port: port2 }, metricsToken: TOKEN });
    expect((await fetch(`http://127.0.0.1:${port2}/metrics`)).status).toBe(401);
    await scrape(`http://127.0.0.1:${port2}/metrics`, TOKEN);
  });

  it('the configuration: safe default, token required, clear refusals', () => {
    const load = (env: Record<string, string>) => loadConfig({ env, argv: [] });
    expect(load({}).metrics).toBe('off');
    expect(load({ LIFEBOAT_METRICS: 'token', LIFEBOAT_METRICS_TOKEN: TOKEN }).metrics).toBe(
      'token',
    );
    expect(load({ LIFEBOAT_METRICS: '127.0.0.1:9464' }).metrics).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
    expect(load({ LIFEBOAT_METRICS: '[::1]:9464' }).metrics).toEqual({ host: '::1', port: 9464 });
    expect(() => load({ LIFEBOAT_METRICS: 'token' })).toThrow(ConfigError);
    expect(() => load({ LIFEBOAT_METRICS: 'token', LIFEBOAT_METRICS_TOKEN: 'short' })).toThrow(
      /at least 24/,
    );
    expect(() => load({ LIFEBOAT_METRICS: 'on' })).toThrow(/off, token, or the host:port/);
    expect(() => load({ LIFEBOAT_METRICS: '127.0.0.1:99999' })).toThrow(ConfigError);
  });
});
