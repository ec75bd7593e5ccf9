/**
 * `pnpm bench`: sizes, server throughput beside a hello-world Fastify route measured in the same
 * run, and server memory idle and with 1,000 open streams. Prints numbers; asserts nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import autocannon from 'autocannon';
import { ulid } from '@lifeboat/protocol';
import { sizes } from './sizes.js';
import { fanout } from './fanout.js';
import { threadRender } from './thread-render.js';
import { bannerLongTasks } from './banner-longtasks.js';
import { freePort, root } from '../e2e/harness.js';
import { startBenchServer } from './lifeboat-server.js';

const DURATION = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;

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

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function cannon(opts: autocannon.Options): Promise<number> {
  const result = await autocannon({ duration: DURATION, connections: CONNECTIONS, ...opts });
  if (result.non2xx > 0 || result.errors > 0) {
    console.log(`    (warning: ${result.non2xx} non-2xx, ${result.errors} errors)`);
  }
  return result.requests.average;
}

async function main(): Promise<void> {
  console.log('Sizes (minified, every dependency bundled)');
  await sizes();

  const helloPort = await freePort();
  const server = await startBenchServer('Bench');
  const { base, incident } = server;
  const session = { token: server.token };
  const hello = spawn(process.execPath, ['--import', 'tsx', 'tests/bench/hello-server.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(helloPort) },
    stdio: 'inherit',
  });
  try {
    await waitFor(`http://127.0.0.1:${helloPort}/hello`, hello);
    await new Promise((r) => setTimeout(r, 1000));
    const idle = rssMb(server.pid);

    console.log('\nMemory (server RSS)');
    const streams: http.ClientRequest[] = [];
    const agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    let opened = 0;
    await new Promise<void>((resolve, reject) => {
      for (let i = 0; i < 1000; i++) {
        const req = http.get(`${base}/v1/sites/demo/stream`, { agent }, (res) => {
          res.once('data', () => {
            if (++opened === 1000) resolve();
          });
        });
        req.on('error', reject);
        streams.push(req);
      }
    });
    await new Promise((r) => setTimeout(r, 1000));
    const withStreams = rssMb(server.pid);
    console.log(`  idle (after start)                 ${idle.toFixed(1)} MB`);
    console.log(
      `  with 1,000 open streams            ${withStreams.toFixed(1)} MB  (${(((withStreams - idle) * 1024) / 1000).toFixed(1)} KB per stream)`,
    );
    for (const s of streams) s.destroy();
    agent.destroy();
    console.log(
      `\nThroughput (autocannon, ${CONNECTIONS} connections, ${DURATION} s each, requests/second)`,
    );
    const helloGet = await cannon({ url: `http://127.0.0.1:${helloPort}/hello` });
    const snapshot = await cannon({
      url: `${base}/v1/sites/demo/incidents/${incident}/thread?limit=50`,
    });
    const helloPost = await cannon({
      url: `http://127.0.0.1:${helloPort}/hello`,
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
    row('GET thread snapshot (50 posts)', snapshot, helloGet);
    row('POST answer (idempotent, SQLite)', posting, helloPost);
  } finally {
    hello.kill('SIGINT');
    await server.stop();
  }
}

await main();
await threadRender();
await fanout();
await bannerLongTasks();
