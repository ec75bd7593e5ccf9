/**
 * A spike against the demo: 5,000 visitors arriving evenly within 10 seconds at a fresh
 * `lifeboat start --demo` (SQLite, default rate limits, each visitor from its own loopback
 * address). Each loads the status and thread snapshots and opens the stream; 10 % start a guest
 * session and press "affected me too"; 1 % also post. LIFEBOAT_CHALLENGE_LOAD is set very high so
 * the demo site's `under_load` proof of work stays off (500 new guests in 10 s would otherwise
 * get 428 `challenge_required`; solving 500 ALTCHA challenges would load the client, not the
 * server). The same visitors then run against the baselines in the same run: a Fastify
 * hello world (every snapshot and write → /hello) and the raw Node `http` SSE server (the stream).
 * Prints per-endpoint p50/p99, network errors, non-2xx and 5xx, and the servers' RSS and CPU.
 * `node --conditions=source --import tsx tests/bench/spike.ts` runs it alone.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { startBaselineSse, startHello } from './baselines.js';
import { BENCH_CHALLENGE_LOAD, startBenchServer } from './lifeboat-server.js';
import {
  cleanup,
  clockMs,
  cpuSeconds,
  listenOverflows,
  rssMb,
  sampleRss,
  sleep,
  spawnNode,
  stopChild,
  summarize,
} from './procs.js';
import type { Endpoint, EndpointStats, SpikeReport, SpikeTarget } from './spike-client.js';
import { p50p99 } from './stream-fanout.js';

const VISITORS = Number(process.env.BENCH_SPIKE_VISITORS ?? 5000);
const ARRIVAL_SECONDS = Number(process.env.BENCH_SPIKE_SECONDS ?? 10);
const WORKERS = 2;
const HOLD_MS = 3000;
const ENDPOINTS: Array<[Endpoint, string]> = [
  ['connect', 'TCP connect (new connections)'],
  ['status', 'GET status snapshot'],
  ['thread', 'GET thread snapshot'],
  ['stream', 'GET stream (first bytes)'],
  ['session', 'POST guest session (10 %)'],
  ['affected', 'PUT affected me too (10 %)'],
  ['post', 'POST answer (1 %)'],
];

interface ServerUse {
  label: string;
  rssBefore: number;
  rssPeak: number;
  rssAfter: number;
  /** Share of one core over the spike (arrivals, tail and hold). */
  cpu: number;
}

interface SpikeResult {
  endpoints: Record<Endpoint, EndpointStats>;
  servers: ServerUse[];
  streamsOpen: number;
  streamsEnded: number;
  events: number;
  /** Seconds from the first arrival until every visitor was through its steps. */
  seconds: number;
  /** Share of one core each client process used. */
  clientCpu: number[];
  /** Connections dropped machine-wide because a listen queue was full, during the run. */
  listenOverflows: number;
}

function message<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', on);
      reject(new Error(`spike client: no ${type} within ${timeoutMs} ms`));
    }, timeoutMs);
    const on = (m: { type: string }) => {
      if (m.type !== type) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m as T);
    };
    child.on('message', on);
  });
}

async function runSpike(
  target: SpikeTarget,
  processes: Array<{ label: string; pid: number }>,
): Promise<SpikeResult> {
  const workers = Array.from({ length: WORKERS }, () =>
    spawnNode('tests/bench/spike-client.ts', [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }),
  );
  try {
    await Promise.all(workers.map((w) => message(w, 'hello', 30_000)));
    const before = processes.map((p) => ({ rss: rssMb(p.pid), cpu: cpuSeconds(p.pid) }));
    const clientCpu = workers.map((w) => cpuSeconds(w.pid!));
    const overflows = listenOverflows();
    const samplers = processes.map((p) => sampleRss(p.pid));
    const t0 = clockMs() + 300;
    const done = workers.map((w) => message(w, 'done', ARRIVAL_SECONDS * 1000 + 90_000));
    workers.forEach((w, worker) =>
      w.send({
        type: 'start',
        target,
        visitors: VISITORS,
        worker,
        workers: WORKERS,
        t0,
        spacingMs: (ARRIVAL_SECONDS * 1000) / VISITORS,
      }),
    );
    await Promise.all(done);
    const seconds = (clockMs() - t0) / 1000;
    await sleep(HOLD_MS);
    const reports = await Promise.all(
      workers.map((w) => {
        const r = message<SpikeReport>(w, 'report', 30_000);
        w.send({ type: 'report' });
        return r;
      }),
    );
    const elapsed = (clockMs() - t0) / 1000;
    const clients = workers.map((w, i) => (cpuSeconds(w.pid!) - clientCpu[i]!) / elapsed);
    const servers = processes.map((p, i) => {
      const { peak, last } = samplers[i]!.stop();
      return {
        label: p.label,
        rssBefore: before[i]!.rss,
        rssPeak: peak,
        rssAfter: last,
        cpu: (cpuSeconds(p.pid) - before[i]!.cpu) / elapsed,
      };
    });
    const endpoints = Object.fromEntries(
      ENDPOINTS.map(([e]) => {
        const merged: EndpointStats = { latencies: [], errors: 0, statuses: {} };
        for (const r of reports) {
          const s = r.endpoints[e];
          merged.latencies.push(...s.latencies);
          merged.errors += s.errors;
          for (const [k, v] of Object.entries(s.statuses))
            merged.statuses[k] = (merged.statuses[k] ?? 0) + v;
        }
        return [e, merged];
      }),
    ) as Record<Endpoint, EndpointStats>;
    return {
      endpoints,
      servers,
      seconds,
      clientCpu: clients,
      listenOverflows: listenOverflows() - overflows,
      streamsOpen: reports.reduce((a, r) => a + r.streamsOpen, 0),
      streamsEnded: reports.reduce((a, r) => a + r.streamsEnded, 0),
      events: reports.reduce((a, r) => a + r.events, 0),
    };
  } finally {
    await Promise.all(workers.map((w) => stopChild(w, 3000)));
  }
}

