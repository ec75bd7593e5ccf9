/** A site's overall status: the worst of its components and open incidents, with a summary line. */
import type { ComponentStatus, Impact, Severity, SiteStatus } from '@lifeboat/protocol';
import type { SiteRecord, Store } from '../store/store.js';
import { statusSourceOf, upstreamSeverities } from '../status/source-info.js';

const ORDER: readonly Severity[] = ['operational', 'maintenance', 'minor', 'major', 'critical'];

const FROM_COMPONENT: Record<ComponentStatus, Severity> = {
  operational: 'operational',
  under_maintenance: 'maintenance',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
};

const FROM_IMPACT: Record<Impact, Severity> = {
  none: 'operational',
  minor: 'minor',
  major: 'major',
  critical: 'critical',
};

export const SEVERITY_DESCRIPTIONS: Record<Severity, string> = {
  operational: 'All systems operational',
  maintenance: 'Scheduled maintenance in progress',
  minor: 'Degraded performance',
  major: 'Partial outage',
  critical: 'Major outage',
};

export function worstSeverity(values: Iterable<Severity>): Severity {
  let worst: Severity = 'operational';
  for (const v of values) if (ORDER.indexOf(v) > ORDER.indexOf(worst)) worst = v;
  return worst;
}

export async function buildSiteStatus(
  store: Store,
  site: SiteRecord,
  options: { defaultPollIntervalMs?: number; now?: number } = {},
): Promise<SiteStatus> {
  const bounds = await store.eventBounds(site.id);
  const [components, incidents, upstream] = await Promise.all([
    store.listComponents(site.id),
    store.listIncidents(site.id, 'open'),
    site.statusUrl ? store.getStatusSourceState(site.id) : null,
  ]);
  // Sites following a status page: its own claims count, its maintenances and freshness show
  // (manual sites: `source.kind` is `manual`, no maintenances).
  const source = statusSourceOf(
    site,
    upstream,
    options.defaultPollIntervalMs ?? 30_000,
    options.now ?? Date.now(),
  );
  const followed = upstream && upstream.url === site.statusUrl ? upstream : null;
  const severity = worstSeverity([
    ...components.map((c) => FROM_COMPONENT[c.status]),
    ...incidents.map((i) => FROM_IMPACT[i.impact]),
    ...upstreamSeverities(followed),
  ]);
  return {
    source,
    maintenances: followed?.maintenances ?? [],
    site: { slug: site.slug, name: site.name },
    severity,
    description:
      followed?.description && followed.severity === severity
        ? followed.description
        : SEVERITY_DESCRIPTIONS[severity],
    components: components.map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      group: c.group,
    })),
    incidents,
    lastEventId: bounds.current,
    updatedAt: bounds.lastAt ?? site.createdAt,
  };
}
