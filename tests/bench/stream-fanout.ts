/**
 * One broadcast to many open SSE streams, timed from "POST sent" to "event parsed" in each client.
 * The clients live in stream-client.ts processes (one per group, each at most a few thousand
 * sockets, well under `ulimit -n`); the servers are whatever `groups` point at, so the same
 * measurement serves one Lifeboat instance, several instances on one PostgreSQL database, and the
 * raw Node `http` SSE baseline (sse-baseline-server.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { ulid } from '@lifeboat/protocol';
import type { BenchServer } from './lifeboat-server.js';
import { clockMs, rssMb, sleep, spawnNode, stopChild, summarize, type Summary } from './procs.js';

export interface StreamGroup {
  /** The stream URL this group's client process opens. */
  url: string;
  /** Streams in this group. */
  n: number;
  /** The server process the group streams from (its RSS is measured). */
  pid: number;
}

export interface FanoutResult {
  overall: Summary;
  /** Per group, in the order given. */
  groups: Summary[];
  /** Per server pid: RSS before the streams, with them, and KB per open stream. */
  memory: Map<number, { before: number; held: number; streams: number; kbPerStream: number }>;
  opened: number;
  failed: number;
  /** Failed opens by status code or error code. */
  statuses: Record<string, number>;
  openSeconds: number;
  missing: number;
}

export type WorkerMessage =
  | { type: 'hello' | 'armed' }
  | {
      type: 'opened';
      ok: number;
      failed: number;
      statuses: Record<string, number>;
      /** Per stream: ms from request to open (to `readyText` when given). */
      openTimes: number[];
      ms: number;
    }
  | { type: 'delivered'; times: number[]; missing: number };

export class StreamClient {
  readonly child: ChildProcess;
  private waiting = new Map<string, (m: WorkerMessage) => void>();
  constructor() {
    this.child = spawnNode('tests/bench/stream-client.ts', [], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (m: WorkerMessage) => {
      const resolve = this.waiting.get(m.type);
      this.waiting.delete(m.type);
      resolve?.(m);
    });
  }
  next<T extends WorkerMessage['type']>(type: T, timeoutMs: number) {
    return new Promise<Extract<WorkerMessage, { type: T }>>((resolve, reject) => {
      const exited = () => {
        clearTimeout(timer);
        reject(new Error(`stream client exited before ${type}`));
      };
      const timer = setTimeout(() => {
        this.child.removeListener('exit', exited);
        reject(new Error(`stream client: no ${type}`));
      }, timeoutMs);
      this.child.once('exit', exited);
      this.waiting.set(type, (m) => {
        clearTimeout(timer);
        this.child.removeListener('exit', exited);
        resolve(m as Extract<WorkerMessage, { type: T }>);
      });
    });
  }
  send(m: object) {
    this.child.send(m);
  }
  async close() {
    if (this.child.connected) this.send({ type: 'close' });
    await stopChild(this.child, 3000);
  }
}

/**
 * Opens every group's streams, broadcasts once (after a warm-up broadcast before the streams, so
 * first-request costs stay out), and collects the delivery times (at most `waitMs` for them):
 * one side, one round of `measurePairedFanout`.
 */
export async function measureFanout(
  groups: StreamGroup[],
  broadcast: (marker: string) => Promise<void>,
  { readyText = null as string | null, waitMs = 30_000 } = {},
): Promise<FanoutResult> {
  const [side] = await measurePairedFanout([{ groups, broadcast, readyText }], 1, {
    waitMs,
    pauseMs: 0,
  });
  const { rounds, groupRounds, ...rest } = side!;
  return { ...rest, overall: rounds[0]!, groups: groupRounds[0]! };
}

/** One server of a paired fan-out: its streams and how a post reaches them. */
export interface FanoutSide {
  groups: StreamGroup[];
  broadcast: (marker: string) => Promise<void>;
  /** Text a stream must show before it counts as open (e.g. `event: ready`); null: any byte. */
  readyText: string | null;
}

export interface PairedSideResult {
  /** Delivery per round (POST sent → event parsed, every stream of the side). */
  rounds: Summary[];
  /** The same per round and group, in the order given. */
  groupRounds: Summary[][];
  /** Seconds until every stream of every side was open. */
  openSeconds: number;
  memory: FanoutResult['memory'];
  opened: number;
  failed: number;
  statuses: Record<string, number>;
  missing: number;
}

/**
 * Several servers measured side by side: every side's streams are opened and held at once, then
 * `rounds` broadcasts go to each side in turn (the order alternating each round), so a change in
 * the machine's load during the run weighs on every side alike. Each round of each side is a
 * summary of its own; compare a side's round with the other side's round beside it.
 */
