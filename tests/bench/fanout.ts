/**
 * SSE fan-out: N clients (1k, 5k, 10k) on one Lifeboat server process, one post broadcast;
 * p50/p99 delivery (POST sent → the post's event parsed by each client) and server memory per
 * stream, beside a raw Node `http` SSE server measured the same way in the same run.
 * `node --import tsx tests/bench/fanout.ts` runs it alone; `pnpm bench` calls `fanout()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { ulid } from '@lifeboat/protocol';
import { freePort, root } from '../e2e/harness.js';
import { startBenchServer } from './lifeboat-server.js';

const SIZES = (process.env.BENCH_FANOUT ?? '1000,5000,10000').split(',').map(Number);
const BATCH = 400;

interface Target {
  name: string;
  pid: number;
  streamUrl: string;
  /** Sends one post whose event carries `marker`. */
  broadcast(marker: string): Promise<void>;
}

interface Measure {
  p50: number;
  p99: number;
  max: number;
  kbPerStream: number;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited early for ${url}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${url}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** Opens `n` streams, broadcasts once, and times delivery to each. */
async function measure(target: Target, n: number): Promise<Measure> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
  const requests: http.ClientRequest[] = [];
  let marker: string | null = null;
  let t0 = 0;
  const latencies: number[] = [];
  let onAll: () => void = () => {};
  const all = new Promise<void>((r) => (onAll = r));
  const open = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const req = http.get(target.streamUrl, { agent }, (res) => {
        res.setEncoding('utf8');
        let buffer = '';
        let done = false;
        res.once('data', () => resolve());
        res.on('data', (chunk: string) => {
          if (done) return;
          buffer += chunk;
          let idx: number;
          while ((idx = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, idx);
            buffer = buffer.slice(idx + 2);
            if (marker && frame.includes('event: post.created') && frame.includes(marker)) {
              const data = frame.slice(frame.indexOf('data: ') + 6);
              JSON.parse(data); // parse as a client would
              latencies.push(performance.now() - t0);
              done = true;
              if (latencies.length === n) onAll();
            }
          }
        });
      });
      req.on('error', reject);
      requests.push(req);
    });
  await target.broadcast('warm-up'); // first-request costs out of the measurement
  await new Promise((r) => setTimeout(r, 300));
  const idle = rssMb(target.pid);
  for (let i = 0; i < n; i += BATCH)
    await Promise.all(Array.from({ length: Math.min(BATCH, n - i) }, open));
  await new Promise((r) => setTimeout(r, 1000));
  const held = rssMb(target.pid);
  const mark = `fanout-${ulid()}`;
  marker = mark;
  t0 = performance.now();
  void target
    .broadcast(mark)
    .catch((e: unknown) => console.log(`    broadcast failed: ${String(e)}`));
  await Promise.race([all, new Promise((r) => setTimeout(r, 60_000))]);
  for (const r of requests) r.destroy();
  agent.destroy();
  await new Promise((r) => setTimeout(r, 500));
  if (latencies.length < n) console.log(`    (only ${latencies.length} of ${n} received the post)`);
  const sorted = latencies.sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    kbPerStream: ((held - idle) * 1024) / n,
  };
}

async function lifeboatTarget(): Promise<{ target: Target; stop(): Promise<void> }> {
  const server = await startBenchServer('Fan-out');
  const { base, incident } = server;
  const session = { token: server.token };
  return {
    target: {
      name: 'Lifeboat (Fastify, SQLite, hub)',
      pid: server.pid,
      streamUrl: `${base}/v1/sites/demo/stream`,
      async broadcast(marker) {
        const id = ulid();
        const res = await fetch(`${base}/v1/sites/demo/incidents/${incident}/posts`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            authorization: `Bearer ${session.token}`,
            'idempotency-key': id,
          },
          body: JSON.stringify({ id, kind: 'answer', body: `Broadcast ${marker}` }),
        });
        if (res.status !== 201) throw new Error(`post: ${res.status}`);
      },
    },
    stop: server.stop,
  };
}

async function baselineTarget(): Promise<{ target: Target; stop(): Promise<void> }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/sse-baseline-server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(port) },
    stdio: 'inherit',
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/healthz`, child);
  return {
    target: {
      name: 'raw Node http SSE',
      pid: child.pid!,
      streamUrl: `${base}/stream`,
      async broadcast(marker) {
        await fetch(`${base}/broadcast`, { method: 'POST', body: JSON.stringify({ marker }) });
      },
    },
    async stop() {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function fanout(): Promise<void> {
  console.log('\nSSE fan-out (one post to N open streams; delivery = POST sent → event parsed)');
  for (const n of SIZES) {
    const rows: Array<[string, Measure]> = [];
    for (const make of [lifeboatTarget, baselineTarget]) {
      const { target, stop } = await make();
      try {
        const m = await measure(target, n);
        rows.push([target.name, m]);
      } finally {
        await stop();
      }
    }
    const [[, lb], [, raw]] = rows as [[string, Measure], [string, Measure]];
    const f = (x: number) => x.toFixed(1).padStart(7);
    console.log(
      `  ${String(n).padStart(6)} streams  Lifeboat p50 ${f(lb.p50)} ms  p99 ${f(lb.p99)} ms  ${f(lb.kbPerStream)} KB/stream` +
        `   raw http p50 ${f(raw.p50)} ms  p99 ${f(raw.p99)} ms  ${f(raw.kbPerStream)} KB/stream` +
        `   ratio p99 ${(lb.p99 / raw.p99).toFixed(2)}  memory ${(lb.kbPerStream / raw.kbPerStream).toFixed(2)}`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await fanout();
