/**
 * Instatus `summary.json`: `page.status` (UP, HASISSUES, UNDERMAINTENANCE), `activeIncidents`,
 * `activeMaintenances`. No components and no update texts in this document.
 */
import type {
  Impact,
  IncidentPhase,
  Maintenance,
  MaintenanceStatus,
  Severity,
} from '../resources.js';
import { SEVERITY_FROM_IMPACT, SEVERITY_TEXT, worstOf } from './severity.js';
import { itemId } from './ids.js';
import { hostOf, isRecord, lookup, records, str, titleText, toIsoUtc } from './text.js';
import type { NormalizedIncident, NormalizedStatus } from './types.js';

type Json = Record<string, unknown>;

const PAGE_STATUS: Record<string, Severity> = {
  UP: 'operational',
  HASISSUES: 'minor',
  UNDERMAINTENANCE: 'maintenance',
};

const IMPACT: Record<string, Impact> = {
  OPERATIONAL: 'none',
  DEGRADEDPERFORMANCE: 'minor',
  MINOROUTAGE: 'minor',
  PARTIALOUTAGE: 'major',
  MAJOROUTAGE: 'critical',
};

const PHASE: Record<string, IncidentPhase> = {
  INVESTIGATING: 'investigating',
  IDENTIFIED: 'identified',
  MONITORING: 'monitoring',
  RESOLVED: 'resolved',
};

const MAINTENANCE: Record<string, MaintenanceStatus> = {
  NOTSTARTEDYET: 'scheduled',
  INPROGRESS: 'in_progress',
  COMPLETED: 'completed',
};

export function isInstatusDocument(doc: Json): boolean {
  const page = doc['page'];
  return (
    'activeIncidents' in doc ||
    'activeMaintenances' in doc ||
    (isRecord(page) && lookup(PAGE_STATUS, page['status']) !== undefined)
  );
}

export function normalizeInstatus(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const page = isRecord(doc['page']) ? doc['page'] : {};
  const pageUrl = str(page['url']);
  const pageId = hostOf(pageUrl) ?? hostOf(options.url) ?? 'unknown';
  const key = (s: unknown) => (str(s) ?? '').slice(0, 40).toUpperCase();

  const incidents: NormalizedIncident[] = records(doc['activeIncidents']).flatMap((i: Json) => {
    // Instatus's summary.json often leaves `id` out: the incident is kept, its id derived.
    const rawId = itemId(i['id'], { url: i['url'], name: i['name'], start: i['started'] });
    if (!rawId) return [];
    const startedAt = toIsoUtc(i['started']) ?? now;
    const phase = lookup(PHASE, key(i['status'])) ?? 'investigating';
    const updatedAt = toIsoUtc(i['updatedAt']) ?? startedAt;
    return [
      {
        id: `instatus:${pageId}:${rawId}`,
        title: titleText(i['name'], 'Untitled incident'),
        phase,
        // An active incident without a known impact still means something is wrong.
        impact: lookup(IMPACT, key(i['impact'])) ?? 'minor',
        components: [],
        startedAt,
        resolvedAt: phase === 'resolved' ? updatedAt : null,
        updatedAt,
        updates: [],
        shortlink: str(i['url'])?.slice(0, 2000) ?? null,
      },
    ];
  });

  const maintenances: Maintenance[] = records(doc['activeMaintenances']).flatMap((m: Json) => {
    const rawId = itemId(m['id'], { url: m['url'], name: m['name'], start: m['start'] });
    if (!rawId) return [];
    const start = toIsoUtc(m['start']);
    const minutes = Number(m['duration']);
    const until =
      start && Number.isFinite(minutes) && minutes > 0
        ? toIsoUtc(new Date(Date.parse(start) + Math.min(minutes, 1e9) * 60_000).toISOString())
        : null;
    return [
      {
        id: `instatus:${pageId}:${rawId}`,
        title: titleText(m['name'], 'Scheduled maintenance'),
        status: lookup(MAINTENANCE, key(m['status'])) ?? 'scheduled',
        scheduledFor: start,
        scheduledUntil: until,
        components: [],
        updates: [],
      },
    ];
  });

  const pageSeverity = lookup(PAGE_STATUS, key(page['status']));
  const open = incidents.filter((i) => i.resolvedAt === null);
  const severity = worstOf([
    // An unknown page status with nothing else to go on is not read as "all good".
    pageSeverity ?? (open.length ? 'operational' : 'minor'),
    ...open.map((i) => SEVERITY_FROM_IMPACT[i.impact]),
    ...maintenances.filter((m) => m.status === 'in_progress').map(() => 'maintenance' as const),
  ]);
  return {
    source: 'instatus',
    document: 'summary',
    page: { id: pageId, name: titleText(page['name'], pageId), url: pageUrl },
    severity,
    description: SEVERITY_TEXT[severity],
    components: [],
    componentsListed: false,
    incidents,
    maintenances,
  };
}