function counts(s: EndpointStats) {
  let non2xx = 0;
  let s5xx = 0;
  const other: string[] = [];
  for (const [k, v] of Object.entries(s.statuses)) {
    const code = Number(k);
    if (!Number.isInteger(code)) continue; // network errors, counted apart
    if (code < 200 || code >= 300) {
      non2xx += v;
      other.push(`${v}×${k}`);
    }
    if (code >= 500) s5xx += v;
  }
  return { non2xx, s5xx, other };
}

function printEndpoints(lb: SpikeResult, base: SpikeResult): void {
  console.log(
    `  ${'endpoint'.padEnd(28)} ${'n'.padStart(5)}  ${'Lifeboat p50 / p99'.padEnd(18)}  err  non-2xx  5xx   ${'baseline p50 / p99'.padEnd(18)}  err  non-2xx`,
  );
  for (const [e, label] of ENDPOINTS) {
    const a = lb.endpoints[e];
    const b = base.endpoints[e];
    const ca = counts(a);
    const cb = counts(b);
    console.log(
      `  ${label.padEnd(28)} ${String(a.latencies.length + a.errors).padStart(5)}  ${p50p99(summarize(a.latencies))}  ${String(a.errors).padStart(3)}  ${String(ca.non2xx).padStart(7)}  ${String(ca.s5xx).padStart(3)}   ${p50p99(summarize(b.latencies))}  ${String(b.errors).padStart(3)}  ${String(cb.non2xx).padStart(7)}` +
        (ca.other.length ? `   (Lifeboat: ${ca.other.join(', ')})` : '') +
        (a.errors
          ? `   (errors: ${Object.keys(a.statuses)
              .filter((k) => !Number.isInteger(Number(k)))
              .join(', ')})`
          : ''),
    );
  }
}

function printServers(label: string, r: SpikeResult): void {
  for (const s of r.servers)
    console.log(
      `  ${`${label}: ${s.label}`.padEnd(44)} RSS ${s.rssBefore.toFixed(0).padStart(4)} → peak ${s.rssPeak.toFixed(0).padStart(4)} MB (end ${s.rssAfter.toFixed(0).padStart(4)} MB)   CPU ${(s.cpu * 100).toFixed(0).padStart(3)} % of a core`,
    );
  console.log(
    `  ${''.padEnd(44)} ${r.streamsOpen} streams opened, ${r.streamsEnded} ended by the server, ${r.events} events received; all visitors through in ${r.seconds.toFixed(1)} s`,
  );
  console.log(
    `  ${''.padEnd(44)} client processes CPU ${r.clientCpu.map((c) => `${(c * 100).toFixed(0)} %`).join(' + ')}; listen-queue overflows on the machine meanwhile: ${r.listenOverflows}`,
  );
}

export async function spike(): Promise<void> {
  console.log(
    `\nSpike: ${VISITORS.toLocaleString('en')} visitors within ${ARRIVAL_SECONDS} s against \`lifeboat start --demo\` (SQLite, default rate limits,` +
      ` one loopback address per visitor, LIFEBOAT_CHALLENGE_LOAD=${BENCH_CHALLENGE_LOAD} so no proof of work);` +
      ` each loads status + thread and streams, 10 % affected, 1 % post (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  const server = await startBenchServer('Spike', { env: { LIFEBOAT_RATE_LIMITS: '' } });
  let lb: SpikeResult;
  try {
    const site = `${server.base}/v1/sites/demo`;
    lb = await runSpike(
      {
        status: `${site}/status`,
        thread: `${site}/incidents/${server.incident}/thread`,
        stream: `${site}/stream`,
        session: `${site}/sessions`,
        affected: `${site}/incidents/${server.incident}/affected`,
        post: `${site}/incidents/${server.incident}/posts`,
      },
      [{ label: 'Lifeboat', pid: server.pid }],
    );
  } finally {
    await server.stop();
  }
  const hello = await startHello();
  const sse = await startBaselineSse();
  let base: SpikeResult;
  try {
    const h = `${hello.base}/hello`;
    base = await runSpike(
      { status: h, thread: h, stream: sse.streamUrl, session: h, affected: h, post: h },
      [
        { label: 'Fastify hello', pid: hello.pid },
        { label: 'raw SSE', pid: sse.pid },
      ],
    );
  } finally {
    await Promise.all([hello.stop(), sse.stop()]);
  }
  printEndpoints(lb, base);
  printServers('Lifeboat', lb);
  printServers('baseline', base);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await spike();
  } finally {
    await cleanup();
  }
}
