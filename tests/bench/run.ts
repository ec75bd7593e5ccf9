/**
 * `pnpm bench`: prints numbers, each beside a baseline measured in the same run; asserts nothing.
 * Sections (all by default; `BENCH_ONLY=pg,cluster,spike,replay pnpm bench` picks some):
 *   sizes       gzip sizes of the script tag and package entries
 *   throughput  server memory idle / 1,000 streams, snapshot and posting req/s beside hello world
 *   render      thread rendering in Chromium (thread-render.ts)
 *   fanout      one post to 1k/5k/10k streams on one instance beside raw Node SSE (fanout.ts)
 *   longtasks   main-thread long tasks and layout shift of the demo page (banner-longtasks.ts)
 *   pg          posts/s and p50/p99 on PostgreSQL beside SQLite (posting.ts)
 *   cluster     2 instances × 5,000 streams on one PostgreSQL beside 1 × 10,000 and raw SSE (cluster.ts)
 *   spike       5,000 visitors in 10 s against the demo beside hello world + raw SSE (spike.ts)
 *   replay      300 never-reading resumes after 3,000 posts (replay.ts)
 *   text        html→text and risky-advice patterns on adversarial input beside benign (text-handling.ts)
 * Each section is bounded (BENCH_SECTION_TIMEOUT seconds; default 300, longtasks 720) and prints how long it
 * took; every child process and temporary database is cleaned up after each section, on a
 * timeout, on Ctrl-C and on a crash. Exit code 1 when a section failed.
 */
import http from 'node:http';
import os from 'node:os';
import autocannon from 'autocannon';
import { ulid } from '@lifeboat/protocol';
import { sizes } from './sizes.js';
import { fanout } from './fanout.js';
import { threadRender } from './thread-render.js';
import { bannerLongTasks } from './banner-longtasks.js';
import { posting } from './posting.js';
import { cluster } from './cluster.js';
import { spike } from './spike.js';
import { replay } from './replay.js';
import { textHandling } from './text-handling.js';
import { startHello } from './baselines.js';
import { startBenchServer } from './lifeboat-server.js';
import {
  cleanup,
  cpuSeconds,
  installCleanupHandlers,
  loopbackAddress,
  rssMb,
  sleep,
} from './procs.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
/** Interleaved rounds of the cached-read comparison (BENCH_READ_ROUNDS). */
const READ_ROUNDS = Number(process.env.BENCH_READ_ROUNDS ?? 3);
/** Seconds a section may take (BENCH_SECTION_TIMEOUT overrides them all). */
const SECTION_TIMEOUT: Record<string, number> = { longtasks: 720 };
const timeoutOf = (name: string) =>
  Number(process.env.BENCH_SECTION_TIMEOUT ?? SECTION_TIMEOUT[name] ?? 300);

async function cannon(opts: autocannon.Options): Promise<number> {
  const result = await autocannon({ duration: DURATION, connections: CONNECTIONS, ...opts });
  if (result.non2xx > 0 || result.errors > 0) {
    console.log(`    (warning: ${result.non2xx} non-2xx, ${result.errors} errors)`);
  }
  return result.requests.average;
}

