#!/usr/bin/env node
/**
 * The `lifeboat` CLI: `lifeboat start [--port N] [--data-dir D] [--config F] [--demo]`,
 * `lifeboat site …`, `lifeboat incident …`, `lifeboat staff …`, `lifeboat webhook …`,
 * `lifeboat config check`,
 * `lifeboat --help`.
 */
import { ConfigError, helpText, loadConfig } from '../config.js';
import { demoStaffToken } from '../demo/seed.js';
import { demoUrl, startServer } from '../start.js';
import { runAdminCommand } from './admin-commands.js';
import { runConfigCommand } from './config-command.js';
import { runSitePolicy, runSiteSso, runStaffCommand } from './identity-commands.js';
import { runSitePush, runWebhookCommand } from './webhook-commands.js';

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === 'site' && rest[0] === 'policy') return runSitePolicy(rest.slice(1));
  if (command === 'site' && rest[0] === 'sso') return runSiteSso(rest.slice(1));
  if (command === 'site' && rest[0] === 'push') return runSitePush(rest.slice(1));
  if (command === 'webhook') return runWebhookCommand(rest);
  if (command === 'site' || command === 'incident') return runAdminCommand(command, rest);
  if (command === 'staff') return runStaffCommand(rest);
  if (command === 'config') return runConfigCommand(rest);
  if (
    !command ||
    command === '--help' ||
    command === '-h' ||
    command === 'help' ||
    rest.includes('--help')
  ) {
    console.log(helpText());
    return command ? 0 : 1;
  }
  if (command !== 'start') {
    console.error(`Unknown command "${command}".\n\n${helpText()}`);
    return 2;
  }
  let config;
  try {
    config = loadConfig({ argv: rest });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`lifeboat: ${err.message}`);
      return 2;
    }
    throw err;
  }
  let server;
  try {
    server = await startServer(config);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`lifeboat: ${err.message}`);
      return 2;
    }
    throw err;
  }
  console.log(`Lifeboat is running at ${server.url}`);
  if (config.demo) console.log(`Demo status page: ${demoUrl(server.url)}`);
  if (config.demo) {
    const { store, keys } = server.app.lifeboat;
    const token = await demoStaffToken(store, keys);
    if (token) {
      console.log(`Demo moderation page: ${server.url}/moderation/`);
      console.log(`Demo staff token (moderator of site "demo", 7 days): ${token}`);
    }
  }
  console.log(`Data: ${config.dataDir}`);

  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      console.log(`\n${signal} received, shutting down…`);
      const force = setTimeout(() => process.exit(1), 5000);
      force.unref();
      server.stop().then(resolve, (err: unknown) => {
        console.error(err);
        process.exit(1);
      });
    };
    process.once('SIGINT', () => shutdown('SIGINT'));
    process.once('SIGTERM', () => shutdown('SIGTERM'));
  });
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
