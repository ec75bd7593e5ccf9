/**
 * buildApp(config) → a ready-to-listen Fastify instance with the store, hub and streams wired.
 * The store is opened from `config.dataDir` unless one is passed; the app closes what it opened.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { LIMITS } from '@lifeboat/protocol';
import { sharedSchemas } from '@lifeboat/protocol/schemas';
import { storeOptions, type ServerConfig } from './config.js';
import type { LifeboatContext } from './context.js';
import { SecretBox } from './auth/secret-box.js';
import { sealStoredSecrets } from './auth/site-sso.js';
import { loadSigningKeys } from './auth/tokens.js';
import { collectRoutes } from './http/openapi.js';
import { ProblemError, registerProblemHandlers, sendProblem, toProblem } from './http/problem.js';
import { RateLimiter } from './http/rate-limit.js';
import { warnOnceOnForwarded } from './http/forwarded-warning.js';
import { registerAdminScope, registerSiteScope } from './http/site-scope.js';
import { SiteDirectory } from './http/site-directory.js';
import { SiteSequences, SnapshotCache } from './http/snapshot-cache.js';
import { recordRoutes } from './http/route-list.js';
import { answerFirst, createFastRead } from './http/fast-reads.js';
import { Metrics } from './http/metrics.js';
import { registerMetrics } from './http/metrics-route.js';
import os from 'node:os';
import { randomUUID } from 'node:crypto';
import { MemorySharedState, SqlSharedState, type SharedState } from './cluster/shared-state.js';
import { MemoryHub, type Hub } from './realtime/hub.js';
import { PgHub } from './realtime/pg-hub.js';
import { SequenceWatch } from './realtime/sequence-watch.js';
import { StreamManager } from './realtime/stream.js';
import { affectedHistoryRoutes } from './routes/affected-history.js';
import { metaRoutes } from './routes/meta.js';
import { postRoutes } from './routes/posts.js';
import { reactionRoutes } from './routes/reactions.js';
import { sessionRoutes } from './routes/sessions.js';
import { memberRoutes } from './routes/members.js';
import { adminSsoRoutes } from './routes/admin-sso.js';
import { staticRoutes } from './routes/static.js';
import { staffSsoRoutes } from './routes/staff-sso.js';
import { statusRoutes } from './routes/status.js';
import { streamRoutes } from './routes/stream.js';
import { workaroundRoutes } from './routes/workarounds.js';
import { moderationRoutes } from './routes/moderation.js';
import { flagRoutes } from './routes/flags.js';
import { adminPolicyRoutes } from './routes/admin-policy.js';
import { seedDemo } from './demo/seed.js';
import { openStore, type SqlStore } from './store/sql-store.js';
import { StatusPoller } from './status/poller.js';
import { parseAllowList } from './status/upstream-address.js';
import { adminSiteRoutes } from './routes/admin-sites.js';
import { staffIncidentRoutes } from './routes/staff-incidents.js';
import { reportRoutes } from './routes/report.js';
import { earlyWarningRoutes } from './routes/early-warning.js';
import { emailSubscriptionRoutes } from './routes/email-subscriptions.js';
import { exportRoutes } from './routes/exports.js';
import { createEmailService } from './email/service.js';
import type { Store } from './store/store.js';
import { WebhookService } from './webhooks/outbox.js';
import { statusPushRoutes } from './routes/status-push.js';
import { adminWebhookRoutes } from './routes/admin-webhooks.js';
import { serializeRequest } from './http/log-redact.js';
import { NotifierRegistry } from './services/notifier.js';

export interface AppDependencies {
  store?: Store;
  hub?: Hub;
}

/**
 * NUL is text no one means and PostgreSQL cannot store (it answered 500 for a `%00` in a path or a
 * `\u0000` in a name; found by the OpenAPI fuzzer): refused at the door, on either engine.
 */
const NUL_MESSAGE = 'Text cannot contain NUL characters.';
const nulProblem = (field: string) =>
  new ProblemError(400, 'validation_failed', NUL_MESSAGE, [{ field, message: NUL_MESSAGE }]);

