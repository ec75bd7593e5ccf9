/**
 * Uptime Kuma's public status-page API, both documents:
 * - `/api/status-page/<slug>`: `{ config, incident | incidents, publicGroupList, maintenanceList }`
 *   (1.x has one pinned `incident`, 2.1+ an `incidents` list; the socket API's copy has the config
 *   at the top level). Monitors are named here but carry no state; some builds add the
 *   `heartbeatList` of the other document, and then the states are read too.
 * - `/api/status-page/heartbeat/<slug>`: `{ heartbeatList: { <monitorId>: [beats] }, uptimeList }`:
 *   each monitor's latest beat (0 down, 1 up, 2 pending, 3 maintenance), without names.
 * Times have no offset (`2026-06-18 08:00:00.000`, the server's zone) and are read as UTC.
 */
import type {
  ComponentStatus,
  Impact,
  Maintenance,
  MaintenanceStatus,
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
  MAX_ITEMS,
  originOf,
  records,
  shortStr,
  str,
  titleText,
  toIsoUtc,
} from './text.js';
import type { NormalizedIncident, NormalizedStatus } from './types.js';

type Json = Record<string, unknown>;

const BEAT: Record<string, ComponentStatus> = {
  '0': 'major_outage',
  '1': 'operational',
  '2': 'degraded_performance',
  '3': 'under_maintenance',
};

/** An incident's style is its only sign of gravity; the info-like ones are announcements. */
const STYLE_IMPACT: Record<string, Impact> = {
  danger: 'major',
  warning: 'minor',
  info: 'none',
  primary: 'none',
  light: 'none',
  dark: 'none',
};

const MAINTENANCE: Record<string, MaintenanceStatus> = {
  'under-maintenance': 'in_progress',
  scheduled: 'scheduled',
  ended: 'completed',
  inactive: 'completed',
};

export function isUptimeKumaDocument(doc: Json): boolean {
  if (Array.isArray(doc['publicGroupList'])) return true;
  if (isRecord(doc['heartbeatList']) && (isRecord(doc['uptimeList']) || 'publicGroupList' in doc))
    return true;
  return (
    isRecord(doc['config']) &&
    ('incident' in doc || 'incidents' in doc || Array.isArray(doc['maintenanceList']))
  );
}

/** The slug from `/api/status-page/<slug>` or `/api/status-page/heartbeat/<slug>`. */
function slugFrom(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parts = new URL(url).pathname.split('/').filter(Boolean);
    const at = parts.indexOf('status-page');
    if (at === -1) return null;
    const slug = parts[at + 1] === 'heartbeat' ? parts[at + 2] : parts[at + 1];
    return slug ? itemId(decodeURIComponent(slug)) : null;
  } catch {
    return null;
  }
}

/** Each monitor's latest beat, by monitor id (the list is oldest first; times decide). */
function latestBeats(list: unknown): Map<string, ComponentStatus> {
  const out = new Map<string, ComponentStatus>();
  if (!isRecord(list)) return out;
  for (const id of Object.keys(list).slice(0, MAX_ITEMS)) {
    const key = shortStr(id);
    if (!key) continue;
    let best: Json | null = null;
    let bestAt = '';
    for (const beat of records(list[id])) {
      const at = toIsoUtc(beat['time']) ?? '';
      if (!best || at >= bestAt) {
        best = beat;
        bestAt = at;
      }
    }
    // A monitor without beats has not been checked yet: nothing known is wrong.
    out.set(
      key,
      best ? (lookup(BEAT, str(best['status'])) ?? 'degraded_performance') : 'operational',
    );
  }
  return out;
}

