/**
 * Never-reading replay: after ~3,000 posts, 300 streams resume from `Last-Event-ID: 1` and then
 * never read a byte (raw sockets, paused), so everything the server sends them piles up in the
 * kernel and then wherever the server keeps it. Prints the server's RSS before, at its peak, at
 * the end of the hold and after the sockets close, whether GET status still answered within a
 * second throughout (probed twice a second), and how many of the 300 connections the server
 * still held at the end. Beside it, in the same run: the same 300 resumes reading normally (a
 * stream-client.ts process; replay time = request → `event: ready`). The posts are written once;
 * each variant runs on a fresh server over its own copy of that data directory.
 * The server runs with LIFEBOAT_SQLITE_SYNC=normal only so the 3,000 posts are written quickly.
 * `node --conditions=source --import tsx tests/bench/replay.ts` runs it alone.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ulid } from '@lifeboat/protocol';
import { startBenchServer, type BenchServer } from './lifeboat-server.js';
import {
  cleanup,
  clockMs,
  loopbackAddress,
  rssMb,
  sampleRss,
  sleep,
  summarize,
  type Summary,
} from './procs.js';
import { StreamClient, p50p99 } from './stream-fanout.js';

const POSTS = Number(process.env.BENCH_REPLAY_POSTS ?? 3000);
const STREAMS = Number(process.env.BENCH_REPLAY_STREAMS ?? 300);
/** Long enough for two heartbeats (15 s each by default): a stalled stream is dropped at its second. */
const HOLD_SECONDS = Number(process.env.BENCH_REPLAY_HOLD_SECONDS ?? 32);
/**
 * A realistic answer, about 450 characters: each replay is then ~2 MB, which the kernel takes
 * whole on loopback (a connection's send queue grows to 4 MB, tcp_wmem), so the server never has
 * to hold it. BENCH_REPLAY_BODY_CHARS pads the posts, e.g. to 1500 (~5 MB a replay, ~1.2 GB of
 * kernel socket memory for 300), so the replay outgrows the kernel and the server's own
 * back-pressure has to act; mind that on a shared machine.
 */
const BODY_CHARS = Number(process.env.BENCH_REPLAY_BODY_CHARS ?? 0);
const BASE_BODY =
  'Same here: webhook deliveries to our endpoint in eu-west started failing with 502s around ' +
  '09:40 UTC. Retrying by hand from the dashboard works about half the time. What helped us: ' +
  'lowering the batch size to 10, adding our own retry with backoff on 5xx, and switching the ' +
  'endpoint to the regional URL. Deliveries queued during the outage were not replayed ' +
  'automatically, so check the delivery log and resend the failed ones once it is resolved.';
const BODY = BASE_BODY.padEnd(BODY_CHARS, ' Same again.');

async function seed(server: BenchServer): Promise<number> {
  const t0 = clockMs();
  let next = 0;
  const url = `${server.base}/v1/sites/demo/incidents/${server.incident}/posts`;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < POSTS) {
        const n = next++;
        const id = ulid();
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${server.tokens[n % server.tokens.length]}`,
            'idempotency-key': id,
          },
          body: JSON.stringify({ id, kind: 'answer', body: `${BODY} (#${n})` }),
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`seed post: ${res.status}`);
      }
    }),
  );
  return (clockMs() - t0) / 1000;
}

interface Probes {
  /** Latencies in ms (a timeout counts as 5,000). */
  times: number[];
  /** The probes over 1 s: seconds since the probing started, and the latency. */
  slow: Array<[number, number]>;
}

/** GET status every 500 ms, each on a fresh connection, with a 5 s timeout. */
function probe(base: string): { stop(): Promise<Probes> } {
  const times: number[] = [];
  const slow: Array<[number, number]> = [];
  const start = clockMs();
  let stopped = false;
  const record = (t0: number) => {
    const latency = Math.min(5000, clockMs() - t0);
    times.push(latency);
    if (latency > 1000) slow.push([(t0 - start) / 1000, latency]);
  };
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = clockMs();
      const req = http.get(`${base}/v1/sites/demo/status`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          record(t0);
          resolve();
        });
      });
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        record(t0);
        resolve();
      });
    });
  // Every 500 ms whether or not the last one answered, so a stall shows as a run of slow probes.
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    if (stopped) return;
    const p = once().finally(() => inFlight.delete(p));
    inFlight.add(p);
  }, 500);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await Promise.all(inFlight); // at most 5 s (the probe timeout)
      return { times: [...times], slow: [...slow] };
    },
  };
}

