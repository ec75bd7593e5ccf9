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
import { htmlToText, isRecord, records, str, toIsoUtc } from './text.js';
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
    (isRecord(page) && typeof page['status'] === 'string' && str(page['status'])! in PAGE_STATUS)
  );
}

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return null;
  }
}

export function normalizeInstatus(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const page = isRecord(doc['page']) ? doc['page'] : {};
  const pageUrl = str(page['url']);
  const pageId = hostOf(pageUrl) ?? hostOf(options.url) ?? 'unknown';
  const key = (s: unknown) => (str(s) ?? '').toUpperCase();

  const incidents: NormalizedIncident[] = records(doc['activeIncidents']).flatMap((i: Json) => {
    const rawId = str(i['id']);
    if (!rawId) return [];
    const startedAt = toIsoUtc(i['started']) ?? now;
    const phase = PHASE[key(i['status'])] ?? 'investigating';
    const updatedAt = toIsoUtc(i['updatedAt']) ?? startedAt;
    return [
      {
        id: `instatus:${pageId}:${rawId}`,
        title: htmlToText(i['name']) || 'Untitled incident',
        phase,
        // An active incident without a known impact still means something is wrong.
        impact: IMPACT[key(i['impact'])] ?? 'minor',
        components: [],
        startedAt,
        resolvedAt: phase === 'resolved' ? updatedAt : null,
        updatedAt,
        updates: [],
        shortlink: str(i['url']),
      },
    ];
  });

  const maintenances: Maintenance[] = records(doc['activeMaintenances']).flatMap((m: Json) => {
    const rawId = str(m['id']);
    if (!rawId) return [];
    const start = toIsoUtc(m['start']);
    const minutes = Number(m['duration']);
    const until =
      start && Number.isFinite(minutes) && minutes > 0
        ? new Date(Date.parse(start) + minutes * 60_000).toISOString()
        : null;
    return [
      {
        id: `instatus:${pageId}:${rawId}`,
        title: htmlToText(m['name']) || 'Scheduled maintenance',
        status: MAINTENANCE[key(m['status'])] ?? 'scheduled',
        scheduledFor: start,
        scheduledUntil: until,
        components: [],
        updates: [],
      },
    ];
  });

  const pageSeverity = PAGE_STATUS[key(page['status'])];
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
    page: { id: pageId, name: str(page['name']) ?? pageId, url: pageUrl },
    severity,
    description: SEVERITY_TEXT[severity],
    components: [],
    incidents,
    maintenances,
  };
}
