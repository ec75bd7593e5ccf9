/**
 * A load-client process for the spike (spike.ts): its share of the visitors, each arriving at its
 * planned moment, each from its own loopback source address (so per-address limits apply per
 * visitor, as with real visitors). A visitor loads the status snapshot, then the thread snapshot,
 * then opens the stream (from the status snapshot's `lastEventId`) and keeps it open; every 10th
 * also starts a guest session and says "affected me too"; every 100th also posts an answer.
 * IPC: start → done (all visitors through their steps) ; report → stats, then the streams close.
 */
import http from 'node:http';
import { ulid } from '@lifeboat/protocol';
import { clockMs, loopbackAddress } from './procs.js';

export type Endpoint = 'connect' | 'status' | 'thread' | 'stream' | 'session' | 'affected' | 'post';

export interface SpikeTarget {
  status: string;
  thread: string;
  stream: string;
  session: string;
  /** PUT with the session token. */
  affected: string;
  /** POST with the session token and an Idempotency-Key. */
  post: string;
}

export interface StartMessage {
  type: 'start';
  target: SpikeTarget;
  visitors: number;
  worker: number;
  workers: number;
  /** clockMs() of the first arrival. */
  t0: number;
  spacingMs: number;
}

export interface EndpointStats {
  latencies: number[];
  /** Network errors and timeouts. */
  errors: number;
  statuses: Record<string, number>;
}

export interface SpikeReport {
  type: 'report';
  endpoints: Record<Endpoint, EndpointStats>;
  /** Streams the server ended before the report. */
  streamsEnded: number;
  /** Event frames received over all streams. */
  events: number;
  streamsOpen: number;
}

const endpoints = Object.fromEntries(
  (['connect', 'status', 'thread', 'stream', 'session', 'affected', 'post'] as const).map((e) => [
    e,
    { latencies: [], errors: 0, statuses: {} } as EndpointStats,
  ]),
) as Record<Endpoint, EndpointStats>;
const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
const streamAgent = new http.Agent({ keepAlive: false, maxSockets: Infinity });
const streams: http.ClientRequest[] = [];
let streamsEnded = 0;
let streamsOpen = 0;
let events = 0;
let closing = false;

function count(e: Endpoint, status: string): void {
  const s = endpoints[e].statuses;
  s[status] = (s[status] ?? 0) + 1;
}

/** Times the TCP handshake of a request that opens a new connection (a full listen queue shows here). */
function timeConnect(req: http.ClientRequest, t0: number): void {
  req.once('socket', (socket) => {
    if (!socket.connecting) return; // a kept-alive connection
    socket.once('connect', () => endpoints.connect.latencies.push(clockMs() - t0));
  });
}

function call(
  e: Endpoint,
  method: string,
  url: string,
  localAddress: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<{ status: number; json: unknown } | null> {
  const t0 = clockMs();
  return new Promise((resolve) => {
    const req = http.request(url, { method, agent, localAddress, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        endpoints[e].latencies.push(clockMs() - t0);
        count(e, String(res.statusCode));
        let json: unknown = null;
        try {
          json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          /* not JSON */
        }
        resolve({ status: res.statusCode!, json });
      });
      res.on('error', () => resolve(null));
    });
    timeConnect(req, t0);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      endpoints[e].errors++;
      count(e, err.code ?? err.message);
      resolve(null);
    });
    req.end(body);
  });
}

function openStream(url: string, localAddress: string, lastEventId: number | null): Promise<void> {
  const t0 = clockMs();
  return new Promise((resolve) => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== null) headers['last-event-id'] = String(lastEventId);
    let settled = false;
    const settle = () => {
      if (!settled) {
        settled = true;
        resolve();
      }
    };
    const req = http.get(url, { agent: streamAgent, localAddress, headers }, (res) => {
      count('stream', String(res.statusCode));
      if (res.statusCode !== 200) {
        endpoints.stream.latencies.push(clockMs() - t0);
        res.resume();
        return settle();
      }
      res.setEncoding('utf8');
      let tail = '';
      res.on('data', (chunk: string) => {
        if (!settled) {
          endpoints.stream.latencies.push(clockMs() - t0); // first bytes of the stream
          streamsOpen++;
          settle();
        }
        const text = tail + chunk;
        let from = 0;
        let idx: number;
        while ((idx = text.indexOf('\n\n', from)) >= 0) {
          const c = text.charCodeAt(from);
          if (c === 105 /* i */ || c === 101 /* e */) events++; // `id:` or `event:` frames
          from = idx + 2;
        }
        tail = text.slice(from);
      });
      res.on('end', () => {
        if (!closing) streamsEnded++;
        settle();
      });
    });
    timeConnect(req, t0);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (!settled) {
        endpoints.stream.errors++;
        count('stream', err.code ?? err.message);
      } else if (!closing) streamsEnded++;
      settle();
    });
    streams.push(req);
  });
}

async function visit(target: SpikeTarget, i: number, group: number): Promise<void> {
  const from = loopbackAddress(group, i, 1);
  const status = await call('status', 'GET', target.status, from);
  const lastEventId = (status?.json as { lastEventId?: number } | null)?.lastEventId ?? null;
  await call('thread', 'GET', target.thread, from);
  await openStream(target.stream, from, lastEventId);
  if (i % 10 !== 0) return;
  const json = { 'content-type': 'application/json' };
  const session = await call(
    'session',
    'POST',
    target.session,
    from,
    json,
    JSON.stringify({ displayName: `Visitor ${i}` }),
  );
  const token = (session?.json as { token?: string } | null)?.token ?? 'none';
  const auth = { authorization: `Bearer ${token}` };
  await call('affected', 'PUT', target.affected, from, auth);
  if (i % 100 !== 0) return;
  const id = ulid();
  await call(
    'post',
    'POST',
    target.post,
    from,
    { ...json, ...auth, 'idempotency-key': id },
    JSON.stringify({ id, kind: 'answer', body: `Same here, visitor ${i} (${id})` }),
  );
}

process.on('message', (m: StartMessage | { type: 'report' }) => {
  if (m.type === 'start') {
    const mine: number[] = [];
    for (let i = m.worker; i < m.visitors; i += m.workers) mine.push(i);
    const running: Promise<void>[] = [];
    let next = 0;
    const tick = () => {
      const now = clockMs();
      while (next < mine.length && m.t0 + mine[next]! * m.spacingMs <= now)
        running.push(visit(m.target, mine[next++]!, 0));
      if (next < mine.length) setTimeout(tick, 2);
      else void Promise.all(running).then(() => process.send!({ type: 'done' }));
    };
    tick();
  } else if (m.type === 'report') {
    closing = true;
    const report: SpikeReport = { type: 'report', endpoints, streamsEnded, events, streamsOpen };
    process.send!(report, () => {
      for (const s of streams) s.destroy();
      agent.destroy();
      streamAgent.destroy();
      process.exit(0);
    });
  }
});
process.on('disconnect', () => process.exit(0));
process.send!({ type: 'hello' });