/**
 * The server's side of its connections on `port` (from /proc/net/tcp): how many are ESTABLISHED,
 * and the bytes in their kernel send queues (sent by the server, not yet taken by the client).
 */
function connectionsOn(port: number): { established: number; sendQueueMb: number } {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  let queued = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (!f[1]?.endsWith(`:${hex}`)) continue;
      if (f[3] === '01') n++;
      queued += parseInt(f[4]!.split(':')[0]!, 16);
    }
  }
  return { established: n, sendQueueMb: queued / 1024 / 1024 };
}

interface Variant {
  name: string;
  rssBefore: number;
  rssPeak: number;
  rssEnd: number;
  rssClosed: number;
  probes: Summary & { over1s: number; slow: string };
  notes: string[];
}

const probeSummary = ({ times, slow }: Probes) => ({
  ...summarize(times),
  over1s: slow.length,
  slow: slow.length
    ? `${slow.length} GETs over 1 s, sent between +${slow[0]![0].toFixed(1)} s and +${slow[slow.length - 1]![0].toFixed(1)} s` +
      ` (longest ${Math.max(...slow.map(([, ms]) => ms)).toFixed(0)} ms${slow.some(([, ms]) => ms >= 5000) ? ': timed out' : ''});` +
      ` the last of them answered at +${Math.max(...slow.map(([at, ms]) => at + ms / 1000)).toFixed(1)} s`
    : '',
});

async function reading(server: BenchServer): Promise<Variant> {
  const client = new StreamClient();
  try {
    await client.next('hello', 30_000);
    const rssBefore = rssMb(server.pid);
    const rss = sampleRss(server.pid);
    const probes = probe(server.base);
    const opened = client.next('opened', 120_000);
    client.send({
      type: 'open',
      url: `${server.base}/v1/sites/demo/stream`,
      n: STREAMS,
      group: 0,
      readyText: 'event: ready',
      lastEventId: 1,
      batch: STREAMS,
    });
    const o = await opened;
    const times = await probes.stop();
    const { peak } = rss.stop();
    const rssEnd = rssMb(server.pid);
    await client.close();
    await sleep(1000);
    return {
      name: `${STREAMS} resumes that read`,
      rssBefore,
      rssPeak: peak,
      rssEnd,
      rssClosed: rssMb(server.pid),
      probes: probeSummary(times),
      notes: [
        `replay to ready p50 / p99 ${p50p99(summarize(o.openTimes)).trim()}; ${o.ok} of ${STREAMS} got ready`,
      ],
    };
  } finally {
    await client.close();
  }
}

async function neverReading(server: BenchServer): Promise<Variant> {
  const port = Number(new URL(server.base).port);
  const heldBefore = connectionsOn(port).established;
  const rssBefore = rssMb(server.pid);
  const rss = sampleRss(server.pid);
  const probes = probe(server.base);
  const sockets: net.Socket[] = [];
  try {
    for (let i = 0; i < STREAMS; i++) {
      const socket = net.connect({ host: '127.0.0.1', port, localAddress: loopbackAddress(1, i) });
      socket.on('error', () => undefined);
      socket.pause(); // never read
      socket.write(
        `GET /v1/sites/demo/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
          `Accept: text/event-stream\r\nLast-Event-ID: 1\r\n\r\n`,
      );
      sockets.push(socket);
    }
    const timeline: string[] = [];
    for (let t = 0; t < HOLD_SECONDS;) {
      const step = Math.min(8, HOLD_SECONDS - t);
      await sleep(step * 1000);
      t += step;
      timeline.push(`${connectionsOn(port).established - heldBefore} at ${t} s`);
    }
    const kernel = connectionsOn(port).sendQueueMb;
    const times = await probes.stop();
    const { peak } = rss.stop();
    const rssEnd = rssMb(server.pid);
    for (const s of sockets) s.destroy();
    sockets.length = 0;
    await sleep(2000);
    return {
      name: `${STREAMS} resumes that never read, held ${HOLD_SECONDS} s`,
      rssBefore,
      rssPeak: peak,
      rssEnd,
      rssClosed: rssMb(server.pid),
      probes: probeSummary(times),
      notes: [
        `connections the server still held: ${timeline.join(', ')}`,
        `at the end ${kernel.toFixed(0)} MB sat in the kernel's send queues of these connections (not in RSS)`,
      ],
    };
  } finally {
    void probes.stop();
    rss.stop();
    for (const s of sockets) s.destroy();
  }
}