export async function measurePairedFanout(
  sides: FanoutSide[],
  rounds: number,
  { waitMs = 30_000, pauseMs = 1000 } = {},
): Promise<PairedSideResult[]> {
  const workers = sides.map((side) => side.groups.map(() => new StreamClient()));
  const all = workers.flat();
  try {
    await Promise.all(all.map((w) => w.next('hello', 30_000)));
    for (const side of sides) await side.broadcast(`warm-up-${ulid()}`);
    await sleep(300);
    const pids = [...new Set(sides.flatMap((side) => side.groups.map((g) => g.pid)))];
    const before = new Map(pids.map((pid) => [pid, rssMb(pid)]));
    // Source addresses: a group number of its own for each client process, across the sides.
    let group = 0;
    const t0 = clockMs();
    const opened = await Promise.all(
      sides.map((side, s) =>
        Promise.all(
          workers[s]!.map((w, i) => {
            const answer = w.next('opened', 180_000);
            const g = side.groups[i]!;
            w.send({ type: 'open', url: g.url, n: g.n, group: group++, readyText: side.readyText });
            return answer;
          }),
        ),
      ),
    );
    const openSeconds = (clockMs() - t0) / 1000;
    await sleep(1000);
    const results: PairedSideResult[] = sides.map((side, s) => {
      const memory: FanoutResult['memory'] = new Map();
      for (const pid of new Set(side.groups.map((g) => g.pid))) {
        const streams = side.groups
          .map((g, i) => (g.pid === pid ? opened[s]![i]!.ok : 0))
          .reduce((a, b) => a + b, 0);
        const held = rssMb(pid);
        memory.set(pid, {
          before: before.get(pid)!,
          held,
          streams,
          kbPerStream: ((held - before.get(pid)!) * 1024) / Math.max(1, streams),
        });
      }
      const statuses: Record<string, number> = {};
      for (const o of opened[s]!)
        for (const [k, v] of Object.entries(o.statuses))
          if (k !== '200') statuses[k] = (statuses[k] ?? 0) + v;
      return {
        rounds: [],
        groupRounds: [],
        openSeconds,
        memory,
        opened: opened[s]!.reduce((a, o) => a + o.ok, 0),
        failed: opened[s]!.reduce((a, o) => a + o.failed, 0),
        statuses,
        missing: 0,
      };
    });
    for (let r = 0; r < rounds; r++) {
      const order = sides.map((_, s) => s);
      if (r % 2 === 1) order.reverse();
      for (const s of order) {
        const side = workers[s]!;
        const marker = `fanout-${ulid()}`;
        await Promise.all(
          side.map((w) => {
            const armed = w.next('armed', 10_000);
            w.send({ type: 'arm', marker });
            return armed;
          }),
        );
        const deliveries = side.map((w) => w.next('delivered', waitMs + 10_000));
        const sent = clockMs();
        void sides[s]!.broadcast(marker).catch((e: unknown) =>
          console.log(`    broadcast failed: ${String(e)}`),
        );
        const timer = setTimeout(() => side.forEach((w) => w.send({ type: 'collect' })), waitMs);
        const delivered = await Promise.all(deliveries);
        clearTimeout(timer);
        const perGroup = delivered.map((d) => d.times.map((t) => t - sent));
        results[s]!.rounds.push(summarize(perGroup.flat()));
        results[s]!.groupRounds.push(perGroup.map(summarize));
        results[s]!.missing += delivered.reduce((a, d) => a + d.missing, 0);
        if (pauseMs > 0) await sleep(pauseMs);
      }
    }
    return results;
  } finally {
    await Promise.all(all.map((w) => w.close()));
  }
}

/** Splits `n` streams into groups of at most `perClient` for one server URL. */
export function split(url: string, pid: number, n: number, perClient = 5000): StreamGroup[] {
  const count = Math.max(1, Math.ceil(n / perClient));
  return Array.from({ length: count }, (_, i) => ({
    url,
    pid,
    n: Math.floor(n / count) + (i < n % count ? 1 : 0),
  }));
}

/** Posts one answer whose text carries `marker` (what each stream waits for). */
export function lifeboatBroadcast(server: BenchServer) {
  return async (marker: string) => {
    const id = ulid();
    const res = await fetch(`${server.base}/v1/sites/demo/incidents/${server.incident}/posts`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${server.token}`,
        'idempotency-key': id,
      },
      body: JSON.stringify({ id, kind: 'answer', body: `Broadcast ${marker}` }),
    });
    if (res.status !== 201) throw new Error(`post: ${res.status} ${await res.text()}`);
  };
}

/** `p50 / p99` of a summary, fixed width. */
export const p50p99 = (s: Summary) =>
  Number.isFinite(s.p50)
    ? `${s.p50.toFixed(1).padStart(6)} / ${s.p99.toFixed(1).padStart(6)} ms`
    : '       n/a        ';
