/**
 * Cross-instance delivery: one post to 2 Lifeboat instances × 5,000 open streams, both instances
 * on one PostgreSQL database (the post goes to one; the other hears it through LISTEN/NOTIFY,
 * realtime/pg-hub.ts), beside 1 instance × 10,000 streams on PostgreSQL and beside the raw Node
 * `http` SSE server at 10,000, all measured the same way in the same run: p50/p99 from POST sent
 * to the event parsed by each client, and server memory per open stream (RSS delta / streams).
 * Clients run in 2 stream-client.ts processes of 5,000 sockets each (`ulimit -n` is 20000).
 * `node --conditions=source --import tsx tests/bench/cluster.ts` runs it alone.
 */
import crypto from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startBaselineSse } from './baselines.js';
import { startBenchServer, type BenchServer } from './lifeboat-server.js';
import { cleanup, createDatabase, dropDatabase } from './procs.js';
import {
  lifeboatBroadcast,
  measureFanout,
  p50p99,
  split,
  type FanoutResult,
  type StreamGroup,
} from './stream-fanout.js';

const STREAMS = Number(process.env.BENCH_CLUSTER_STREAMS ?? 10_000);
const TARGET_P99 = 300;

function line(name: string, streams: number | string, s: FanoutResult['overall'], extra: string) {
  console.log(
    `  ${name.padEnd(48)} ${String(streams).padStart(6)}   ${p50p99(s)}   ${`${s.max.toFixed(0)} ms`.padStart(7)}   ${extra}`,
  );
}

function notes(r: FanoutResult): void {
  const parts: string[] = [`opened in ${r.openSeconds.toFixed(1)} s`];
  if (r.failed > 0) parts.push(`${r.failed} failed to open ${JSON.stringify(r.statuses)}`);
  if (r.missing > 0) parts.push(`${r.missing} never got the post`);
  console.log(`  ${''.padEnd(48)}          (${parts.join('; ')})`);
}

const verdict = (p99: number) =>
  `target p99 ≤ ${TARGET_P99} ms: ${p99 <= TARGET_P99 ? 'met' : 'NOT met'}`;

export async function cluster(): Promise<void> {
  const half = Math.floor(STREAMS / 2);
  console.log(
    `\nCross-instance delivery: one post, POST sent → event parsed by each client; streams held by 2 client` +
      ` processes (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  console.log(
    `  ${'setup'.padEnd(48)} ${'streams'.padStart(6)}   ${'p50 / p99'.padEnd(18)}   ${'max'.padStart(7)}   memory per open stream`,
  );

  const raw = await startBaselineSse();
  try {
    const r = await measureFanout(split(raw.streamUrl, raw.pid, STREAMS, half), raw.broadcast);
    const kb = r.memory.get(raw.pid)!.kbPerStream;
    line('baseline: raw Node http SSE, 1 process', r.opened, r.overall, `${kb.toFixed(1)} KB`);
    notes(r);
  } finally {
    await raw.stop();
  }

  const secret = crypto.randomBytes(24).toString('hex');
  const db = await createDatabase('cluster');
  const servers: BenchServer[] = [];
  const start = async () => {
    const s = await startBenchServer('Cluster', {
      env: { LIFEBOAT_DATABASE_URL: db.url, LIFEBOAT_SECRET: secret },
    });
    servers.push(s);
    return s;
  };
  try {
    const one = await start();
    const single = await measureFanout(
      split(`${one.base}/v1/sites/demo/stream`, one.pid, STREAMS, half),
      lifeboatBroadcast(one),
      { readyText: 'event: ready' },
    );
    const kb = single.memory.get(one.pid)!.kbPerStream;
    line(
      'Lifeboat, 1 instance (PostgreSQL)',
      single.opened,
      single.overall,
      `${kb.toFixed(1)} KB   ${verdict(single.overall.p99)}`,
    );
    notes(single);
    await one.stop();

    // Two fresh instances on the same database; the post goes to `a`, `b` hears it via NOTIFY.
    const a = await start();
    const b = await start();
    const groups: StreamGroup[] = [
      { url: `${a.base}/v1/sites/demo/stream`, pid: a.pid, n: half },
      { url: `${b.base}/v1/sites/demo/stream`, pid: b.pid, n: STREAMS - half },
    ];
    const two = await measureFanout(groups, lifeboatBroadcast(a), { readyText: 'event: ready' });
    const kbA = two.memory.get(a.pid)!.kbPerStream;
    const kbB = two.memory.get(b.pid)!.kbPerStream;
    line(
      `Lifeboat, 2 instances × ${half.toLocaleString('en')} (one PostgreSQL)`,
      two.opened,
      two.overall,
      `${kbA.toFixed(1)} KB / ${kbB.toFixed(1)} KB   ${verdict(two.overall.p99)}`,
    );
    line(
      '    streams on the posting instance',
      groups[0]!.n,
      two.groups[0]!,
      `${kbA.toFixed(1)} KB`,
    );
    line(
      '    streams on the other (LISTEN/NOTIFY)',
      groups[1]!.n,
      two.groups[1]!,
      `${kbB.toFixed(1)} KB`,
    );
    notes(two);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await dropDatabase(db.name);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await cluster();
  } finally {
    await cleanup();
  }
}
