/** startServer(config): build, listen, and a graceful `stop()` (streams → HTTP → database). */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { ServerConfig } from './config.js';

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://localhost:8787 */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startServer(config: ServerConfig): Promise<RunningServer> {
  const app = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const local =
    config.host === '0.0.0.0' ||
    config.host === '127.0.0.1' ||
    config.host === '::' ||
    config.host === 'localhost';
  const url = `http://${local ? 'localhost' : config.host}:${port}`;
  let stopping: Promise<void> | null = null;
  return {
    app,
    url,
    port,
    stop: () =>
      (stopping ??= (async () => {
        app.lifeboat.closeStreams();
        await app.close();
      })()),
  };
}

/** The demo status page (examples/status-page, site `demo`). */
export function demoUrl(url: string): string {
  return `${url}/`;
}
