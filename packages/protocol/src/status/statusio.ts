/**
 * Status.io public status API (`https://api.status.io/1.0/status/<page-id>`): `{ result: {
 * status_overall, status: [component with containers], incidents: [active], maintenance: {
 * active, upcoming } } }`. Codes: 100 operational, 200 planned maintenance, 300 degraded
 * performance, 400 partial service disruption, 500 service disruption, 600 security event.
 * Message states: 100 investigating, 200 identified, 300 monitoring.
 */
import type {
  ComponentStatus,
  Impact,
  IncidentPhase,
  Maintenance,
  MaintenanceStatus,
  Severity,
  StatusComponent,
} from '../resources.js';
import { itemId } from './ids.js';
import {
  SEVERITY_FROM_COMPONENT,
  SEVERITY_FROM_IMPACT,
  SEVERITY_TEXT,
  worstOf,
} from './severity.js';
import {
  bodyText,
  hostOf,
  isRecord,
  lookup,
  records,
  shortStr,
  titleText,
  toIsoUtc,
} from './text.js';
import type { NormalizedIncident, NormalizedStatus } from './types.js';

type Json = Record<string, unknown>;

const SEVERITY: Record<string, Severity> = {
  '100': 'operational',
  '200': 'maintenance',
  '300': 'minor',
  '400': 'major',
  '500': 'critical',
  '600': 'major',
};
const COMPONENT: Record<string, ComponentStatus> = {
  '100': 'operational',
  '200': 'under_maintenance',
  '300': 'degraded_performance',
  '400': 'partial_outage',
  '500': 'major_outage',
  '600': 'partial_outage',
};
const IMPACT: Record<string, Impact> = {
  '100': 'none',
  '300': 'minor',
  '400': 'major',
  '500': 'critical',
  '600': 'major',
};
const PHASE: Record<string, IncidentPhase> = {
  '100': 'investigating',
  '200': 'identified',
  '300': 'monitoring',
};

export function isStatusioDocument(doc: Json): boolean {
  const r = doc['result'];
  return (
    isRecord(r) &&
    ('status_overall' in r ||
      (Array.isArray(r['status']) && ('incidents' in r || 'maintenance' in r)))
  );
}

/** The page id from `/1.0/status/<id>` (or the `/pages/<id>` of some mirrors). */
function pageIdFrom(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parts = new URL(url).pathname.split('/').filter(Boolean);
    const at = parts.findIndex((p) => p === 'status' || p === 'pages');
    return at !== -1 && parts[at + 1] ? itemId(decodeURIComponent(parts[at + 1]!)) : null;
  } catch {
    return null;
  }
}

