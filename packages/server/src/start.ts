/**
 * startServer(config): read the config file, build, apply the file's sites, listen, and a
 * graceful `stop()` (streams → HTTP → database).
 */
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import type { ServerConfig } from './config.js';
import { applyConfigFile, readConfigFile, withFileSettings } from './config-file.js';

export interface RunningServer {
  app: FastifyInstance;
  /** e.g. http://localhost:8787 */
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startServer(fromEnv: ServerConfig): Promise<RunningServer> {
  // A bad config file stops the start before anything is opened (ConfigError).
  const declared = fromEnv.configFile ? readConfigFile(fromEnv.configFile) : null;
  const config = declared ? withFileSettings(fromEnv, declared) : fromEnv;
  const app = await buildApp(config);
  if (declared) {
    try {
      const applied = await applyConfigFile(app.lifeboat.store, declared, app.lifeboat.secrets);
      app.log.info({ file: declared.file, ...applied }, 'config file applied');
    } catch (err) {
      await app.close();
      throw err;
    }
  }
  await app.listen({ port: config.port, host: config.host, backlog: config.listenBacklog });
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
