/**
 * Better Stack (Better Uptime) status pages: the public `index.json` (`https://<page>/index.json`),
 * a JSON:API document. `data` is the `status_page` (`company_name`, `aggregate_state`:
 * operational, degraded, downtime, maintenance); `included` holds `status_page_section`s,
 * `status_page_resource`s (the components: operational, degraded, downtime, maintenance,
 * not_monitored), `status_report`s (`report_type` manual, automatic or maintenance, with
 * `aggregate_state` resolved once over) and their `status_update`s (`message`, `published_at`).
 */
import type {
  ComponentStatus,
  Impact,
  IncidentUpdate,
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
  originOf,
  records,
  shortStr,
  str,
  titleText,
  toIsoUtc,
} from './text.js';
import type { NormalizedIncident, NormalizedStatus } from './types.js';

type Json = Record<string, unknown>;

const PAGE_STATE: Record<string, Severity> = {
  operational: 'operational',
  degraded: 'minor',
  downtime: 'critical',
  maintenance: 'maintenance',
};

const RESOURCE_STATE: Record<string, ComponentStatus> = {
  operational: 'operational',
  // Shown grey on the page: no checks ran, nothing is known to be wrong.
  not_monitored: 'operational',
  degraded: 'degraded_performance',
  downtime: 'major_outage',
  maintenance: 'under_maintenance',
};

const REPORT_IMPACT: Record<string, Impact> = {
  operational: 'none',
  degraded: 'minor',
  downtime: 'critical',
};

export function isBetterStackDocument(doc: Json): boolean {
  const data = doc['data'];
  if (!isRecord(data)) return false;
  if (str(data['type']) === 'status_page') return true;
  const attributes = data['attributes'];
  return Array.isArray(doc['included']) && isRecord(attributes) && 'aggregate_state' in attributes;
}

const attrs = (item: Json): Json => (isRecord(item['attributes']) ? item['attributes'] : {});
const lower = (value: unknown) => (str(value) ?? '').slice(0, 40).toLowerCase();

