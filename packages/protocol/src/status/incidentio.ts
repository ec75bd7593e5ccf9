/**
 * incident.io's widget documents, every shape it serves:
 * - the status page proxy (`/proxy/<domain>`): `{ summary: { id, name, public_url,
 *   affected_components, ongoing_incidents, in_progress_maintenances, scheduled_maintenances } }`;
 * - the widget API (`/api/v1/summary`, also `/api/widget`): the same lists at the top level, with
 *   `page_title` and `page_url`;
 * - a widget document listing `incidents` (not `ongoing_incidents`) next to a page-wide
 *   `current_worst_impact` and `affected_components`.
 * - the Status Page API v2 (`api.incident.io/v2/status_page_incidents`, with an API key, for a
 *   proxy of your own): `{ status_page_incidents: [...] }` or `{ status_page_incident: {...} }`,
 *   each with every update (`incident_status`, `message`, `published_at`) and `component_impacts`.
 * Widget documents list only affected components and each incident's latest update. An item
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
  if (Array.isArray(doc['status_page_incidents']) || isRecord(doc['status_page_incident']))
    return true;
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

const COMPONENT_IMPACT: Record<string, Impact> = {
  operational: 'none',
  degraded_performance: 'minor',
  partial_outage: 'major',
  full_outage: 'critical',
};
const IMPACT_ORDER: readonly Impact[] = ['none', 'minor', 'major', 'critical'];

/** The Status Page API v2's incidents: every update, impacts per component. */
function normalizeApiIncidents(doc: Json, options: { url?: string; now: Date }): NormalizedStatus {
  const now = options.now.toISOString();
  const single = isRecord(doc['status_page_incident']);
  const list = single ? [doc['status_page_incident']] : doc['status_page_incidents'];
  const items = records(list);
  const pageId = itemId(items[0]?.['status_page_id']) ?? hostOf(options.url) ?? 'unknown';
  const incidents: NormalizedIncident[] = items.flatMap((i) => {
    const rawId = itemId(i['id'], { name: i['name'], start: i['published_at'] });
    if (!rawId) return [];
    const phase = lookup(PHASES, i['status']) ?? 'investigating';
    const updates = records(i['updates'])
      .flatMap((u) => {
        const createdAt = toIsoUtc(u['published_at']);
        if (!createdAt) return [];
        return [
          {
            id: itemId(u['id'], { name: u['message'], start: createdAt })!,
            phase: lookup(PHASES, u['incident_status']) ?? phase,
            body: bodyText(u['message']),
            createdAt,
          },
        ];
      })
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
    // Impacts still open (no end) count; once all have ended, the worst one the incident had.
    const impacts = records(i['component_impacts']);
    const open = impacts.filter((c) => c['end_at'] === null || c['end_at'] === undefined);
    let impact: Impact = 'none';
    for (const c of open.length ? open : impacts) {
      const one = lookup(COMPONENT_IMPACT, c['component_status']) ?? 'minor';
      if (IMPACT_ORDER.indexOf(one) > IMPACT_ORDER.indexOf(impact)) impact = one;
    }
    if (impact === 'none' && phase !== 'resolved' && !impacts.length) impact = 'minor';
    const startedAt = toIsoUtc(i['published_at']) ?? updates.at(-1)?.createdAt ?? now;
    const updatedAt = updates[0]?.createdAt ?? startedAt;
    return [
      {
        id: `incidentio:${pageId}:${rawId}`,
        title: titleText(i['name'], 'Untitled incident'),
        phase,
        impact,
        components: [
          ...new Set(
            impacts.flatMap((c) => {
              const id = shortStr(c['component_id']);
              return id ? [id] : [];
            }),
          ),
        ],
        startedAt,
        resolvedAt: phase === 'resolved' ? updatedAt : null,
        updatedAt,
        updates,
        shortlink: null,
      },
    ];
  });
  const severity = worstOf(
    incidents.filter((i) => !i.resolvedAt).map((i) => SEVERITY_FROM_IMPACT[i.impact]),
  );
  return {
    source: 'incidentio',
    document: single ? 'incident' : 'incidents',
    page: { id: pageId, name: pageId, url: null },
    severity,
    description: SEVERITY_TEXT[severity],
    components: [],
    incidents,
    maintenances: [],
  };
}

export function normalizeIncidentio(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  if (Array.isArray(doc['status_page_incidents']) || isRecord(doc['status_page_incident']))
    return normalizeApiIncidents(doc, options);
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
