/**
 * incident.io's widget documents, every shape it serves:
 * - the status page proxy (`/proxy/<domain>`): `{ summary: { id, name, public_url,
 *   affected_components, ongoing_incidents, in_progress_maintenances, scheduled_maintenances } }`;
 * - the widget API (`/api/v1/summary`, also `/api/widget`): the same lists at the top level, with
 *   `page_title` and `page_url`;
 * - a widget document listing `incidents` (not `ongoing_incidents`) next to a page-wide
 *   `current_worst_impact` and `affected_components`.
 * Only affected components are listed; each incident carries its latest update only. An item
 * without an `id` keeps a derived one (its URL, else its name and time).
 */
import type { Impact, Maintenance, StatusComponent } from '../resources.js';
import { itemId } from './ids.js';
import { componentStatus } from './statuspage.js';
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
  str,
  titleText,
  toIsoUtc,
} from './text.js';
import type { NormalizedIncident, NormalizedStatus } from './types.js';

type Json = Record<string, unknown>;

const IMPACT: Record<string, Impact> = {
  operational: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  full_outage: 'critical',
};

const PHASES: Record<string, 'investigating' | 'identified' | 'monitoring' | 'resolved'> = {
  investigating: 'investigating',
  identified: 'identified',
  monitoring: 'monitoring',
  resolved: 'resolved',
};

/** Keys only incident.io's widget documents have at the top level (a Statuspage doc has `page`). */
const TOP_LEVEL = [
  'ongoing_incidents',
  'in_progress_maintenances',
  'current_worst_impact',
  'affected_components',
];

const looksLikeWidgetItem = (i: unknown) =>
  isRecord(i) &&
  ('current_worst_impact' in i ||
    'last_update_message' in i ||
    (str(i['status']) ?? '').startsWith('maintenance_'));
const anyWidgetItem = (list: unknown) =>
  Array.isArray(list) && list.slice(0, 50).some(looksLikeWidgetItem);

export function isIncidentioDocument(doc: Json): boolean {
  const s = doc['summary'];
  if (
    isRecord(s) &&
    ('ongoing_incidents' in s || 'affected_components' in s || 'in_progress_maintenances' in s)
  )
    return true;
  if ('page' in doc) return false;
  return (
    TOP_LEVEL.some((k) => k in doc) ||
    anyWidgetItem(doc['incidents']) ||
    anyWidgetItem(doc['scheduled_maintenances'])
  );
}

function componentIds(item: Json): string[] {
  return records(item['affected_components']).flatMap((c) => {
    const id = shortStr(c['id']) ?? shortStr(c['component_id']);
    return id ? [id] : [];
  });
}

export function normalizeIncidentio(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const s = isRecord(doc['summary']) ? doc['summary'] : doc;
  const pageUrl = shortStr(s['public_url'], 2000) ?? shortStr(s['page_url'], 2000);
  const pageId = itemId(s['id']) ?? hostOf(pageUrl) ?? hostOf(options.url) ?? 'unknown';

  // Affected components: the page's list, and those named by its incidents with a status.
  const byId = new Map<string, StatusComponent>();
  const addComponent = (c: Json) => {
    const id = shortStr(c['id']) ?? shortStr(c['component_id']);
    if (!id || byId.has(id)) return;
    const raw = c['current_status'] ?? c['status'];
    if (raw === undefined && !('current_status' in c)) return;
    byId.set(id, {
      id,
      name: titleText(c['name'], id),
      status: componentStatus(raw),
      group: shortStr(c['group_name'], 300),
    });
  };
  for (const c of records(s['affected_components'])) addComponent(c);

  const listed = Array.isArray(s['ongoing_incidents']) ? s['ongoing_incidents'] : s['incidents'];
  const incidents: NormalizedIncident[] = records(listed).flatMap((i) => {
    const rawId = itemId(i['id'], {
      url: i['url'],
      name: i['name'],
      start: i['started_at'] ?? i['published_at'],
    });
    if (!rawId) return [];
    for (const c of records(i['affected_components'])) addComponent(c);
    const updatedAt = toIsoUtc(i['last_update_at']) ?? toIsoUtc(i['published_at']) ?? now;
    const phase = lookup(PHASES, i['status']) ?? 'investigating';
    const body = bodyText(i['last_update_message']);
    return [
      {
        id: `incidentio:${pageId}:${rawId}`,
        title: titleText(i['name'], 'Untitled incident'),
        phase,
        impact: lookup(IMPACT, i['current_worst_impact']) ?? 'minor',
        components: componentIds(i),
        startedAt: toIsoUtc(i['started_at']) ?? toIsoUtc(i['published_at']) ?? updatedAt,
        resolvedAt: phase === 'resolved' ? (toIsoUtc(i['resolved_at']) ?? updatedAt) : null,
        updatedAt,
        updates: body ? [{ id: `${rawId}:${updatedAt}`, phase, body, createdAt: updatedAt }] : [],
        shortlink: shortStr(i['url'], 2000),
      },
    ];
  });

  const maintenance = (m: Json, inProgress: boolean): Maintenance[] => {
    const rawId = itemId(m['id'], {
      url: m['url'],
      name: m['name'],
      start: m['starts_at'] ?? m['started_at'],
    });
    if (!rawId) return [];
    const at = toIsoUtc(m['last_update_at']);
    const body = bodyText(m['last_update_message']);
    const status =
      inProgress || str(m['status']) === 'maintenance_in_progress'
        ? ('in_progress' as const)
        : ('scheduled' as const);
    return [
      {
        id: `incidentio:${pageId}:${rawId}`,
        title: titleText(m['name'], 'Scheduled maintenance'),
        status,
        scheduledFor: toIsoUtc(m['started_at']) ?? toIsoUtc(m['starts_at']),
        scheduledUntil: toIsoUtc(m['scheduled_end_at']) ?? toIsoUtc(m['ends_at']),
        components: componentIds(m),
        updates: body && at ? [{ id: `${rawId}:${at}`, status, body, createdAt: at }] : [],
      },
    ];
  };
  const maintenances = [
    ...records(s['in_progress_maintenances']).flatMap((m) => maintenance(m, true)),
    ...records(s['scheduled_maintenances']).flatMap((m) => maintenance(m, false)),
  ];

  const components = [...byId.values()];
  const pageImpact = lookup(IMPACT, s['current_worst_impact']);
  const severity = worstOf([
    ...(pageImpact ? [SEVERITY_FROM_IMPACT[pageImpact]] : []),
    ...components.map((c) => SEVERITY_FROM_COMPONENT[c.status]),
    ...incidents.filter((i) => !i.resolvedAt).map((i) => SEVERITY_FROM_IMPACT[i.impact]),
    ...maintenances.filter((m) => m.status === 'in_progress').map(() => 'maintenance' as const),
  ]);
  return {
    source: 'incidentio',
    document: 'summary',
    page: {
      id: pageId,
      name: titleText(s['name'] ?? s['page_title'], hostOf(pageUrl) ?? pageId),
      url: pageUrl,
    },
    severity,
    description: SEVERITY_TEXT[severity],
    components,
    incidents,
    maintenances,
  };
}
