/**
 * The real server for benchmarks: `lifeboat start --demo` (SQLite in a fresh data directory, or
 * PostgreSQL with `databaseUrl`), rate limits off unless told otherwise, the guest-session proof of
 * work effectively off (LIFEBOAT_CHALLENGE_LOAD very high, so many guests can sign up quickly),
 * plus guest sessions to write with. The process is tracked (procs.ts), so it never outlives the
 * benchmark.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnNode, stopChild } from './procs.js';

export interface BenchServer {
  /** http://127.0.0.1:PORT (an IPv4 address, so clients can pick their loopback source address). */
  base: string;
  pid: number;
  /** The demo site's open incident, URL-encoded. */
  incident: string;
  /** The demo site's event sequence when the server was ready. */
  lastEventId: number;
  /** A guest session token (the first of `tokens`). */
  token: string;
  /** `members` guest session tokens, one member each. */
  tokens: string[];
  stop(): Promise<void>;
}

/** Guest sessions per minute from which the demo site asks for proof of work, in benchmarks. */
export const BENCH_CHALLENGE_LOAD = '1000000';

export interface BenchServerOptions {
  /** Extra environment (e.g. LIFEBOAT_DATABASE_URL, LIFEBOAT_SECRET, LIFEBOAT_RATE_LIMITS). */
  env?: Record<string, string>;
  /** Guest sessions to create (default 1). */
  members?: number;
  /** A data directory the caller owns (kept on stop); default: a fresh one, removed on stop. */
  dataDir?: string;
}

export async function startBenchServer(
  displayName: string,
  options: BenchServerOptions = {},
): Promise<BenchServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'lifeboat-bench-'));
  const child = spawnNode('packages/server/src/cli/main.ts', ['start', '--demo', '--port', '0'], {
    env: {
      LIFEBOAT_DATA_DIR: dataDir,
      LIFEBOAT_LOG_LEVEL: 'error',
      LIFEBOAT_RATE_LIMITS: 'off',
      LIFEBOAT_CHALLENGE_LOAD: BENCH_CHALLENGE_LOAD,
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const stop = async () => {
    await stopChild(child);
    if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 60_000;
    let port: string | undefined;
    while (!(port = /running at http:\/\/[^:\s]+:(\d+)/.exec(output)?.[1])) {
      if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
      if (Date.now() > deadline) throw new Error(`server did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const base = `http://127.0.0.1:${port}`;
    const status = (await (await fetch(`${base}/v1/sites/demo/status`)).json()) as {
      lastEventId: number;
      incidents: Array<{ id: string }>;
    };
    const tokens: string[] = [];
    const members = options.members ?? 1;
    for (let i = 0; i < members; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, members - i) }, async (_, j) => {
          const res = await fetch(`${base}/v1/sites/demo/sessions`, {
            method: 'POST',
            // Each guest a visitor of its own: its own browser (User-Agent), so the guests do not
            // share one fingerprint (a ban, flags and confirmations count per browser).
            headers: {
              'content-type': 'application/json',
              'user-agent': `Lifeboat bench visitor ${i + j + 1}`,
            },
            body: JSON.stringify({ displayName: `${displayName} ${i + j + 1}` }),
          });
          if (res.status !== 201)
            throw new Error(`guest session: ${res.status} ${await res.text()}`);
          return ((await res.json()) as { token: string }).token;
        }),
      );
      tokens.push(...batch);
    }
    return {
      base,
      pid: child.pid!,
      incident: encodeURIComponent(status.incidents[0]!.id),
      lastEventId: status.lastEventId,
      token: tokens[0]!,
      tokens,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
