import { readFileSync } from 'node:fs';
import { cleanStores } from 'nanostores';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDirectStatus, type DirectStatus } from './direct.js';

const URL_ = 'https://status.example.com/api/v2/summary.json';
const summary = JSON.parse(
  readFileSync(
    new URL('../../elements/src/testing/statuspage-summary-critical.json', import.meta.url),
    'utf8',
  ),
) as Record<string, unknown>;

interface Reply {
  status?: number;
  body?: unknown;
  etag?: string;
  error?: boolean;
}

function fakeFetch(replies: Reply[]) {
  const calls: Array<{ url: string; headers: Record<string, string> }> = [];
  const fetch = vi.fn(async (url: string, init: RequestInit) => {
    calls.push({ url, headers: { ...(init.headers as Record<string, string>) } });
    const reply = replies.length > 1 ? replies.shift()! : replies[0]!;
    if (reply.error) throw new TypeError('Failed to fetch');
    const headers = new Headers(reply.etag ? { etag: reply.etag } : {});
    const status = reply.status ?? 200;
    return new Response(status === 304 ? null : JSON.stringify(reply.body ?? summary), {
      status,
      headers,
    });
  });
  return { fetch, calls };
}

const tick = (ms = 0) => vi.advanceTimersByTimeAsync(ms);
let direct: DirectStatus;

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(Math, 'random').mockReturnValue(0.5);
});
afterEach(() => {
  cleanStores(direct.$status);
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('createDirectStatus', () => {
  it('is lazy: nothing is fetched until the store is listened to', async () => {
    const { fetch } = fakeFetch([{}]);
    direct = createDirectStatus({ statusUrl: URL_, fetch });
    await tick(120_000);
    expect(fetch).not.toHaveBeenCalled();
  });

  it('normalizes a Statuspage summary into a SiteStatus without community data', async () => {
    const { fetch } = fakeFetch([{}]);
    direct = createDirectStatus({ statusUrl: URL_, fetch });
    const unlisten = direct.$status.listen(() => {});
    expect(direct.$status.get().state).toBe('loading');
    await tick();
    const loaded = direct.$status.get();
    expect(loaded.state).toBe('ready');
    const status = loaded.value!;
    expect(status.severity).toBe('critical');
    expect(status.components.map((c) => c.name)).toEqual(['API', 'Management Portal']);
    expect(status.incidents).toHaveLength(1);
    const [incident] = status.incidents;
    expect(incident).toMatchObject({
      title: 'Unplanned Database Outage',
      phase: 'identified',
      impact: 'critical',
      affectedCount: 0,
      postCount: 0,
      topWorkaround: null,
      threadState: 'open',
    });
    const times = incident!.updates.map((u) => Date.parse(u.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(status.maintenances?.map((m) => [m.title, m.status])).toEqual(
      expect.arrayContaining([['Web Tier Recycle', 'in_progress']]),
    );
    expect(status.source).toMatchObject({ url: URL_, stale: false, error: null });
    unlisten();
  });

  it('polls every interval with If-None-Match, and a 304 keeps the status', async () => {
    const { fetch, calls } = fakeFetch([{ etag: 'W/"1"' }, { status: 304 }]);
    direct = createDirectStatus({ statusUrl: URL_, fetch, intervalMs: 30_000 });
    const seen: string[] = [];
    const unlisten = direct.$status.listen((v) => seen.push(v.state));
    await tick();
    const first = direct.$status.get().value;
    await tick(29_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    await tick(1_000);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(calls[0]!.headers['if-none-match']).toBeUndefined();
    expect(calls[1]!.headers['if-none-match']).toBe('W/"1"');
    expect(direct.$status.get().value).toBe(first);
    expect(seen).toEqual(['ready']);
    unlisten();
  });

  it('backs off after failures, keeps the last good status, and recovers', async () => {
    const { fetch } = fakeFetch([{}, { error: true }, { error: true }, { status: 503 }, {}]);
    direct = createDirectStatus({ statusUrl: URL_, fetch, intervalMs: 10_000 });
    const unlisten = direct.$status.listen(() => {});
    await tick();
    await tick(10_000); // 2nd: network error
    expect(direct.$status.get()).toMatchObject({ state: 'error', error: { code: 'network' } });
    expect(direct.$status.get().value?.severity).toBe('critical');
    await tick(10_000); // 3rd after 1× interval: error again
    expect(fetch).toHaveBeenCalledTimes(3);
    await tick(19_000);
    expect(fetch).toHaveBeenCalledTimes(3); // waits 2× now
    await tick(1_000);
    expect(fetch).toHaveBeenCalledTimes(4); // 503
    expect(direct.$status.get().error?.status).toBe(503);
    await tick(40_000); // 4× interval
    expect(fetch).toHaveBeenCalledTimes(5);
    expect(direct.$status.get().state).toBe('ready');
    unlisten();
  });

  it('reports a document it cannot read as an error', async () => {
    const { fetch } = fakeFetch([{ body: { hello: 'world' } }]);
    direct = createDirectStatus({ statusUrl: URL_, fetch });
    const unlisten = direct.$status.listen(() => {});
    await tick();
    const value = direct.$status.get();
    expect(value.state).toBe('error');
    expect(value.error?.message).toMatch(/status/i);
    unlisten();
  });

  it('stops polling while nobody listens and starts again on the next listener', async () => {
    const { fetch } = fakeFetch([{}]);
    direct = createDirectStatus({ statusUrl: URL_, fetch, intervalMs: 10_000 });
    const unlisten = direct.$status.listen(() => {});
    await tick();
    unlisten();
    await tick(1_000); // nanostores unmounts after a short delay
    await tick(100_000);
    expect(fetch).toHaveBeenCalledTimes(1);
    const again = direct.$status.listen(() => {});
    await tick();
    expect(fetch).toHaveBeenCalledTimes(2);
    again();
  });
});
