/**
 * SSE fan-out: N clients (1k, 5k, 10k) on one Lifeboat server process (SQLite) and N on a raw
 * Node `http` SSE server, held at the same time; posts broadcast to each in turn for a few rounds;
 * p50/p99 delivery (POST sent → the post's event parsed by each client), the median of the
 * rounds, and server memory per stream.
 * The clients run in stream-client.ts processes (stream-fanout.ts).
 * `node --conditions=source --import tsx tests/bench/fanout.ts` runs it alone.
 */
import { fileURLToPath } from 'node:url';
import { startBaselineSse } from './baselines.js';
import { startBenchServer } from './lifeboat-server.js';
import { cleanup } from './procs.js';
import {
  lifeboatBroadcast,
  measurePairedFanout,
  split,
  type PairedSideResult,
} from './stream-fanout.js';

const SIZES = (process.env.BENCH_FANOUT ?? '1000,5000,10000').split(',').map(Number);
/** Broadcasts to each server per size (BENCH_FANOUT_ROUNDS). */
const ROUNDS = Number(process.env.BENCH_FANOUT_ROUNDS ?? 5);

function problems(r: PairedSideResult): string {
  const notes: string[] = [];
  if (r.failed > 0) notes.push(`${r.failed} streams failed to open ${JSON.stringify(r.statuses)}`);
  if (r.missing > 0) notes.push(`${r.missing} streams never got the post`);
  return notes.length ? `    (${notes.join('; ')})` : '';
}

export async function fanout(): Promise<void> {
  console.log(
    `\nSSE fan-out (one post to N open streams; delivery = POST sent → event parsed; both servers hold their streams at once, ${ROUNDS} broadcasts to each in turn; median of the rounds)`,
  );
  for (const n of SIZES) {
    const server = await startBenchServer('Fan-out');
    const baseline = await startBaselineSse();
    let lb: PairedSideResult;
    let raw: PairedSideResult;
    try {
      [lb, raw] = (await measurePairedFanout(
        [
          {
            groups: split(`${server.base}/v1/sites/demo/stream`, server.pid, n),
            broadcast: lifeboatBroadcast(server),
            readyText: 'event: ready',
          },
          {
            groups: split(baseline.streamUrl, baseline.pid, n),
            broadcast: baseline.broadcast,
            readyText: null,
          },
        ],
        ROUNDS,
      )) as [PairedSideResult, PairedSideResult];
    } finally {
      await Promise.all([server.stop(), baseline.stop()]);
    }
    const f = (x: number) => x.toFixed(1).padStart(7);
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const lbKb = lb.memory.get(server.pid)!.kbPerStream;
    const rawKb = raw.memory.get(baseline.pid)!.kbPerStream;
    const ratios = lb.rounds.map((r, i) => r.p99 / raw.rounds[i]!.p99);
    console.log(
      `  ${String(n).padStart(6)} streams  Lifeboat p50 ${f(med(lb.rounds.map((r) => r.p50)))} ms  p99 ${f(med(lb.rounds.map((r) => r.p99)))} ms  ${f(lbKb)} KB/stream` +
        `   raw http p50 ${f(med(raw.rounds.map((r) => r.p50)))} ms  p99 ${f(med(raw.rounds.map((r) => r.p99)))} ms  ${f(rawKb)} KB/stream` +
        `   ratio p99 ${med(ratios).toFixed(2)}  memory ${(lbKb / rawKb).toFixed(2)}`,
    );
    console.log(
      `           p99 by round (Lifeboat / raw): ${lb.rounds.map((r, i) => `${r.p99.toFixed(0)}/${raw.rounds[i]!.p99.toFixed(0)}`).join('  ')}`,
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
