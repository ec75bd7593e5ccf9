/**
 * Posting on PostgreSQL beside SQLite: the same load on each (autocannon, 20 connections, the
 * posts spread over 200 guest members, rate limits off), each on a fresh database and a fresh
 * server, with a hello-world Fastify POST as the floor. Prints posts/s, p50/p99 and the targets.
 * Two diagnostic rows show how much of the cost is waiting for the disk: PostgreSQL with
 * `synchronous_commit=off` and SQLite with `synchronous=normal` (no fsync per commit).
 * `node --conditions=source --import tsx tests/bench/posting.ts` runs it alone.
 */
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { ulid } from '@lifeboat/protocol';
import { startHello } from './baselines.js';
import { startBenchServer } from './lifeboat-server.js';
import { cleanup, cpuSeconds, createDatabase, dropDatabase } from './procs.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const WARM_UP_SECONDS = 2;
const CONNECTIONS = 20;
const MEMBERS = 200;

interface Row {
  name: string;
  postsPerSecond: number;
  p50: number;
  p99: number;
  errors: number;
  non2xx: number;
  serverCpu: number;
  target: { postsPerSecond: number; p99: number } | null;
}

/** One fsync of a small write in the temp directory, median of 20 (what a durable commit waits for). */
function fsyncMs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'lifeboat-bench-fsync-'));
  const fd = openSync(join(dir, 'probe'), 'w');
  const times: number[] = [];
  try {
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      writeSync(fd, 'x'.repeat(100));
      fsyncSync(fd);
      times.push(performance.now() - t0);
    }
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
  return times.sort((a, b) => a - b)[10]!;
}

async function load(url: string, tokens: string[], seconds: number, pid: number) {
  let next = 0;
  const cpu0 = cpuSeconds(pid);
  const result = await autocannon({
    url,
    method: 'POST',
    duration: seconds,
    connections: CONNECTIONS,
    requests: [
      {
        setupRequest: (req) => {
          const id = ulid();
          const token = tokens.length ? tokens[next++ % tokens.length] : undefined;
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              'idempotency-key': id,
              ...(token ? { authorization: `Bearer ${token}` } : {}),
            },
            body: JSON.stringify({ id, kind: 'answer', body: `Benchmark answer ${id}` }),
          };
        },
      },
    ],
  });
  return {
    postsPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors,
    non2xx: result.non2xx,
    serverCpu: (cpuSeconds(pid) - cpu0) / result.duration,
  };
}

async function engineRow(
  name: string,
  env: Record<string, string>,
  target: Row['target'],
): Promise<Row> {
  const server = await startBenchServer('Poster', { members: MEMBERS, env });
  try {
    const url = `${server.base}/v1/sites/demo/incidents/${server.incident}/posts`;
    await load(url, server.tokens, WARM_UP_SECONDS, server.pid);
    return { name, target, ...(await load(url, server.tokens, SECONDS, server.pid)) };
  } finally {
    await server.stop();
  }
}

export async function posting(): Promise<void> {
  console.log(
    `\nPosting: POST answer, autocannon ${CONNECTIONS} connections, ${MEMBERS} guest members, rate limits off,` +
      ` fresh database and server each, ${SECONDS} s after ${WARM_UP_SECONDS} s warm-up` +
      ` (load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`,
  );
  const rows: Row[] = [];
  const sqliteTarget = { postsPerSecond: 2000, p99: 50 };
  const pgTarget = { postsPerSecond: 1000, p99: 50 };
  rows.push(await engineRow('SQLite (default: sync full)', {}, sqliteTarget));
  for (const [name, options] of [
    ['PostgreSQL 15 (default)', ''],
    // Diagnostic: the same without waiting for the WAL flush at each commit.
    ['PostgreSQL, synchronous_commit=off', '?options=-c%20synchronous_commit%3Doff'],
  ] as const) {
    const db = await createDatabase('posting');
    try {
      rows.push(await engineRow(name, { LIFEBOAT_DATABASE_URL: db.url + options }, pgTarget));
    } finally {
      await dropDatabase(db.name);
    }
  }
  // Diagnostic: SQLite without an fsync at each commit (LIFEBOAT_SQLITE_SYNC=normal).
  rows.push(
    await engineRow('SQLite, sync normal', { LIFEBOAT_SQLITE_SYNC: 'normal' }, sqliteTarget),
  );
  const hello = await startHello();
  try {
    const url = `${hello.base}/hello`;
    await load(url, [], WARM_UP_SECONDS, hello.pid);
    rows.push({
      name: 'baseline: Fastify hello POST',
      target: null,
      ...(await load(url, [], SECONDS, hello.pid)),
    });
  } finally {
    await hello.stop();
  }
  console.log(
    `  ${'engine'.padEnd(36)} ${'posts/s'.padStart(8)} ${'p50'.padStart(7)} ${'p99'.padStart(7)}  ${'server CPU'.padStart(10)}  ${'errors'.padStart(6)}  target`,
  );
  for (const r of rows) {
    const met = r.target && r.postsPerSecond >= r.target.postsPerSecond && r.p99 <= r.target.p99;
    const target = r.target
      ? `≥ ${r.target.postsPerSecond.toLocaleString('en')} posts/s, p99 ≤ ${r.target.p99} ms: ${met ? 'met' : 'NOT met'}`
      : '(nothing stored: the floor of this machine)';
    const bad = r.errors + r.non2xx;
    console.log(
      `  ${r.name.padEnd(36)} ${r.postsPerSecond.toFixed(0).padStart(8)} ${`${r.p50} ms`.padStart(7)} ${`${r.p99} ms`.padStart(7)}  ${`${(r.serverCpu * 100).toFixed(0)} %`.padStart(10)}  ${String(bad).padStart(6)}  ${target}`,
    );
  }
  const sqlite = rows[0]!;
  const pg = rows[1]!;
  console.log(
    `  PostgreSQL / SQLite (defaults): ${(pg.postsPerSecond / sqlite.postsPerSecond).toFixed(2)}× the posts/s, ${(pg.p99 / sqlite.p99).toFixed(2)}× the p99.` +
      ` Server CPU: share of one core, the Lifeboat process only (not PostgreSQL's). fsync here ≈ ${fsyncMs().toFixed(1)} ms.`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    await posting();
  } finally {
    await cleanup();
  }
}
