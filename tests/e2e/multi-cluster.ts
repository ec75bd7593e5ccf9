/**
 * Several real processes for the scale-out and durability tests: `lifeboat start --demo`
 * instances that can be killed and restarted on the same data, a fresh PostgreSQL database per
 * run, and nginx in front of the instances with the location blocks of
 * examples/deploy/nginx.conf. Everything started is registered with a `Cleanup`, which ends it
 * even when a test fails.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, root } from './harness.js';

/** Undo steps run last-in first-out; one failing step does not stop the others. */
export class Cleanup {
  private readonly steps: Array<() => unknown> = [];

  add(step: () => unknown): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    const errors: unknown[] = [];
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (err) {
        errors.push(err);
      }
    }
    if (errors.length) throw new AggregateError(errors, 'cleanup failed');
  }
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A child process with its output kept (the tail) and its end as a promise. */
interface Child {
  process: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  /** Signals the process and waits for it to end (SIGKILL after `graceMs`). */
  end: (signal: NodeJS.Signals, graceMs?: number) => Promise<void>;
}

function child(command: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(command, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-100_000);
  };
  proc.stdout!.on('data', keep);
  proc.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    proc.once('exit', () => resolve());
    proc.once('error', (err) => {
      output += `\n${String(err)}`;
      resolve();
    });
  });
  const done = () => proc.exitCode !== null || proc.signalCode !== null;
  return {
    process: proc,
    output: () => output,
    exited,
    async end(signal, graceMs = 5000) {
      if (done() || proc.pid === undefined) return exited;
      proc.kill(signal);
      const timer = setTimeout(() => {
        if (!done()) proc.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---- PostgreSQL ----

const PG = new URL(process.env['LIFEBOAT_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432');
const pgArgs = ['-h', PG.hostname, '-p', PG.port || '5432', '-U', PG.username || 'postgres'];

export interface Database {
  name: string;
  url: string;
  /** One statement through psql; its unaligned output. */
  query: (sql: string) => string;
  drop: () => void;
}

/** A new empty database `lb_e2e_<random>` on the local PostgreSQL (127.0.0.1:5432, trust). */
export function createDatabase(cleanup: Cleanup): Database {
  const name = `lb_e2e_${randomBytes(6).toString('hex')}`;
  try {
    execFileSync('createdb', [...pgArgs, name], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(
      `createdb ${name} failed: is PostgreSQL running on ${PG.host}? ${String((err as { stderr?: Buffer }).stderr ?? err)}`,
    );
  }
  const url = `postgres://${PG.username || 'postgres'}@${PG.host}/${name}`;
  const drop = () =>
    execFileSync('dropdb', [...pgArgs, '--if-exists', '--force', name], { stdio: 'pipe' });
  cleanup.add(drop);
  return {
    name,
    url,
    query: (sql) =>
      execFileSync('psql', [...pgArgs, '-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', name], {
        input: sql,
        encoding: 'utf8',
      }).trim(),
    drop,
  };
}

// ---- Lifeboat instances ----

export interface Instance {
  name: string;
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  dataDir: string;
  process: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown code runs, as in a crash or an OOM kill. */
  kill: () => Promise<void>;
  /** SIGINT: the graceful shutdown. */
  stop: () => Promise<void>;
}

export interface InstanceOptions {
  name: string;
  /** Kept across restarts (the SQLite file, the generated secret); made when absent. */
  dataDir?: string;
  port?: number;
  env?: Record<string, string>;
}

/** `lifeboat start --demo`, as `pnpm start` runs it; resolves once /healthz answers. */
export async function startInstance(cleanup: Cleanup, options: InstanceOptions): Promise<Instance> {
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? tempDir(`lifeboat-${options.name}-`);
  if (!options.dataDir) cleanup.add(() => rmSync(dataDir, { recursive: true, force: true }));
  const proc = child(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      'packages/server/src/cli/main.ts',
      'start',
      '--demo',
      '--port',
      String(port),
    ],
    {
      ...process.env,
      LIFEBOAT_DATA_DIR: dataDir,
      LIFEBOAT_LOG_LEVEL: 'warn',
      ...options.env,
    },
  );
  cleanup.add(() => proc.end('SIGINT'));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 40_000;
  for (;;) {
    if (proc.process.exitCode !== null || proc.process.signalCode !== null)
      throw new Error(`instance ${options.name} exited early:\n${proc.output()}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline)
      throw new Error(`instance ${options.name} did not start:\n${proc.output()}`);
    await sleep(150);
  }
  return {
    name: options.name,
    url,
    port,
    dataDir,
    process: proc.process,
    output: proc.output,
    kill: () => proc.end('SIGKILL'),
    stop: () => proc.end('SIGINT'),
  };
}

// ---- nginx ----

const NGINX_CANDIDATES = [process.env['NGINX'], '/usr/sbin/nginx', '/usr/local/sbin/nginx'];

/** The nginx binary, or an error that says how to get one. */
export function nginxBinary(): string {
  const found = NGINX_CANDIDATES.find((p): p is string => !!p && existsSync(p));
  if (found) return found;
  try {
    return execFileSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error(
      'nginx is not installed: the multi-instance test runs nginx in front of two instances. ' +
        'Install it (Debian: apt-get install -y nginx; the system service is not used) or set ' +
        'NGINX=/path/to/nginx.',
    );
  }
}

const EXAMPLE = join(root, 'examples/deploy/nginx.conf');
const PROXY_SNIPPET = join(root, 'examples/deploy/lifeboat-proxy.conf');

/**
 * The `location` blocks of examples/deploy/nginx.conf, with the snippet included from the repo
 * and `proxy_pass` to `$lifeboat_pool` (the test's choice of upstream, see below).
 */
export function exampleLocations(): string {
  const text = readFileSync(EXAMPLE, 'utf8');
  const blocks = text.match(/^[ \t]*location\b[^{]*\{[^}]*\}/gm) ?? [];
  const out = blocks.map((block) =>
    block
      .replace('include snippets/lifeboat-proxy.conf;', `include ${PROXY_SNIPPET};`)
      .replace('proxy_pass http://lifeboat;', 'proxy_pass http://$lifeboat_pool;'),
  );
  if (
    out.length < 2 ||
    out.some((b) => !b.includes(PROXY_SNIPPET) || !b.includes('$lifeboat_pool'))
  )
    throw new Error(`${EXAMPLE}: expected location blocks that include the snippet and proxy_pass`);
  return out.join('\n\n');
}

export interface NginxConfigInput {
  prefix: string;
  port: number;
  /** Instance name → port, in upstream order. */
  instances: Record<string, number>;
}

/**
 * The test's nginx.conf: temp paths under `prefix`, one upstream of every instance (as in the
 * example), and per instance an upstream that prefers it and keeps the others as backups. A
 * cookie picks the upstream (`lifeboat_pin=<instance>`; none: the shared one), so a browser
 * context is served by a known instance while it lives, and by the others once it is gone.
 * Every response names the instance(s) nginx tried in `X-Lifeboat-Upstream` ($upstream_addr).
 */
export function nginxConfig({ prefix, port, instances }: NginxConfigInput): string {
  const server = (p: number, backup = false) =>
    `    server 127.0.0.1:${p}${backup ? ' backup' : ' max_fails=1 fail_timeout=10s'};`;
  const entries = Object.entries(instances);
  const upstream = (name: string, servers: string[]) =>
    `  upstream ${name} {\n${servers.join('\n')}\n    keepalive 8;\n  }`;
  const pinned = entries.map(([name, p]) =>
    upstream(`lifeboat_${name}`, [
      server(p),
      ...entries.filter(([other]) => other !== name).map(([, q]) => server(q, true)),
    ]),
  );
  return `# Generated by tests/e2e/multi-cluster.ts for one test run.
worker_processes 1;
pid ${prefix}/nginx.pid;
error_log ${prefix}/error.log info;
events { worker_connections 512; }
http {
  log_format upstreams '$request_method $request_uri pin=$cookie_lifeboat_pin status=$status upstream=$upstream_addr upstream_status=$upstream_status';
  access_log ${prefix}/access.log upstreams;
  client_body_temp_path ${prefix}/client_body;
  proxy_temp_path ${prefix}/proxy;
  fastcgi_temp_path ${prefix}/fastcgi;
  uwsgi_temp_path ${prefix}/uwsgi;
  scgi_temp_path ${prefix}/scgi;

  map $cookie_lifeboat_pin $lifeboat_pool {
${entries.map(([name]) => `    ${name} lifeboat_${name};`).join('\n')}
    default lifeboat;
  }
${upstream(
  'lifeboat',
  entries.map(([, p]) => server(p)),
)}
${pinned.join('\n')}

  server {
    listen 127.0.0.1:${port};
    add_header X-Lifeboat-Upstream $upstream_addr always;
    location = /nginx-ready { return 204; }

${exampleLocations()}
  }
}
`;
}

export interface Nginx {
  /** http://127.0.0.1:<port> */
  url: string;
  port: number;
  /** The error log and access log so far (for failure messages). */
  logs: () => string;
  stop: () => Promise<void>;
}

/** nginx in the foreground with the test's own config; never the system service. */
export async function startNginx(
  cleanup: Cleanup,
  instances: Record<string, number>,
  port?: number,
): Promise<Nginx> {
  const binary = nginxBinary();
  const prefix = tempDir('lifeboat-nginx-');
  // Workers run as nobody when the master is root: they need to reach their temp directories.
  chmodSync(prefix, 0o755);
  cleanup.add(() => rmSync(prefix, { recursive: true, force: true }));
  const listen = port ?? (await freePort());
  const file = join(prefix, 'nginx.conf');
  writeFileSync(file, nginxConfig({ prefix, port: listen, instances }));
  const proc = child(binary, ['-p', prefix, '-c', file, '-g', 'daemon off;'], process.env);
  // SIGTERM is nginx's fast shutdown (SIGQUIT would wait for open streams to end).
  cleanup.add(() => proc.end('SIGTERM'));
  const read = (name: string) => {
    try {
      return readFileSync(join(prefix, name), 'utf8');
    } catch {
      return '';
    }
  };
  const logs = () =>
    `nginx output:\n${proc.output()}\nerror.log:\n${read('error.log')}\naccess.log:\n${read('access.log')}`;
  const url = `http://127.0.0.1:${listen}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (proc.process.exitCode !== null || proc.process.signalCode !== null)
      throw new Error(`nginx exited early:\n${logs()}`);
    try {
      // nginx's own answer: a request to the upstreams now would mark them failed.
      if ((await fetch(`${url}/nginx-ready`)).status === 204) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`nginx did not start:\n${logs()}`);
    await sleep(100);
  }
  return { url, port: listen, logs, stop: () => proc.end('SIGTERM') };
}
