/** What the app shares with its routes: `app.lifeboat` and `request.site`. */
import type { ServerConfig } from './config.js';
import type { SharedState } from './cluster/shared-state.js';
import type { SecretBox } from './auth/secret-box.js';
import type { SigningKey } from './auth/tokens.js';
import type { Metrics } from './http/metrics.js';
import type { RateLimiter } from './http/rate-limit.js';
import type { RegisteredRoute } from './http/route-list.js';
import type { Hub } from './realtime/hub.js';
import type { StreamManager } from './realtime/stream.js';
import type { StatusPoller } from './status/poller.js';
import type { NotifierRegistry } from './services/notifier.js';
import type { SiteRecord, Store } from './store/store.js';

export interface LifeboatContext {
  config: ServerConfig;
  store: Store;
  hub: Hub;
  streams: StreamManager;
  /** Polls upstream status pages; routes call `refresh(siteId)` after a site changed. */
  statusPoller: StatusPoller;
  keys: SigningKey[];
  /** Seals and opens secrets kept in the store (a site's HS256 sign-in secret; ADR 0020). */
  secrets: SecretBox;
  limits: {
    sessions: RateLimiter;
    writes: RateLimiter;
    memberWrites: RateLimiter;
    staffWrites: RateLimiter;
    posts: RateLimiter;
    /** Flags per member (twice the post limit). */
    flags: RateLimiter;
  };
  /** State every instance shares: rate-limit counters, used proofs of work, leases. */
  shared: SharedState;
  /** Every registered route (http/route-list.ts), filled as routes register. */
  routes: readonly RegisteredRoute[];
  /**
   * Outgoing notifications (services/notifier.ts): integrations `register` a notifier; emitters
   * (the early-warning detector: `spike.detected`) `notify(siteId, event)`.
   */
  notifiers: NotifierRegistry;
  /** Ends every open SSE stream (tests and graceful shutdown). */
  closeStreams(): void;
  /** Prometheus metrics (http/metrics.ts); counters may be incremented whether or not `/metrics` is on. */
  metrics: Metrics;
}

declare module 'fastify' {
  interface FastifyInstance {
    lifeboat: LifeboatContext;
  }
  interface FastifyRequest {
    /**
     * The site of a `/v1/sites/:site/…` route, resolved once before parsing and validation by the
     * site scope (http/site-scope.ts); only routes registered inside that scope have it.
     */
    site: SiteRecord;
  }
}

declare module 'fastify/types/schema.js' {
  /** Documentation fields read by the OpenAPI builder (ignored by Fastify itself). */
  interface FastifySchema {
    operationId?: string;
    summary?: string;
  }
}
