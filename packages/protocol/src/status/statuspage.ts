/**
 * Atlassian Statuspage v2 JSON (`/api/v2/*.json`), also served by incident.io pages in their
 * Statuspage-compatible mode: summary, status, components, incidents (all, unresolved, one) and
 * scheduled maintenances (all, upcoming, active, one).
 */
import type {
  ComponentStatus,
  Impact,
  IncidentPhase,
  IncidentUpdate,
  Maintenance,
  MaintenanceStatus,
  Severity,
  StatusComponent,
} from '../resources.js';
import {
  SEVERITY_FROM_COMPONENT,
  SEVERITY_FROM_IMPACT,
  SEVERITY_TEXT,
  worstOf,
} from './severity.js';
import { hash, itemId } from './ids.js';
import {
  bodyText,
  hostOf,
  isRecord,
  lookup,
  originOf,
  records,
  shortStr,
  str,
  titleText,
  toIsoUtc,
} from './text.js';
import type {
  NormalizedIncident,
  NormalizedStatus,
  StatusDocumentKind,
  StatusSourceType,
} from './types.js';

type Json = Record<string, unknown>;

const COMPONENT_STATUSES: readonly ComponentStatus[] = [
  'operational',
  'under_maintenance',
  'degraded_performance',
  'partial_outage',
  'major_outage',
];
const PHASES: readonly IncidentPhase[] = ['investigating', 'identified', 'monitoring', 'resolved'];
const MAINTENANCE_STATUSES: readonly MaintenanceStatus[] = [
  'scheduled',
  'in_progress',
  'verifying',
  'completed',
];
const INDICATORS: Record<string, Severity> = {
  none: 'operational',
  minor: 'minor',
  major: 'major',
  critical: 'critical',
  maintenance: 'maintenance',
};

export function componentStatus(value: unknown): ComponentStatus {
  const s = str(value) ?? '';
  if ((COMPONENT_STATUSES as readonly string[]).includes(s)) return s as ComponentStatus;
  if (s === 'full_outage') return 'major_outage';
  // An unknown state is not "operational": say something is off rather than hide it.
  return 'degraded_performance';
}

function phase(value: unknown): IncidentPhase {
  const s = str(value) ?? '';
  if ((PHASES as readonly string[]).includes(s)) return s as IncidentPhase;
  if (s === 'postmortem' || s === 'completed') return 'resolved';
  return 'investigating';
}

function impact(value: unknown): Impact {
  const s = str(value) ?? '';
  return s === 'minor' || s === 'major' || s === 'critical' ? s : 'none';
}

function maintenanceStatus(value: unknown): MaintenanceStatus {
  const s = str(value) ?? '';
  if ((MAINTENANCE_STATUSES as readonly string[]).includes(s)) return s as MaintenanceStatus;
  if (s === 'resolved' || s === 'postmortem') return 'completed';
  return 'scheduled';
}

/** Leaf components with their group's name; group components themselves are not listed. */
function components(raw: unknown): StatusComponent[] {
  const all = records(raw);
  const groupName = new Map<string, string>();
  for (const c of all) {
    if (c['group'] !== true) continue;
    const id = shortStr(c['id']);
    const name = titleText(c['name'], '');
    if (id) groupName.set(id, name);
    for (const child of Array.isArray(c['components']) ? c['components'] : []) {
      const childId = str(child);
      if (childId && !groupName.has(`child:${childId}`)) groupName.set(`child:${childId}`, name);
    }
  }
  const out: StatusComponent[] = [];
  for (const c of all) {
    if (c['group'] === true) continue;
    const id = shortStr(c['id']);
    if (!id) continue;
    const groupId = shortStr(c['group_id']);
    const group =
      (groupId ? groupName.get(groupId) : undefined) ?? groupName.get(`child:${id}`) ?? null;
    out.push({ id, name: titleText(c['name'], id), status: componentStatus(c['status']), group });
  }
  return out;
}

function updateTime(u: Json): string | null {
  return toIsoUtc(u['display_at']) ?? toIsoUtc(u['created_at']) ?? toIsoUtc(u['updated_at']);
}

function newestFirst<T extends { createdAt: string; id: string }>(items: T[]): T[] {
  return items.sort((a, b) =>
    a.createdAt === b.createdAt ? (a.id < b.id ? 1 : -1) : a.createdAt < b.createdAt ? 1 : -1,
  );
}

/** Component ids of an incident: its `components`, else those named by its updates. */
function affected(inc: Json): string[] {
  const ids = new Set<string>();
  for (const c of records(inc['components'])) {
    const id = str(c['id']);
    if (id) ids.add(id);
  }
  if (ids.size === 0) {
    for (const u of records(inc['incident_updates']))
      for (const c of records(u['affected_components'])) {
        const id = str(c['code']) ?? str(c['id']);
        if (id) ids.add(id);
      }
  }
  return [...ids];
}

/** An update's id: its own, else derived from its time and text (Rootly's updates carry none). */
function updateId(u: Json, createdAt: string): string {
  return itemId(u['id']) ?? `d${hash(`${createdAt}\u0000${str(u['body'])?.slice(0, 2000) ?? ''}`)}`;
}

