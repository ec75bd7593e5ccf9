/** The real server for benchmarks: `lifeboat start --demo` with rate limits off, plus a guest. */
import { startLifeboat } from '../e2e/harness.js';

export interface BenchServer {
  base: string;
  pid: number;
  /** The demo site's open incident, URL-encoded. */
  incident: string;
  /** A guest session token. */
  token: string;
  stop(): Promise<void>;
}

export async function startBenchServer(displayName: string): Promise<BenchServer> {
  const server = await startLifeboat({ LIFEBOAT_LOG_LEVEL: 'error', LIFEBOAT_RATE_LIMITS: 'off' });
  const base = server.url;
  const status = (await (await fetch(`${base}/v1/sites/demo/status`)).json()) as {
    incidents: Array<{ id: string }>;
  };
  const session = (await (
    await fetch(`${base}/v1/sites/demo/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName }),
    })
  ).json()) as { token: string };
  return {
    base,
    pid: server.process.pid!,
    incident: encodeURIComponent(status.incidents[0]!.id),
    token: session.token,
    stop: async () => void (await server.stop()),
  };
}