async function throughput(): Promise<void> {
  const server = await startBenchServer('Bench');
  const hello = await startHello();
  const { base, incident } = server;
  const session = { token: server.token };
  try {
    await sleep(1000);
    const idle = rssMb(server.pid);

    console.log('\nMemory (server RSS)');
    const streams: http.ClientRequest[] = [];
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    let opened = 0;
    await new Promise<void>((resolve, reject) => {
      for (let i = 0; i < 1000; i++) {
        // 4 streams per loopback address: the server limits open streams per client address.
        const req = http.get(
          `${base}/v1/sites/demo/stream`,
          { agent, localAddress: loopbackAddress(0, i) },
          (res) => {
            if (res.statusCode !== 200) reject(new Error(`stream: ${res.statusCode}`));
            res.once('data', () => {
              if (++opened === 1000) resolve();
            });
          },
        );
        req.on('error', reject);
        streams.push(req);
      }
    });
    await sleep(1000);
    const withStreams = rssMb(server.pid);
    console.log(`  idle (after start)                 ${idle.toFixed(1)} MB`);
    console.log(
      `  with 1,000 open streams            ${withStreams.toFixed(1)} MB  (${(((withStreams - idle) * 1024) / 1000).toFixed(1)} KB per stream)`,
    );
    for (const s of streams) s.destroy();
    agent.destroy();
    console.log(
      `\nCached reads (autocannon, ${CONNECTIONS} connections, ${READ_ROUNDS} interleaved rounds of ${DURATION} s; median, with each round's figure)`,
    );
    // Rounds alternate hello world and the snapshots, so a change in the machine's load (other
    // processes on the same cores) weighs on both alike; the median of the rounds is reported.
    // Server CPU per request is the server process's CPU time over the requests it answered:
    // what the answer costs the server, whatever the load generator (on the same cores) costs.
    const reads: Array<[string, string, number]> = [
      ['hello-world GET', `${hello.base}/hello`, hello.pid],
      ['GET status snapshot', `${base}/v1/sites/demo/status`, server.pid],
      [
        'GET thread snapshot (first page)',
        `${base}/v1/sites/demo/incidents/${incident}/thread?limit=50`,
        server.pid,
      ],
    ];
    const rounds = new Map<string, Array<{ rps: number; cpuUs: number }>>();
    for (const [name, url] of reads) {
      await fetch(url); // the first answer goes through the router and is remembered
      rounds.set(name, []);
    }
    for (let r = 0; r < READ_ROUNDS; r++) {
      for (const [name, url, pid] of reads) {
        const cpu0 = cpuSeconds(pid);
        const result = await autocannon({ url, duration: DURATION, connections: CONNECTIONS });
        const cpuUs = ((cpuSeconds(pid) - cpu0) * 1e6) / Math.max(1, result.requests.total);
        if (result.non2xx > 0 || result.errors > 0)
          console.log(`    (warning: ${name}: ${result.non2xx} non-2xx, ${result.errors} errors)`);
        rounds.get(name)!.push({ rps: result.requests.average, cpuUs });
      }
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const helloRounds = rounds.get('hello-world GET')!;
    const helloRps = median(helloRounds.map((x) => x.rps));
    const helloCpu = median(helloRounds.map((x) => x.cpuUs));
    for (const [name] of reads) {
      const rs = rounds.get(name)!;
      const rps = median(rs.map((x) => x.rps));
      const cpu = median(rs.map((x) => x.cpuUs));
      // Per round, beside the hello world of the same round.
      const ratios = rs.map((x, i) => (x.rps / helloRounds[i]!.rps).toFixed(2)).join(' ');
      console.log(
        `  ${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s  ratio ${(rps / helloRps).toFixed(2)} (rounds ${ratios})   server CPU ${cpu.toFixed(1).padStart(5)} µs/req  ratio ${(cpu / helloCpu).toFixed(2)}`,
      );
    }

    console.log(
      `\nWrites (autocannon, ${CONNECTIONS} connections, ${DURATION} s each, requests/second)`,
    );
    const helloPost = await cannon({
      url: `${hello.base}/hello`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'answer', body: 'hello' }),
    });
    const posting = await cannon({
      url: `${base}/v1/sites/demo/incidents/${incident}/posts`,
      method: 'POST',
      requests: [
        {
          setupRequest: (req) => {
            const id = ulid();
            return {
              ...req,
              headers: {
                'content-type': 'application/json',
                authorization: `Bearer ${session.token}`,
                'idempotency-key': id,
              },
              body: JSON.stringify({ id, kind: 'answer', body: `Benchmark answer ${id}` }),
            };
          },
        },
      ],
    });
    const row = (name: string, rps: number, baseline: number) =>
      console.log(
        `  ${name.padEnd(34)} ${rps.toFixed(0).padStart(7)} req/s   hello-world ${baseline.toFixed(0).padStart(7)} req/s   ratio ${(rps / baseline).toFixed(2)}`,
      );
    row('POST answer (one member, SQLite)', posting, helloPost);
  } finally {
    await Promise.all([hello.stop(), server.stop()]);
  }
}

async function sizesSection(): Promise<void> {
  console.log('Sizes (minified, every dependency bundled)');
  await sizes();
}

const SECTIONS: Array<[string, () => Promise<void>]> = [
  ['sizes', sizesSection],
  ['throughput', throughput],
  ['render', threadRender],
  ['fanout', fanout],
  ['longtasks', bannerLongTasks],
  ['pg', posting],
  ['cluster', cluster],
  ['spike', spike],
  ['replay', replay],
  ['text', textHandling],
];

async function main(): Promise<number> {
  installCleanupHandlers();
  const names = SECTIONS.map(([name]) => name);
  const only = (process.env.BENCH_ONLY ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !names.includes(s));
  if (unknown.length) {
    console.error(
      `BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; known: ${names.join(', ')}`,
    );
    return 2;
  }
  const chosen = SECTIONS.filter(([name]) => only.length === 0 || only.includes(name));
  console.log(
    `Benchmarks: ${chosen.map(([n]) => n).join(', ')} on ${os.cpus().length} cores` +
      ` (${os.cpus()[0]?.model.trim()}), Node ${process.version}, ${new Date().toISOString()}` +
      ` — load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}\n`,
  );
  const started = Date.now();
  const timings: Array<[string, number, string]> = [];
  for (const [name, section] of chosen) {
    const t0 = Date.now();
    let outcome = 'ok';
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        section(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`timed out after ${timeoutOf(name)} s`)),
            timeoutOf(name) * 1000,
          );
        }),
      ]);
    } catch (err) {
      outcome = `FAILED: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
      console.log(`\n  [${name}] ${outcome}`);
      if (err instanceof Error && err.stack)
        console.log(err.stack.split('\n').slice(1, 4).join('\n'));
    } finally {
      clearTimeout(timer);
      // Whatever the section left running: nothing, unless it failed or timed out.
      await cleanup({ strays: outcome !== 'ok' });
    }
    const seconds = (Date.now() - t0) / 1000;
    timings.push([name, seconds, outcome]);
    console.log(
      `  [${name}: ${seconds.toFixed(0)} s, load average now ${os.loadavg()[0]!.toFixed(1)}]`,
    );
  }
  console.log(
    `\nSections: ${timings.map(([n, s, o]) => `${n} ${s.toFixed(0)} s${o === 'ok' ? '' : ` (${o})`}`).join(', ')}`,
  );
  console.log(`Total: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return timings.some(([, , o]) => o !== 'ok') ? 1 : 0;
}

process.exitCode = await main();
await cleanup();
