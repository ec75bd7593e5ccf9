/**
 * incident.io's widget document (`/proxy/<domain>` on an incident.io status page):
 * `{ summary: { name, public_url, affected_components, ongoing_incidents,
 * in_progress_maintenances, scheduled_maintenances } }`. Only affected components are listed.
 */
import type { Impact, Maintenance, StatusComponent } from '../resources.js';
import { componentStatus } from './statuspage.js';
import {
  SEVERITY_FROM_COMPONENT,
  SEVERITY_FROM_IMPACT,
  SEVERITY_TEXT,
  worstOf,
} from './severity.js';
import { htmlToText, isRecord, records, str, toIsoUtc } from './text.js';
import type { NormalizedIncident, NormalizedStatus } from './types.js';

type Json = Record<string, unknown>;

const IMPACT: Record<string, Impact> = {
  degraded_performance: 'minor',
  partial_outage: 'major',
  full_outage: 'critical',
};

const PHASES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;

export function isIncidentioDocument(doc: Json): boolean {
  const s = doc['summary'];
  return (
    isRecord(s) &&
    ('ongoing_incidents' in s || 'affected_components' in s || 'in_progress_maintenances' in s)
  );
}

function componentIds(item: Json): string[] {
  return records(item['affected_components']).flatMap((c) => {
    const id = str(c['id']);
    return id ? [id] : [];
  });
}

export function normalizeIncidentio(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const s = doc['summary'] as Json;
  const pageUrl = str(s['public_url']);
  let pageId = str(s['id']);
  if (!pageId) {
    try {
      pageId = new URL(pageUrl ?? options.url ?? '').host;
    } catch {
      pageId = 'unknown';
    }
  }

  const components: StatusComponent[] = records(s['affected_components']).flatMap((c) => {
    const id = str(c['id']);
    if (!id) return [];
    return [
      {
        id,
        name: str(c['name']) ?? id,
        status: componentStatus(c['current_status'] ?? c['status']),
        group: str(c['group_name']),
      },
    ];
  });

  const incidents: NormalizedIncident[] = records(s['ongoing_incidents']).flatMap((i) => {
    const rawId = str(i['id']);
    if (!rawId) return [];
    const updatedAt = toIsoUtc(i['last_update_at']) ?? now;
    const status = str(i['status']) ?? '';
    const phase = (PHASES as readonly string[]).includes(status)
      ? (status as (typeof PHASES)[number])
      : 'investigating';
    const body = htmlToText(i['last_update_message']);
    return [
      {
        id: `incidentio:${pageId}:${rawId}`,
        title: htmlToText(i['name']) || 'Untitled incident',
        phase,
        impact: IMPACT[str(i['current_worst_impact']) ?? ''] ?? 'minor',
        components: componentIds(i),
        startedAt: toIsoUtc(i['started_at']) ?? updatedAt,
        resolvedAt: phase === 'resolved' ? updatedAt : null,
        updatedAt,
        updates: body ? [{ id: `${rawId}:${updatedAt}`, phase, body, createdAt: updatedAt }] : [],
        shortlink: str(i['url']),
      },
    ];
  });

  const maintenance = (m: Json, inProgress: boolean): Maintenance[] => {
    const rawId = str(m['id']);
    if (!rawId) return [];
    const at = toIsoUtc(m['last_update_at']);
    const body = htmlToText(m['last_update_message']);
    const status = inProgress ? ('in_progress' as const) : ('scheduled' as const);
    return [
      {
        id: `incidentio:${pageId}:${rawId}`,
        title: htmlToText(m['name']) || 'Scheduled maintenance',
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

  const severity = worstOf([
    ...components.map((c) => SEVERITY_FROM_COMPONENT[c.status]),
    ...incidents.filter((i) => !i.resolvedAt).map((i) => SEVERITY_FROM_IMPACT[i.impact]),
    ...maintenances.filter((m) => m.status === 'in_progress').map(() => 'maintenance' as const),
  ]);
  return {
    source: 'incidentio',
    document: 'summary',
    page: { id: pageId, name: str(s['name']) ?? pageId, url: pageUrl },
    severity,
    description: SEVERITY_TEXT[severity],
    components,
    incidents,
    maintenances,
  };
}