export async function replay(): Promise<void> {
  console.log(
    `\nNever-reading replay: ${STREAMS} streams resume from Last-Event-ID: 1 after ${POSTS.toLocaleString('en')} posts` +
      ` (~${BODY.length} characters each; SQLite, synchronous=normal to seed quickly; a fresh server per variant)` +
      ` (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  // Seeded once; each variant gets a fresh server on its own copy of the data directory.
  const template = mkdtempSync(join(tmpdir(), 'lifeboat-bench-replay-'));
  const copies: string[] = [];
  const env = { LIFEBOAT_SQLITE_SYNC: 'normal' };
  const fresh = async (extra: Record<string, string>) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-replay-'));
    copies.push(dataDir);
    cpSync(template, dataDir, { recursive: true });
    return startBenchServer('Replay', { env: { ...env, ...extra }, dataDir });
  };
  try {
    const seeder = await startBenchServer('Replay', { members: 50, env, dataDir: template });
    try {
      const seconds = await seed(seeder);
      console.log(`  ${POSTS} posts written in ${seconds.toFixed(1)} s`);
    } finally {
      await seeder.stop();
    }
    const rows: Variant[] = [];
    // As configured by default the whole log is replayed (LIFEBOAT_STREAM_REPLAY_MAX, 10,000,
    // is above it), which exercises the replay's own back-pressure; with the limit at 1,000 a
    // resume that far back gets `reset` instead (the client fetches the snapshots again).
    const configs: Array<[string, Record<string, string>]> = [
      ['default', {}],
      ['replay max 1,000', { LIFEBOAT_STREAM_REPLAY_MAX: '1000' }],
    ];
    for (const [label, extra] of configs) {
      for (const variant of [reading, neverReading]) {
        const server = await fresh(extra);
        try {
          const row = await variant(server);
          rows.push({ ...row, name: `${label}: ${row.name}` });
        } finally {
          await server.stop();
        }
      }
    }
    console.log(
      `  ${'variant'.padEnd(56)} ${'server RSS before → peak → end of hold → closed'.padEnd(36)}   GET status within 1 s?`,
    );
    for (const r of rows) {
      const mb = (x: number) => `${x.toFixed(0)}`.padStart(5);
      const answered =
        r.probes.n === 0
          ? 'no probe answered'
          : `${r.probes.over1s === 0 ? 'yes' : `NO (${r.probes.over1s} of ${r.probes.n} over 1 s)`}, max ${r.probes.max.toFixed(0)} ms, p50 ${r.probes.p50.toFixed(0)} ms of ${r.probes.n}`;
      console.log(
        `  ${r.name.padEnd(56)} ${mb(r.rssBefore)} → ${mb(r.rssPeak)} → ${mb(r.rssEnd)} → ${mb(r.rssClosed)} MB   ${answered}`,
      );
      for (const note of [...r.notes, ...(r.probes.slow ? [r.probes.slow] : [])])
        console.log(`  ${''.padEnd(56)} (${note})`);
    }
  } finally {
    for (const dir of [template, ...copies]) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await replay();
  } finally {
    await cleanup();
  }
}