function incident(
  inc: Json,
  pageId: string,
  prefix: StatusSourceType,
  now: string,
): NormalizedIncident | null {
  const rawId = itemId(inc['id'], {
    url: inc['shortlink'] ?? inc['url'],
    name: inc['name'],
    start: inc['started_at'] ?? inc['created_at'],
  });
  if (!rawId) return null;
  const updates: IncidentUpdate[] = newestFirst(
    records(inc['incident_updates']).flatMap((u) => {
      const createdAt = updateTime(u);
      if (!createdAt) return [];
      const id = updateId(u, createdAt);
      return [{ id, phase: phase(u['status']), body: bodyText(u['body']), createdAt }];
    }),
  );
  const oldestUpdate = updates.length ? updates[updates.length - 1]!.createdAt : null;
  const startedAt =
    toIsoUtc(inc['started_at']) ?? toIsoUtc(inc['created_at']) ?? oldestUpdate ?? now;
  const p = phase(inc['status']);
  const resolvedAt =
    toIsoUtc(inc['resolved_at']) ?? (p === 'resolved' ? (updates[0]?.createdAt ?? now) : null);
  return {
    id: `${prefix}:${pageId}:${rawId}`,
    title: titleText(inc['name'], 'Untitled incident'),
    phase: resolvedAt ? 'resolved' : p,
    impact: impact(inc['impact']),
    components: affected(inc),
    startedAt,
    resolvedAt,
    updatedAt: updates[0]?.createdAt ?? toIsoUtc(inc['updated_at']) ?? startedAt,
    updates,
    shortlink: shortStr(inc['shortlink'], 2000) ?? shortStr(inc['url'], 2000),
  };
}

function maintenance(m: Json, pageId: string, prefix: StatusSourceType): Maintenance | null {
  const rawId = itemId(m['id'], {
    url: m['shortlink'] ?? m['url'],
    name: m['name'],
    start: m['scheduled_for'] ?? m['created_at'],
  });
  if (!rawId) return null;
  return {
    id: `${prefix}:${pageId}:${rawId}`,
    title: titleText(m['name'], 'Scheduled maintenance'),
    status: maintenanceStatus(m['status']),
    scheduledFor: toIsoUtc(m['scheduled_for']),
    scheduledUntil: toIsoUtc(m['scheduled_until']),
    components: affected(m),
    updates: newestFirst(
      records(m['incident_updates']).flatMap((u) => {
        const createdAt = updateTime(u);
        if (!createdAt) return [];
        const id = updateId(u, createdAt);
        return [
          { id, status: maintenanceStatus(u['status']), body: bodyText(u['body']), createdAt },
        ];
      }),
    ),
  };
}

const isMaintenanceRecord = (o: Json) =>
  'scheduled_for' in o ||
  'scheduled_until' in o ||
  MAINTENANCE_STATUSES.includes(o['status'] as never);

/**
 * True for any Statuspage v2 document (page wrapper, or a bare incident/maintenance), and for
 * Statuspage-compatible ones that leave things out: Rootly's page has no `id`, some pages send
 * no `page` at all. A page wrapper needs one of the lists or the status to be read.
 */
export function isStatuspageDocument(doc: Json): boolean {
  const page = doc['page'];
  const hasData =
    isRecord(doc['status']) ||
    ['components', 'incidents', 'scheduled_maintenances'].some((k) => Array.isArray(doc[k]));
  if (isRecord(page)) return hasData;
  if (page === undefined && hasData) return true;
  return Array.isArray(doc['incident_updates']) && ('page_id' in doc || 'id' in doc);
}

function kindOf(doc: Json): StatusDocumentKind {
  // A bare incident or maintenance (`incidents/<id>.json`, a push notification's incident).
  if (!isRecord(doc['page']) && Array.isArray(doc['incident_updates']))
    return isMaintenanceRecord(doc) ? 'maintenance' : 'incident';
  if ('components' in doc && 'incidents' in doc) return 'summary';
  if ('incidents' in doc) return 'incidents';
  if ('scheduled_maintenances' in doc) return 'maintenances';
  if ('components' in doc) return 'components';
  return 'status';
}

export function normalizeStatuspage(
  doc: Json,
  source: StatusSourceType,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const document = kindOf(doc);
  const page = isRecord(doc['page']) ? doc['page'] : {};
  const pageUrl = shortStr(page['url'], 2000) ?? originOf(options.url);
  const pageId =
    itemId(page['id']) ??
    itemId(doc['page_id']) ??
    hostOf(pageUrl) ??
    hostOf(options.url) ??
    'unknown';

  const comps = components(doc['components']);
  const incidents: NormalizedIncident[] = [];
  const maintenances: Maintenance[] = [];
  if (document === 'incident') {
    const one = incident(doc, pageId, source, now);
    if (one) incidents.push(one);
  } else if (document === 'maintenance') {
    const one = maintenance(doc, pageId, source);
    if (one) maintenances.push(one);
  }
  for (const inc of records(doc['incidents'])) {
    // incidents.json may list maintenances among incidents on some pages: keep them apart.
    const one =
      isMaintenanceRecord(inc) && 'scheduled_for' in inc
        ? null
        : incident(inc, pageId, source, now);
    if (one) incidents.push(one);
  }
  for (const m of records(doc['scheduled_maintenances'])) {
    const one = maintenance(m, pageId, source);
    if (one) maintenances.push(one);
  }

  const status = isRecord(doc['status']) ? doc['status'] : null;
  const indicator = status ? lookup(INDICATORS, status['indicator']) : undefined;
  const open = incidents.filter((i) => i.resolvedAt === null);
  const severity = worstOf([
    indicator ?? 'operational',
    ...comps.map((c) => SEVERITY_FROM_COMPONENT[c.status]),
    ...open.map((i) => SEVERITY_FROM_IMPACT[i.impact]),
    ...maintenances
      .filter((m) => m.status === 'in_progress' || m.status === 'verifying')
      .map(() => 'maintenance' as const),
  ]);
  const upstreamText = status ? titleText(status['description'], '') : undefined;
  return {
    source,
    document,
    page: { id: pageId, name: titleText(page['name'], pageId), url: pageUrl },
    severity,
    description: upstreamText && indicator === severity ? upstreamText : SEVERITY_TEXT[severity],
    components: comps,
    incidents,
    maintenances,
  };
}
