/**
 * Cachet (self-hosted, API v1): `GET /api/v1/incidents` and `GET /api/v1/components`, each
 * `{ meta: { pagination }, data: [...] }` (one item: `{ data: {...} }`). Incident status: 0
 * scheduled, 1 investigating, 2 identified, 3 watching, 4 fixed; component status: 1
 * operational, 2 performance issues, 3 partial outage, 4 major outage. Times have no offset
 * (`2015-08-01 12:00:00`, the server's zone) and are read as UTC. Cachet 3's JSON:API items
 * (`{ id, type, attributes }`) are read the same way.
 */
import type { ComponentStatus, IncidentPhase, Maintenance, StatusComponent } from '../resources.js';
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
  originOf,
  records,
  shortStr,
  str,
  titleText,
  toIsoUtc,
} from './text.js';
import type { NormalizedIncident, NormalizedStatus, StatusDocumentKind } from './types.js';

type Json = Record<string, unknown>;

const PHASE: Record<string, IncidentPhase | 'scheduled'> = {
  '0': 'scheduled',
  '1': 'investigating',
  '2': 'identified',
  '3': 'monitoring',
  '4': 'resolved',
};
const COMPONENT: Record<string, ComponentStatus> = {
  '1': 'operational',
  '2': 'degraded_performance',
  '3': 'partial_outage',
  '4': 'major_outage',
};

/** A v1 item, or a v3 JSON:API item flattened (`attributes` with the `id` next to them). */
function flat(item: Json): Json {
  return isRecord(item['attributes']) ? { ...item['attributes'], id: item['id'] } : item;
}

/** Cachet 3 sends `status` as `{ value, human }`. */
const code = (value: unknown): unknown => (isRecord(value) ? value['value'] : value);

const isIncident = (i: Json) =>
  'human_status' in i || ('message' in i && ('visible' in i || 'component_id' in i));
const isComponent = (c: Json) =>
  'status_name' in c || ('status' in c && ('group_id' in c || 'order' in c || 'link' in c));

function items(doc: Json): Json[] {
  const data = doc['data'];
  return (Array.isArray(data) ? records(data) : isRecord(data) ? [data] : []).map(flat);
}

export function isCachetDocument(doc: Json): boolean {
  if (!('data' in doc) || 'page' in doc) return false;
  const list = items(doc).slice(0, 20);
  if (list.length === 0) {
    const meta = doc['meta'];
    return Array.isArray(doc['data']) && isRecord(meta) && isRecord(meta['pagination']);
  }
  return list.some((i) => isIncident(i) || isComponent(i));
}

export function normalizeCachet(doc: Json, options: { url?: string; now: Date }): NormalizedStatus {
  const now = options.now.toISOString();
  const pageUrl = originOf(options.url);
  const pageId = hostOf(options.url) ?? 'unknown';
  const list = items(doc);
  const single = isRecord(doc['data']);

  const incidents: NormalizedIncident[] = [];
  const maintenances: Maintenance[] = [];
  const components: StatusComponent[] = [];
  for (const item of list) {
    if (isIncident(item)) {
      // Hidden incidents are for logged-in staff only.
      if (item['visible'] === 0 || item['visible'] === false) continue;
      const start = item['occurred_at'] ?? item['created_at'];
      const rawId = itemId(item['id'], { name: item['name'], start });
      if (!rawId) continue;
      const status = lookup(PHASE, str(code(item['status'])));
      const createdAt = toIsoUtc(start) ?? now;
      const updatedAt = toIsoUtc(item['updated_at']) ?? createdAt;
      const body = bodyText(item['message']);
      if (status === 'scheduled') {
        maintenances.push({
          id: `cachet:${pageId}:${rawId}`,
          title: titleText(item['name'], 'Scheduled maintenance'),
          status: 'scheduled',
          scheduledFor: toIsoUtc(item['scheduled_at']),
          scheduledUntil: null,
          components: [],
          updates: body ? [{ id: `${rawId}:0`, status: 'scheduled', body, createdAt }] : [],
        });
        continue;
      }
      const phase = status ?? 'investigating';
      const updates = records(item['updates'])
        .map(flat)
        .flatMap((u) => {
          const at = toIsoUtc(u['created_at']);
          if (!at) return [];
          const uPhase = lookup(PHASE, str(code(u['status'])));
          return [
            {
              id: itemId(u['id'], { name: u['message'], start: at })!,
              phase: uPhase && uPhase !== 'scheduled' ? uPhase : phase,
              body: bodyText(u['message']),
              createdAt: at,
            },
          ];
        });
      // The incident's own message is its first update.
      if (body)
        updates.push({
          id: `${rawId}:0`,
          phase: updates.length ? 'investigating' : phase,
          body,
          createdAt,
        });
      updates.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
      const componentId = shortStr(item['component_id']);
      incidents.push({
        id: `cachet:${pageId}:${rawId}`,
        title: titleText(item['name'], 'Untitled incident'),
        phase,
        // Cachet incidents carry no impact; an open one means something is wrong.
        impact: phase === 'resolved' ? 'none' : 'minor',
        components: componentId && componentId !== '0' ? [componentId] : [],
        startedAt: createdAt,
        resolvedAt: phase === 'resolved' ? updatedAt : null,
        updatedAt: updates[0]?.createdAt ?? updatedAt,
        updates,
        shortlink: pageUrl ? `${pageUrl}/incidents/${encodeURIComponent(rawId)}` : null,
      });
    } else if (isComponent(item)) {
      if (item['enabled'] === false || item['enabled'] === 0) continue;
      const id = shortStr(item['id']);
      if (!id) continue;
      components.push({
        id,
        name: titleText(item['name'], id),
        // 0 is Cachet's "Unknown": not read as operational.
        status: lookup(COMPONENT, str(code(item['status']))) ?? 'degraded_performance',
        group: null,
      });
    }
  }

  const document: StatusDocumentKind = single
    ? incidents.length
      ? 'incident'
      : maintenances.length
        ? 'maintenance'
        : 'components'
    : components.length && !incidents.length && !maintenances.length
      ? 'components'
      : 'incidents';
  const open = incidents.filter((i) => i.resolvedAt === null);
  const severity = worstOf([
    ...components.map((c) => SEVERITY_FROM_COMPONENT[c.status]),
    ...open.map((i) => SEVERITY_FROM_IMPACT[i.impact]),
  ]);
  return {
    source: 'cachet',
    document,
    page: { id: pageId, name: pageId, url: pageUrl },
    severity,
    description: SEVERITY_TEXT[severity],
    components,
    incidents,
    maintenances,
  };
}
