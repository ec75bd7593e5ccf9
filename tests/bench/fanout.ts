/**
 * SSE fan-out: N clients (1k, 5k, 10k) on one Lifeboat server process (SQLite), one post
 * broadcast; p50/p99 delivery (POST sent → the post's event parsed by each client) and server
 * memory per stream, beside a raw Node `http` SSE server measured the same way in the same run.
 * The clients run in stream-client.ts processes (stream-fanout.ts).
 * `node --conditions=source --import tsx tests/bench/fanout.ts` runs it alone.
 */
import { fileURLToPath } from 'node:url';
import { startBaselineSse } from './baselines.js';
import { startBenchServer } from './lifeboat-server.js';
import { cleanup } from './procs.js';
import { lifeboatBroadcast, measureFanout, split, type FanoutResult } from './stream-fanout.js';

const SIZES = (process.env.BENCH_FANOUT ?? '1000,5000,10000').split(',').map(Number);

function problems(r: FanoutResult): string {
  const notes: string[] = [];
  if (r.failed > 0) notes.push(`${r.failed} streams failed to open ${JSON.stringify(r.statuses)}`);
  if (r.missing > 0) notes.push(`${r.missing} streams never got the post`);
  return notes.length ? `    (${notes.join('; ')})` : '';
}

export async function fanout(): Promise<void> {
  console.log('\nSSE fan-out (one post to N open streams; delivery = POST sent → event parsed)');
  for (const n of SIZES) {
    const server = await startBenchServer('Fan-out');
    let lb: FanoutResult;
    try {
      lb = await measureFanout(
        split(`${server.base}/v1/sites/demo/stream`, server.pid, n),
        lifeboatBroadcast(server),
        { readyText: 'event: ready' },
      );
    } finally {
      await server.stop();
    }
    const baseline = await startBaselineSse();
    let raw: FanoutResult;
    try {
      raw = await measureFanout(split(baseline.streamUrl, baseline.pid, n), baseline.broadcast);
    } finally {
      await baseline.stop();
    }
    const f = (x: number) => x.toFixed(1).padStart(7);
    const lbKb = lb.memory.get(server.pid)!.kbPerStream;
    const rawKb = raw.memory.get(baseline.pid)!.kbPerStream;
    console.log(
      `  ${String(n).padStart(6)} streams  Lifeboat p50 ${f(lb.overall.p50)} ms  p99 ${f(lb.overall.p99)} ms  ${f(lbKb)} KB/stream` +
        `   raw http p50 ${f(raw.overall.p50)} ms  p99 ${f(raw.overall.p99)} ms  ${f(rawKb)} KB/stream` +
        `   ratio p99 ${(lb.overall.p99 / raw.overall.p99).toFixed(2)}  memory ${(lbKb / rawKb).toFixed(2)}`,
    );
    for (const line of [problems(lb), problems(raw)]) if (line) console.log(line);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await fanout();
  } finally {
    await cleanup();
  }
}
