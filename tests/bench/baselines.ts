/**
 * The baselines measured in the same run as Lifeboat: a hello-world Fastify app (hello-server.ts,
 * the same Fastify version) and a raw Node `http` SSE server (sse-baseline-server.ts), each in its
 * own tracked process on a free port.
 */
import { sleep, spawnNode, stopChild, waitForUrl } from './procs.js';

export interface BaselineServer {
  base: string;
  pid: number;
  stop(): Promise<void>;
}

async function startListening(script: string, probe: string): Promise<BaselineServer> {
  const child = spawnNode(script, [], {
    env: { PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  const deadline = Date.now() + 30_000;
  let port: string | undefined;
  while (!(port = /listening (\d+)/.exec(output)?.[1])) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${script} did not start: ${output}`);
    }
    await sleep(50);
  }
  const base = `http://127.0.0.1:${port}`;
  await waitForUrl(`${base}${probe}`, child);
  return { base, pid: child.pid!, stop: () => stopChild(child) };
}

/** Fastify hello world: GET, POST and PUT /hello. */
export const startHello = () => startListening('tests/bench/hello-server.ts', '/hello');

export interface BaselineSse extends BaselineServer {
  streamUrl: string;
  /** Writes one `post.created` event carrying `marker` to every open stream. */
  broadcast(marker: string): Promise<void>;
}

/** The raw Node `http` SSE server: GET /stream, POST /broadcast. */
export async function startBaselineSse(): Promise<BaselineSse> {
  const server = await startListening('tests/bench/sse-baseline-server.ts', '/healthz');
  return {
    ...server,
    streamUrl: `${server.base}/stream`,
    async broadcast(marker) {
      const res = await fetch(`${server.base}/broadcast`, {
        method: 'POST',
        body: JSON.stringify({ marker }),
      });
      if (res.status !== 204) throw new Error(`broadcast: ${res.status}`);
    },
  };
}