export function normalizeStatusio(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const r = doc['result'] as Json;
  const pageId = pageIdFrom(options.url) ?? hostOf(options.url) ?? 'unknown';

  // Leaf components are a component's containers (regions, data centres), grouped by component.
  const components: StatusComponent[] = [];
  const leavesOf = new Map<string, string[]>();
  for (const c of records(r['status'])) {
    const id = shortStr(c['id']) ?? shortStr(c['_id']);
    if (!id) continue;
    const name = titleText(c['name'], id);
    const containers = records(c['containers']);
    const leaves: string[] = [];
    for (const k of containers) {
      const kid = shortStr(k['id']) ?? shortStr(k['_id']);
      if (!kid) continue;
      const leaf = `${id}:${kid}`;
      leaves.push(leaf);
      components.push({
        id: leaf,
        name: titleText(k['name'], kid),
        status: lookup(COMPONENT, k['status_code']) ?? 'degraded_performance',
        group: name,
      });
    }
    if (leaves.length === 0) {
      leaves.push(id);
      components.push({
        id,
        name,
        status: lookup(COMPONENT, c['status_code']) ?? 'degraded_performance',
        group: null,
      });
    }
    leavesOf.set(id, leaves);
  }
  /** Leaves of the affected components, narrowed to the affected containers when named. */
  const affected = (item: Json): string[] => {
    const containers = new Set(
      records(item['containers_affected']).flatMap((k) => {
        const id = shortStr(k['_id']) ?? shortStr(k['id']);
        return id ? [id] : [];
      }),
    );
    return records(item['components_affected']).flatMap((c) => {
      const id = shortStr(c['_id']) ?? shortStr(c['id']);
      const leaves = id ? (leavesOf.get(id) ?? [id]) : [];
      const narrowed = leaves.filter((l) => containers.has(l.slice(l.indexOf(':') + 1)));
      return containers.size && narrowed.length ? narrowed : leaves;
    });
  };

  const messages = (item: Json) =>
    records(item['messages'])
      .flatMap((m) => {
        const createdAt = toIsoUtc(m['datetime']);
        if (!createdAt) return [];
        const id = itemId(m['_id'] ?? m['id'], { name: m['details'], start: createdAt })!;
        return [{ id, body: bodyText(m['details']), createdAt, state: m['state'] }];
      })
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));

  const incidents: NormalizedIncident[] = records(r['incidents']).flatMap((i) => {
    const rawId = itemId(i['_id'] ?? i['id'], { name: i['name'], start: i['datetime_open'] });
    if (!rawId) return [];
    const updates = messages(i).map(({ state, ...u }) => ({
      ...u,
      phase: lookup(PHASE, state) ?? ('investigating' as const),
    }));
    const startedAt = toIsoUtc(i['datetime_open']) ?? updates.at(-1)?.createdAt ?? now;
    return [
      {
        id: `statusio:${pageId}:${rawId}`,
        title: titleText(i['name'], 'Untitled incident'),
        phase: updates[0]?.phase ?? 'investigating',
        // The public API lists active incidents only; an unknown code still means trouble.
        impact: lookup(IMPACT, i['status_code']) ?? 'minor',
        components: affected(i),
        startedAt,
        resolvedAt: null,
        updatedAt: updates[0]?.createdAt ?? startedAt,
        updates,
        shortlink: null,
      },
    ];
  });

  const maintenance = (m: Json, status: MaintenanceStatus): Maintenance[] => {
    const rawId = itemId(m['_id'] ?? m['id'], {
      name: m['name'],
      start: m['datetime_planned_start'],
    });
    if (!rawId) return [];
    return [
      {
        id: `statusio:${pageId}:${rawId}`,
        title: titleText(m['name'], 'Scheduled maintenance'),
        status,
        scheduledFor: toIsoUtc(m['datetime_planned_start']),
        scheduledUntil: toIsoUtc(m['datetime_planned_end']),
        components: affected(m),
        updates: messages(m).map(({ id, body, createdAt }) => ({ id, body, createdAt, status })),
      },
    ];
  };
  const m = isRecord(r['maintenance']) ? r['maintenance'] : {};
  const maintenances = [
    ...records(m['active']).flatMap((x) => maintenance(x, 'in_progress')),
    ...records(m['upcoming']).flatMap((x) => maintenance(x, 'scheduled')),
  ];

  const overall = isRecord(r['status_overall']) ? r['status_overall'] : {};
  const pageSeverity = lookup(SEVERITY, overall['status_code']);
  const severity = worstOf([
    pageSeverity ?? (components.length ? 'operational' : 'minor'),
    ...components.map((c) => SEVERITY_FROM_COMPONENT[c.status]),
    ...incidents.map((i) => SEVERITY_FROM_IMPACT[i.impact]),
    ...maintenances.filter((x) => x.status === 'in_progress').map(() => 'maintenance' as const),
  ]);
  return {
    source: 'statusio',
    document: 'summary',
    page: { id: pageId, name: pageId, url: null },
    severity,
    description: SEVERITY_TEXT[severity],
    components,
    incidents,
    maintenances,
  };
}
