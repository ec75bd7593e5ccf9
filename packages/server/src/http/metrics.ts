/**
 * Prometheus metrics (docs/metrics.md, ADR 0028). One registry per app (tests run many apps in
 * one process), on `app.lifeboat.metrics`. Counters and histograms are updated where things
 * happen; gauges that describe state (open streams, moderation queues) are read when Prometheus
 * scrapes, so nothing is kept up to date between scrapes.
 *
 * Labels are bounded: HTTP metrics are labelled by the route template Fastify matched
 * (`/v1/sites/:site/status`, never the raw URL; `(unmatched)` for a 404 from the router), the
 * method (a fixed list, else `OTHER`) and the status code; per-site metrics by the site's slug
 * (sites are made by the admin, not by visitors).
 *
 * Other modules increment what they own, e.g. a webhook sender:
 * `app.lifeboat.metrics.webhookDeliveries.inc({ site: site.slug, outcome: 'delivered' })`.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Hub } from '../realtime/hub.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
/** The method's index in METHODS, or METHODS.length (`OTHER`). */
function methodIndex(method: string): number {
  const i = (METHODS as readonly string[]).indexOf(method);
  return i < 0 ? METHODS.length : i;
}
const METHOD_SLOTS = METHODS.length + 1;

/** The route label of a request the router did not match (404, 405, a malformed URL). */
export const UNMATCHED_ROUTE = '(unmatched)';

/** Seconds: most reads take a millisecond or less; an SSE stream lasts minutes. */
const HTTP_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];
const UPSTREAM_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const REPLAY_BUCKETS = [0, 1, 10, 50, 100, 500, 1000, 5000, 10_000];

/** Webhook delivery outcomes (`webhookDeliveries`' `outcome` label). */
export type WebhookOutcome = 'delivered' | 'failed' | 'abandoned';

/** What the status poller reports after each poll of a site (status/poller.ts `onPoll`). */
export interface PollReport {
  site: string;
  ok: boolean;
  /** Seconds the upstream request took (absent when no request was made). */
  seconds?: number;
  /** Consecutive failures after this poll (0 after a success). */
  failures: number;
}

interface HttpChild {
  observe(value: number): void;
}

export class Metrics {
  readonly registry = new Registry();

  /** Requests by route template, method and status; `_count` is the request count. */
  readonly httpDuration = new Histogram({
    name: 'lifeboat_http_request_duration_seconds',
    help: 'HTTP requests by route template, method and status code: latency in seconds (_count: requests).',
    labelNames: ['route', 'method', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  /** Hub publications: committed writes that produced events (one may carry several). */
  readonly eventsPublished = new Counter({
    name: 'lifeboat_events_published_total',
    help: 'Committed writes this instance published to live streams (each one or more events).',
    registers: [this.registry],
  });

  /** Events sent to a stream that resumed with Last-Event-ID before it went live. */
  readonly replayEvents = new Histogram({
    name: 'lifeboat_stream_replay_events',
    help: 'Events replayed to a resuming stream before it went live.',
    buckets: REPLAY_BUCKETS,
    registers: [this.registry],
  });

  readonly streamResets = new Counter({
    name: 'lifeboat_stream_resets_total',
    help: 'Resuming streams told to reload their snapshots (too far behind to replay).',
    registers: [this.registry],
  });

  readonly pollerLastSuccess = new Gauge({
    name: 'lifeboat_status_poll_last_success_timestamp_seconds',
    help: 'When the last successful poll of the site’s upstream status page ended (Unix seconds).',
    labelNames: ['site'] as const,
    registers: [this.registry],
  });

  readonly pollerConsecutiveFailures = new Gauge({
    name: 'lifeboat_status_poll_consecutive_failures',
    help: 'Failed polls of the site’s upstream status page since its last success.',
    labelNames: ['site'] as const,
    registers: [this.registry],
  });

  readonly pollerPolls = new Counter({
    name: 'lifeboat_status_polls_total',
    help: 'Polls of upstream status pages by site and result (ok, failed).',
    labelNames: ['site', 'result'] as const,
    registers: [this.registry],
  });

  readonly pollerUpstreamSeconds = new Histogram({
    name: 'lifeboat_status_upstream_duration_seconds',
    help: 'How long the upstream status page took to answer (seconds).',
    labelNames: ['site'] as const,
    buckets: UPSTREAM_BUCKETS,
    registers: [this.registry],
  });

  /** Incremented by the webhook sender: one per delivery attempt's outcome. */
  readonly webhookDeliveries = new Counter({
    name: 'lifeboat_webhook_deliveries_total',
    help: 'Webhook delivery attempts by site and outcome (delivered, failed: will retry, abandoned: out of retries).',
    labelNames: ['site', 'outcome'] as const,
    registers: [this.registry],
  });

  /** Children of `httpDuration` by route, then status × method (no label object per request). */
  private readonly httpChildren = new Map<string, Map<number, HttpChild>>();

  /** Records one HTTP request. `route` is a template (or UNMATCHED_ROUTE), never a raw URL. */
  observeHttp(route: string, method: string, status: number, seconds: number): void {
    let byRoute = this.httpChildren.get(route);
    if (!byRoute) this.httpChildren.set(route, (byRoute = new Map()));
    const m = methodIndex(method);
    const key = status * METHOD_SLOTS + m;
    let child = byRoute.get(key);
    if (!child) {
      child = this.httpDuration.labels(route, METHODS[m] ?? 'OTHER', String(status));
      byRoute.set(key, child);
    }
    child.observe(seconds);
  }

  /** Records a poll (StatusPoller's `onPoll`). */
  observePoll(report: PollReport): void {
    const { site } = report;
    if (report.ok) this.pollerLastSuccess.set({ site }, Date.now() / 1000);
    this.pollerConsecutiveFailures.set({ site }, report.failures);
    this.pollerPolls.inc({ site, result: report.ok ? 'ok' : 'failed' });
    if (report.seconds !== undefined) this.pollerUpstreamSeconds.observe({ site }, report.seconds);
  }

  /** A gauge read at scrape time (`collect` sets its values). */
  gaugeAtScrape<L extends string>(
    name: string,
    help: string,
    labelNames: readonly L[],
    collect: (gauge: Gauge<L>) => Promise<void> | void,
  ): Gauge<L> {
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      async collect() {
        await collect(this);
      },
    });
  }

  /** Counts every notice published on `hub` (wraps its `publish`). */
  countPublications(hub: Hub): void {
    const publish = hub.publish.bind(hub);
    const counter = this.eventsPublished;
    hub.publish = (notice) => {
      counter.inc();
      publish(notice);
    };
  }

  /** Node.js process metrics (CPU, memory, event loop lag, GC), prefixed `lifeboat_`. */
  collectProcessMetrics(): void {
    collectDefaultMetrics({ register: this.registry, prefix: 'lifeboat_' });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
