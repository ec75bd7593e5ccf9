/**
 * What every benchmark section shares: child processes and temporary PostgreSQL databases that are
 * always cleaned up (at the end of a section, on a section's timeout, on Ctrl-C, on a crash),
 * process memory and CPU from /proc, percentiles, and loopback source addresses so that many
 * streams do not all come from 127.0.0.1 (the server limits open streams per client address).
 */
import {
  execFile,
  execFileSync,
  spawn,
  type ChildProcess,
  type SpawnOptions,
} from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { root } from '../e2e/harness.js';

const run = promisify(execFile);

const children = new Set<ChildProcess>();
const databases = new Set<string>();

/** Spawns a child that is killed by `cleanup()` (and when this process exits). */
export function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** `node --conditions=source --import tsx <script>` from the repository root, tracked. */
export function spawnNode(
  script: string,
  args: string[],
  options: SpawnOptions & { env?: NodeJS.ProcessEnv } = {},
): ChildProcess {
  return track(
    spawn(process.execPath, ['--conditions=source', '--import', 'tsx', script, ...args], {
      cwd: root,
      ...options,
      env: { ...process.env, ...options.env },
    }),
  );
}

/** Stops a child: SIGINT, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 6000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGINT');
  });
}

const PG = ['-h', '127.0.0.1', '-U', 'postgres'];
let dbCounter = 0;

/** A fresh, empty PostgreSQL database; dropped by `dropDatabase` or `cleanup()`. */
export async function createDatabase(label: string): Promise<{ name: string; url: string }> {
  const name = `lifeboat_bench_${label}_${process.pid}_${++dbCounter}`;
  await run('createdb', [...PG, name]);
  databases.add(name);
  return { name, url: `postgres://postgres@127.0.0.1:5432/${name}` };
}

export async function dropDatabase(name: string): Promise<void> {
  databases.delete(name);
  await run('dropdb', [...PG, '--force', '--if-exists', name]).catch((e: unknown) =>
    console.log(`    (could not drop database ${name}: ${String(e)})`),
  );
}

/**
 * Direct children of this process that are not tracked (e.g. a server started by the e2e harness
 * for the long-task section, or a browser, when that section failed half-way), by name.
 */
function strays(): Array<{ pid: number; name: string }> {
  const tracked = new Set([...children].map((c) => c.pid));
  const found: Array<{ pid: number; name: string }> = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && !tracked.has(Number(entry)))
        found.push({ pid: Number(entry), name });
    } catch {
      /* gone meanwhile */
    }
  }
  return found;
}

/**
 * Kills every tracked child and drops every temporary database. With `strays`, also the untracked
 * direct children (esbuild's service process is kept: later builds in this process reuse it).
 */
export async function cleanup({ strays: killStrays = false } = {}): Promise<void> {
  await Promise.all([...children].map((c) => stopChild(c, 3000)));
  await Promise.all([...databases].map(dropDatabase));
  if (!killStrays) return;
  const kill = (signal: NodeJS.Signals) => {
    const left = strays().filter((p) => p.name !== 'esbuild');
    for (const p of left) {
      try {
        process.kill(p.pid, signal);
      } catch {
        /* gone */
      }
    }
    return left.length;
  };
  if (kill('SIGTERM') > 0) {
    await sleep(2000);
    kill('SIGKILL');
  }
}

function cleanupSync(): void {
  for (const c of children) c.kill('SIGKILL');
  for (const p of strays()) {
    try {
      process.kill(p.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  for (const name of databases) {
    try {
      execFileSync('dropdb', [...PG, '--force', '--if-exists', name], { stdio: 'ignore' });
    } catch {
      /* best effort while exiting */
    }
  }
  databases.clear();
}

let installed = false;
/** Cleans up on exit, Ctrl-C and SIGTERM. */
export function installCleanupHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      console.log(`\n${signal}: stopping benchmark processes and dropping temporary databases…`);
      void cleanup({ strays: true }).finally(() => process.exit(130));
    });
}

export function rssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
  } catch {
    return NaN;
  }
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[11] = utime, fields[12] = stime (clock ticks; 100 per second on Linux)
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** Machine-wide count of connections dropped because a listen queue was full (TcpExt). */
export function listenOverflows(): number {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n');
    const header = lines.findIndex((l) => l.startsWith('TcpExt:'));
    const names = lines[header]!.split(' ');
    const values = lines[header + 1]!.split(' ');
    return Number(values[names.indexOf('ListenOverflows')]);
  } catch {
    return NaN;
  }
}

/** Samples a process's RSS every `everyMs`; `stop()` gives the peak and the last sample. */
export function sampleRss(pid: number, everyMs = 200): { stop(): { peak: number; last: number } } {
  let peak = rssMb(pid);
  let last = peak;
  const timer = setInterval(() => {
    last = rssMb(pid);
    if (last > peak) peak = last;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      last = rssMb(pid);
      if (last > peak) peak = last;
      return { peak, last };
    },
  };
}

/** A monotonic clock in milliseconds that is the same in every process of this machine. */
export const clockMs = () => Number(process.hrtime.bigint()) / 1e6;

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function waitForUrl(url: string, child: ChildProcess, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`process exited early for ${url}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) throw new Error(`timeout waiting for ${url}`);
    await sleep(100);
  }
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.length ? sorted[sorted.length - 1]! : NaN,
  };
}

/**
 * A loopback source address for client `i` of group `group` (0–200): 127.<group + 20>.x.y, with
 * `perAddress` clients on each, so a group holds up to 62,500 × perAddress clients. Streams from
 * one address are limited by the server (LIFEBOAT_STREAMS_PER_CLIENT, 8 by default).
 */
export function loopbackAddress(group: number, i: number, perAddress = 4): string {
  const k = Math.floor(i / perAddress);
  return `127.${group + 20}.${Math.floor(k / 250)}.${(k % 250) + 1}`;
}

/** Formats a number of milliseconds in a fixed width. */
export const ms = (x: number, width = 7) =>
  Number.isFinite(x) ? `${x.toFixed(1)} ms`.padStart(width + 3) : 'n/a'.padStart(width + 3);