/** JSON with prototype-poisoning keys dropped; an empty body is "no body". */
function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  let nul: string | null = null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text, (key, value: unknown) => {
      if (
        nul === null &&
        (key.includes('\0') || (typeof value === 'string' && value.includes('\0')))
      )
        nul = key || 'body';
      return key === '__proto__' || key === 'constructor' ? undefined : value;
    });
  } catch {
    throw new ProblemError(400, 'validation_failed', 'The request body is not valid JSON.', [
      { field: 'body', message: 'The request body is not valid JSON.' },
    ]);
  }
  if (nul !== null) throw nulProblem(nul);
  return parsed;
}

export async function buildApp(
  config: ServerConfig,
  deps: AppDependencies = {},
): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      config.logLevel === 'silent'
        ? false
        : { level: config.logLevel, serializers: { req: serializeRequest } },
    trustProxy: config.trustProxy,
    bodyLimit: LIMITS.requestBody,
    ajv: { customOptions: { allErrors: true, removeAdditional: false } },
    routerOptions: { maxParamLength: 300 },
    forceCloseConnections: true,
    // The router's own refusals (a parameter over maxParamLength: 414, a malformed URL) are
    // problems too, not Fastify's default JSON (found by the OpenAPI fuzzer).
    frameworkErrors: (err, request, reply) =>
      sendProblem(reply, toProblem(err), request.url.split('?')[0]),
  });

  const store = deps.store ?? (await openStore(storeOptions(config)));
  // One process over SQLite keeps shared state in memory and watches the file for the CLI's
  // events; instances over PostgreSQL share state in it and hear each other through NOTIFY.
  const scaled = store.engine === 'postgres' && config.databaseUrl !== null;
  const shared: SharedState = scaled
    ? new SqlSharedState((store as SqlStore).driver)
    : new MemorySharedState();
  let hub: Hub;
  let watch: SequenceWatch | null = null;
  if (deps.hub) hub = deps.hub;
  else if (scaled) {
    const pgHub = new PgHub({ connectionString: config.databaseUrl!, log: app.log });
    await pgHub.start();
    hub = pgHub;
  } else {
    hub = new MemoryHub();
    watch = new SequenceWatch({ store, hub, log: app.log });
  }
  const streams = new StreamManager(store, hub, config.heartbeatMs, config);
  const metrics = new Metrics();
  const statusPoller = new StatusPoller({
    store,
    hub,
    defaultIntervalMs: config.pollIntervalMs,
    lockGraceMs: config.lockGraceMs,
    log: app.log,
    shared: scaled ? shared : null,
    instanceId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    policy: parseAllowList(config.statusAllow),
    onPoll: config.metrics === 'off' ? null : (report) => metrics.observePoll(report),
  });
  const { windowMs } = config.rateLimits;
  const limiter = (limit: number, name: string) => new RateLimiter(limit, windowMs, shared, name);
  const keys = loadSigningKeys(config.secret, config.dataDir);
  const context: LifeboatContext = {
    config,
    store,
    hub,
    streams,
    statusPoller,
    keys,
    secrets: new SecretBox(keys),
    limits: {
      sessions: limiter(config.rateLimits.sessionsPerIp, 'sessions'),
      writes: limiter(config.rateLimits.writesPerIp, 'writes'),
      memberWrites: limiter(config.rateLimits.writesPerMember, 'member-writes'),
      staffWrites: limiter(config.rateLimits.writesPerStaff, 'staff-writes'),
      posts: limiter(config.rateLimits.postsPerMember, 'posts'),
      flags: limiter(config.rateLimits.postsPerMember * 2, 'flags'),
    },
    shared,
    routes: recordRoutes(app),
    notifiers: new NotifierRegistry(app.log),
    closeStreams: () => streams.closeAll(),
    metrics,
  };
  app.decorate('lifeboat', context);
  // Email subscriptions (docs/email.md): null unless LIFEBOAT_SMTP_URL is set.
  const email = createEmailService({ store, hub, config, keys, log: app.log });
  // Push ingestion and outgoing webhooks (docs/webhooks.md, ADRs 0026 and 0027).
  const webhooks = new WebhookService({
    store,
    driver: (store as SqlStore).driver,
    hub,
    secrets: context.secrets,
    policy: parseAllowList(config.webhookAllow),
    instanceId: `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`,
    retryBaseMs: config.webhookRetryBaseMs,
    maxAttempts: config.webhookMaxAttempts,
    log: app.log,
    onAttempt: (siteId, outcome) =>
      void store
        .getSiteById(siteId)
        .then((site) => site && metrics.webhookDeliveries.inc({ site: site.slug, outcome }))
        .catch(() => undefined),
  });
  context.notifiers.register(webhooks);
  // Plaintext sign-in secrets of an older database are sealed now (ADR 0020).
  await sealStoredSecrets(store, context.secrets, app.log);

  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (err) {
      done(err as Error, undefined);
    }
  });

  app.addHook('onRequest', async (request) => {
    if (/%00/i.test(request.url)) throw nulProblem('url');
  });
  if (config.trustProxy === false) warnOnceOnForwarded(app);

  for (const schema of sharedSchemas) app.addSchema(schema);
  const routes = collectRoutes(app);
  registerProblemHandlers(app);

  // Public snapshots from memory, each valid while its site's event sequence holds.
  const snapshots = new SnapshotCache(new SiteSequences(store, hub));
  const sites = new SiteDirectory(store);
  app.decorate('snapshots', snapshots);
  const logRequests = ['trace', 'debug', 'info'].includes(config.logLevel);
  // Cached public snapshots are answered before Fastify routes the request (./http/fast-reads.ts).
  const fastRead = createFastRead({
    sites,
    snapshots,
    publicOrigin: config.publicOrigin,
    log: logRequests ? app.log : null,
    metrics: config.metrics === 'off' ? null : metrics,
  });
  answerFirst(app.server, fastRead);
  // Before the routes, so its onResponse hook sees all of them (docs/metrics.md).
  await registerMetrics(app, context);
  app.addHook('onClose', async () => {
    snapshots.close();
    snapshots.sequences.close();
  });

  // /v1/sites/:site/…: one encapsulated scope resolves the site once, answers CORS and counts writes.
  await app.register(async (scope) => {
    registerSiteScope(scope, sites, snapshots);
    await scope.register(statusRoutes, { snapshots });
    await scope.register(sessionRoutes, { snapshots });
    await scope.register(memberRoutes);
    await scope.register(postRoutes);
    await scope.register(reactionRoutes);
    await scope.register(affectedHistoryRoutes, { snapshots });
    await scope.register(workaroundRoutes, { snapshots });
    await scope.register(moderationRoutes);
    await scope.register(flagRoutes);
    await scope.register(streamRoutes);
    await scope.register(staffIncidentRoutes);
    await scope.register(reportRoutes);
    await scope.register(earlyWarningRoutes);
    await scope.register(statusPushRoutes, { webhooks });
    await scope.register(emailSubscriptionRoutes, { email });
    await scope.register(exportRoutes);
  });
  // /v1/admin/…: the admin key's limits.
  await app.register(async (scope) => {
    registerAdminScope(scope);
    await scope.register(adminWebhookRoutes, { webhooks });
    await scope.register(adminSsoRoutes);
    await scope.register(adminPolicyRoutes);
    await scope.register(adminSiteRoutes, { sites, snapshots });
  });
  await app.register(metaRoutes(routes));
  // Staff sign-in with the company's OpenID Connect provider (docs/staff-sign-in.md).
  await app.register(staffSsoRoutes);
  await app.register(staticRoutes);

  app.addHook('onReady', async () => {
    await statusPoller.start();
    await webhooks.start();
    email?.dispatcher.start();
    await watch?.start();
  });
  app.addHook('preClose', async () => {
    statusPoller.stop();
    await webhooks.stop();
    await email?.dispatcher.stop();
    watch?.stop();
    streams.close();
  });
  app.addHook('onClose', async () => {
    await hub.close();
    if (!deps.store) await store.close();
  });

  if (config.demo) await seedDemo(store, { extraOrigins: config.demoOrigins, port: config.port });
  return app;
}