export function normalizeBetterStack(
  doc: Json,
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const data = doc['data'] as Json;
  const page = attrs(data);
  const domain = shortStr(page['custom_domain'], 300);
  const subdomain = shortStr(page['subdomain'], 100);
  const pageUrl = domain
    ? `https://${domain}`
    : subdomain
      ? `https://${subdomain}.betteruptime.com`
      : originOf(options.url);
  const pageId = itemId(data['id']) ?? hostOf(pageUrl) ?? hostOf(options.url) ?? 'unknown';

  const included = records(doc['included']);
  const ofType = (type: string) => included.filter((i) => str(i['type']) === type);

  const sections = new Map<string, string>();
  for (const s of ofType('status_page_section')) {
    const id = shortStr(s['id']);
    const name = titleText(attrs(s)['name'], '');
    if (id && name) sections.set(id, name);
  }

  const components: StatusComponent[] = ofType('status_page_resource').flatMap((r) => {
    const a = attrs(r);
    const id = shortStr(r['id']) ?? shortStr(a['resource_id']);
    if (!id) return [];
    const known = lookup(RESOURCE_STATE, lower(a['status']));
    return [
      {
        id,
        name: titleText(a['public_name'] ?? a['resource_name'], id),
        // An unknown state is not "operational": say something is off rather than hide it.
        status: known ?? 'degraded_performance',
        group: sections.get(shortStr(a['status_page_section_id']) ?? '') ?? null,
      },
    ];
  });

  // Updates by report: a report's own list of ids, or the update's `status_report_id`.
  const updatesByReport = new Map<string, Json[]>();
  const updateById = new Map<string, Json>();
  for (const u of ofType('status_update')) {
    const id = shortStr(u['id']);
    if (id) updateById.set(id, u);
    const report = shortStr(attrs(u)['status_report_id']);
    if (report) updatesByReport.set(report, [...(updatesByReport.get(report) ?? []), u]);
  }
  const updatesOf = (report: Json, reportId: string | null): Json[] => {
    const rel = isRecord(report['relationships']) ? report['relationships'] : {};
    const su = isRecord(rel['status_updates']) ? rel['status_updates'] : {};
    const linked = records(su['data']).flatMap((ref) => {
      const u = updateById.get(shortStr(ref['id']) ?? '');
      return u ? [u] : [];
    });
    const own = reportId ? (updatesByReport.get(reportId) ?? []) : [];
    return [...new Set([...linked, ...own])];
  };
  const readUpdates = (report: Json, reportId: string | null) =>
    updatesOf(report, reportId)
      .flatMap((u) => {
        const a = attrs(u);
        const createdAt = toIsoUtc(a['published_at']) ?? toIsoUtc(a['created_at']);
        if (!createdAt) return [];
        const id = itemId(u['id'], { name: a['message'], start: createdAt })!;
        return [{ id, body: bodyText(a['message']), createdAt }];
      })
      .sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));

  const affected = (a: Json) =>
    records(a['affected_resources']).flatMap((r) => {
      const id = shortStr(r['status_page_resource_id']);
      return id && lower(r['status']) !== 'resolved' ? [id] : [];
    });

  const incidents: NormalizedIncident[] = [];
  const maintenances: Maintenance[] = [];
  for (const report of ofType('status_report')) {
    const a = attrs(report);
    const ownId = shortStr(report['id']);
    const rawId = itemId(report['id'], { name: a['title'], start: a['starts_at'] });
    if (!rawId) continue;
    const state = lower(a['aggregate_state']);
    const startsAt = toIsoUtc(a['starts_at']);
    const endsAt = toIsoUtc(a['ends_at']);
    const updates = readUpdates(report, ownId);
    const latest = updates[0]?.createdAt ?? null;
    if (lower(a['report_type']) === 'maintenance') {
      const status: MaintenanceStatus =
        state === 'resolved' || (endsAt !== null && endsAt <= now)
          ? 'completed'
          : startsAt !== null && startsAt > now
            ? 'scheduled'
            : 'in_progress';
      maintenances.push({
        id: `betterstack:${pageId}:${rawId}`,
        title: titleText(a['title'], 'Scheduled maintenance'),
        status,
        scheduledFor: startsAt,
        scheduledUntil: endsAt,
        components: affected(a),
        updates: updates.map((u) => ({ ...u, status })),
      });
      continue;
    }
    const resolved = state === 'resolved' || (endsAt !== null && endsAt <= now);
    const resolvedAt = resolved ? (endsAt ?? latest ?? startsAt ?? now) : null;
    const phase = resolved ? ('resolved' as const) : ('investigating' as const);
    const withPhase: IncidentUpdate[] = updates.map((u, i) => ({
      ...u,
      phase: i === 0 ? phase : ('investigating' as const),
    }));
    const startedAt = startsAt ?? updates.at(-1)?.createdAt ?? now;
    incidents.push({
      id: `betterstack:${pageId}:${rawId}`,
      title: titleText(a['title'], 'Untitled incident'),
      phase,
      // An open report in an unknown state still means something is wrong.
      impact: lookup(REPORT_IMPACT, state) ?? 'minor',
      components: affected(a),
      startedAt,
      resolvedAt,
      updatedAt: latest ?? startedAt,
      updates: withPhase,
      // index.json gives no link to a report; the page itself is linked from `page.url`.
      shortlink: null,
    });
  }

  const pageState = lookup(PAGE_STATE, lower(page['aggregate_state']));
  const open = incidents.filter((i) => i.resolvedAt === null);
  const severity = worstOf([
    // A page that does not say how it is, with nothing open, is not read as "all good".
    pageState ?? (components.length || open.length ? 'operational' : 'minor'),
    ...components.map((c) => SEVERITY_FROM_COMPONENT[c.status]),
    ...open.map((i) => SEVERITY_FROM_IMPACT[i.impact]),
    ...maintenances.filter((m) => m.status === 'in_progress').map(() => 'maintenance' as const),
  ]);
  return {
    source: 'betterstack',
    document: 'summary',
    page: {
      id: pageId,
      name: titleText(page['company_name'], hostOf(pageUrl) ?? pageId),
      url: pageUrl,
    },
    severity,
    description: SEVERITY_TEXT[severity],
    components,
    incidents,
    maintenances,
  };
}