export function normalizeUptimeKuma(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const config = isRecord(doc['config']) ? doc['config'] : doc;
  const pageId =
    slugFrom(options.url) ?? itemId(config['slug']) ?? hostOf(options.url) ?? 'unknown';
  const origin = originOf(options.url);
  const pageUrl = origin ? `${origin}/status/${encodeURIComponent(pageId)}` : null;
  const beats = latestBeats(doc['heartbeatList']);
  const hasGroups = Array.isArray(doc['publicGroupList']);

  const components: StatusComponent[] = [];
  if (hasGroups) {
    // Named monitors; their state only when this document carries the heartbeats too.
    const seen = new Set<string>();
    for (const g of records(doc['publicGroupList'])) {
      const group = titleText(g['name'], '') || null;
      for (const m of records(g['monitorList'])) {
        const id = shortStr(m['id']);
        if (!id || seen.has(id) || !beats.has(id)) continue;
        seen.add(id);
        components.push({
          id,
          name: titleText(m['name'], `Monitor ${id}`),
          status: beats.get(id)!,
          group,
        });
      }
    }
  } else {
    for (const [id, status] of beats)
      components.push({ id, name: `Monitor ${id}`, status, group: null });
  }

  const listed = Array.isArray(doc['incidents'])
    ? doc['incidents']
    : isRecord(doc['incident'])
      ? [doc['incident']]
      : [];
  const incidents: NormalizedIncident[] = records(listed).flatMap((i) => {
    const rawId = itemId(i['id'], { name: i['title'], start: i['createdDate'] });
    if (!rawId) return [];
    const startedAt = toIsoUtc(i['createdDate']) ?? now;
    const updatedAt = toIsoUtc(i['lastUpdatedDate']) ?? startedAt;
    // An unpinned incident is off the page: over.
    const resolved = i['pin'] === false || i['pin'] === 0;
    const phase = resolved ? ('resolved' as const) : ('investigating' as const);
    const body = bodyText(i['content']);
    return [
      {
        id: `uptimekuma:${pageId}:${rawId}`,
        title: titleText(i['title'], 'Untitled incident'),
        phase,
        impact: lookup(STYLE_IMPACT, i['style']) ?? 'minor',
        components: [],
        startedAt,
        resolvedAt: resolved ? updatedAt : null,
        updatedAt,
        updates: body ? [{ id: `${rawId}:${updatedAt}`, phase, body, createdAt: updatedAt }] : [],
        shortlink: pageUrl,
      },
    ];
  });

  const maintenances: Maintenance[] = records(doc['maintenanceList']).flatMap((m) => {
    const slot = records(m['timeslotList'])[0] ?? (isRecord(m['timeslot']) ? m['timeslot'] : {});
    const start = slot['startDate'] ?? m['start_date'];
    const rawId = itemId(m['id'], { name: m['title'], start });
    if (!rawId) return [];
    // The status page lists the maintenances under way unless they say otherwise.
    const status = lookup(MAINTENANCE, m['status']) ?? 'in_progress';
    const body = bodyText(m['description']);
    const at = toIsoUtc(start) ?? now;
    return [
      {
        id: `uptimekuma:${pageId}:${rawId}`,
        title: titleText(m['title'], 'Scheduled maintenance'),
        status,
        scheduledFor: toIsoUtc(start),
        scheduledUntil: toIsoUtc(slot['endDate'] ?? m['end_date']),
        components: [],
        updates: body ? [{ id: `${rawId}:0`, status, body, createdAt: at }] : [],
      },
    ];
  });

  const open = incidents.filter((i) => i.resolvedAt === null);
  const severity = worstOf([
    ...components.map((c) => SEVERITY_FROM_COMPONENT[c.status]),
    ...open.map((i) => SEVERITY_FROM_IMPACT[i.impact]),
    ...maintenances.filter((m) => m.status === 'in_progress').map(() => 'maintenance' as const),
  ]);
  const statusPage =
    hasGroups || 'incident' in doc || 'incidents' in doc || 'maintenanceList' in doc;
  return {
    source: 'uptimekuma',
    // The heartbeat document has monitors only; the status page has the incidents too.
    document: statusPage ? 'summary' : 'components',
    page: { id: pageId, name: titleText(config['title'], pageId), url: pageUrl },
    severity,
    description: SEVERITY_TEXT[severity],
    components,
    componentsListed: components.length > 0 || beats.size > 0 || !statusPage,
    incidents,
    maintenances,
  };
}
