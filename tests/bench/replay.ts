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
const HOLD_SECONDS = Number(process.env.BENCH_REPLAY_HOLD_SECONDS ?? 20);
/** A realistic answer, about 450 characters. */
const BODY =
  'Same here: webhook deliveries to our endpoint in eu-west started failing with 502s around ' +
  '09:40 UTC. Retrying by hand from the dashboard works about half the time. What helped us: ' +
  'lowering the batch size to 10, adding our own retry with backoff on 5xx, and switching the ' +
  'endpoint to the regional URL. Deliveries queued during the outage were not replayed ' +
  'automatically, so check the delivery log and resend the failed ones once it is resolved.';

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

/** GET status twice a second with a fresh connection; latencies (a timeout counts as 5,000 ms). */
function probe(base: string): { stop(): number[] } {
  const times: number[] = [];
  let stopped = false;
  const once = () =>
    new Promise<void>((resolve) => {
      const t0 = clockMs();
      const req = http.get(`${base}/v1/sites/demo/status`, { agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          times.push(clockMs() - t0);
          resolve();
        });
      });
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.on('error', () => {
        times.push(5000);
        resolve();
      });
    });
  const loop = async () => {
    while (!stopped) await Promise.all([once(), sleep(500)]);
  };
  const running = loop();
  return {
    stop() {
      stopped = true;
      void running;
      return times;
    },
  };
}

/** Server-side connections on `port` in state ESTABLISHED (from /proc/net/tcp). */
function establishedOn(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  let n = 0;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[1]?.endsWith(`:${hex}`) && f[3] === '01') n++;
    }
  }
  return n;
}

interface Variant {
  name: string;
  rssBefore: number;
  rssPeak: number;
  rssEnd: number;
  rssClosed: number;
  probes: Summary & { over1s: number };
  note: string;
}

const probeSummary = (times: number[]) => ({
  ...summarize(times),
  over1s: times.filter((t) => t > 1000).length,
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
    const times = probes.stop();
    const { peak } = rss.stop();
    const rssEnd = rssMb(server.pid);
    await client.close();
    await sleep(1000);
    return {
      name: `baseline: ${STREAMS} resumes that read`,
      rssBefore,
      rssPeak: peak,
      rssEnd,
      rssClosed: rssMb(server.pid),
      probes: probeSummary(times),
      note: `replay to ready p50 / p99 ${p50p99(summarize(o.openTimes)).trim()}; ${o.ok} of ${STREAMS} got ready`,
    };
  } finally {
    await client.close();
  }
}

async function neverReading(server: BenchServer): Promise<Variant> {
  const port = Number(new URL(server.base).port);
  const heldBefore = establishedOn(port);
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
    await sleep(HOLD_SECONDS * 1000);
    const held = establishedOn(port) - heldBefore;
    const times = probes.stop();
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
      note: `the server still held ${held} of the ${STREAMS} connections at the end`,
    };
  } finally {
    probes.stop();
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
  const fresh = async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-replay-'));
    copies.push(dataDir);
    cpSync(template, dataDir, { recursive: true });
    return startBenchServer('Replay', { env, dataDir });
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
    for (const variant of [reading, neverReading]) {
      const server = await fresh();
      try {
        rows.push(await variant(server));
      } finally {
        await server.stop();
      }
    }
    console.log(
      `  ${'variant'.padEnd(44)} ${'server RSS before → peak → end of hold → closed'.padEnd(36)}   GET status within 1 s?`,
    );
    for (const r of rows) {
      const mb = (x: number) => `${x.toFixed(0)}`.padStart(5);
      const answered =
        r.probes.n === 0
          ? 'no probe answered'
          : `${r.probes.over1s === 0 ? 'yes' : `NO (${r.probes.over1s} of ${r.probes.n} over 1 s)`}, max ${r.probes.max.toFixed(0)} ms, p50 ${r.probes.p50.toFixed(0)} ms of ${r.probes.n}`;
      console.log(
        `  ${r.name.padEnd(44)} ${mb(r.rssBefore)} → ${mb(r.rssPeak)} → ${mb(r.rssEnd)} → ${mb(r.rssClosed)} MB   ${answered}`,
      );
      console.log(`  ${''.padEnd(44)} (${r.note})`);
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
