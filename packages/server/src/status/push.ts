/**
 * Push notifications from a status page, read into the same NormalizedStatus the poller applies
 * (ADR 0026). Atlassian Statuspage webhooks (and Instatus's, which copy their shape) are JSON
 * with `meta`, `page` and either `incident` (with `incident_updates`) or `component` with
 * `component_update`; incident.io sends the Statuspage shape too. An incident is read by the
 * Statuspage normalizer of @lifeboat/protocol, so a pushed incident gets the very id a poll of
 * the same page gives it (`statuspage:<page id>:<incident id>`, `instatus:<page host>:<id>`) and
 * the next poll reconciles it.
 */
import {
  normalizeStatusDocument,
  SEVERITY_TEXT,
  StatusSourceError,
  toIsoUtc,
  type ComponentStatus,
  type NormalizedStatus,
  type Severity,
} from '@lifeboat/protocol';
import type { PushProvider } from '../store/sql-webhooks.js';

export class PushPayloadError extends Error {
  override name = 'PushPayloadError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export type PushNotification =
  | { kind: 'incident'; status: NormalizedStatus }
  /** A scheduled maintenance (Statuspage sends them as incidents with `scheduled_for`): the poll reads it. */
  | { kind: 'maintenance' }
  | {
      kind: 'component';
      status: NormalizedStatus;
      component: { id: string; status: ComponentStatus; at: string | null };
    };

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : typeof v === 'number' ? String(v) : null;

/** Page indicators: Statuspage's words and Instatus's page statuses. */
const INDICATOR: Record<string, Severity> = {
  none: 'operational',
  minor: 'minor',
  major: 'major',
  critical: 'critical',
  maintenance: 'maintenance',
  UP: 'operational',
  HASISSUES: 'minor',
  UNDERMAINTENANCE: 'maintenance',
};

const INSTATUS_IMPACT: Record<string, string> = {
  OPERATIONAL: 'none',
  DEGRADEDPERFORMANCE: 'minor',
  MINOROUTAGE: 'minor',
  PARTIALOUTAGE: 'major',
  MAJOROUTAGE: 'critical',
};

const COMPONENT: Record<string, ComponentStatus> = {
  operational: 'operational',
  under_maintenance: 'under_maintenance',
  degraded_performance: 'degraded_performance',
  partial_outage: 'partial_outage',
  major_outage: 'major_outage',
  OPERATIONAL: 'operational',
  UNDERMAINTENANCE: 'under_maintenance',
  DEGRADEDPERFORMANCE: 'degraded_performance',
  MINOROUTAGE: 'degraded_performance',
  PARTIALOUTAGE: 'partial_outage',
  MAJOROUTAGE: 'major_outage',
};

function hostOf(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}

/** An Instatus incident in the Statuspage words the normalizer reads. */
function fromInstatus(incident: Json): Json {
  const lower = (v: unknown) => (typeof v === 'string' ? v.toLowerCase() : v);
  return {
    ...incident,
    status: lower(incident['status']),
    impact:
      typeof incident['impact'] === 'string'
        ? (INSTATUS_IMPACT[incident['impact']] ?? lower(incident['impact']))
        : incident['impact'],
    incident_updates: Array.isArray(incident['incident_updates'])
      ? incident['incident_updates'].map((u: unknown) =>
          isRecord(u) ? { ...u, status: lower(u['status']) } : u,
        )
      : incident['incident_updates'],
  };
}

/**
 * Reads one push notification. `statusUrl` is the site's polled URL (the page id of an Instatus
 * page is its host, as the poller reads it). Throws PushPayloadError naming the field at fault.
 */
export function readPushNotification(
  body: unknown,
  provider: PushProvider,
  options: { statusUrl: string | null; now?: Date },
): PushNotification {
  if (!isRecord(body)) throw new PushPayloadError('body', 'Expected a JSON object.');
  const page = body['page'];
  if (!isRecord(page))
    throw new PushPayloadError('page', 'A status page notification has a "page" object.');
  const indicator = text(page['status_indicator']);
  const severity = indicator ? INDICATOR[indicator] : undefined;
  const upstreamText = text(page['status_description']);
  const pageId =
    provider === 'instatus'
      ? (hostOf(text(page['url'])) ?? hostOf(options.statusUrl) ?? text(page['id']))
      : text(page['id']);
  if (!pageId) throw new PushPayloadError('page.id', 'The page has no id.');
  const base = (incidents: NormalizedStatus['incidents']): NormalizedStatus => {
    const worst = severity ?? 'operational';
    return {
      source: provider,
      document: incidents.length ? 'incident' : 'status',
      page: { id: pageId, name: text(page['name']) ?? pageId, url: text(page['url']) },
      severity: worst,
      description: upstreamText ?? SEVERITY_TEXT[worst],
      components: [],
      incidents,
      maintenances: [],
    };
  };

  if (isRecord(body['incident'])) {
    const raw = {
      ...(provider === 'instatus' ? fromInstatus(body['incident']) : body['incident']),
    };
    if (raw['scheduled_for'] !== null && raw['scheduled_for'] !== undefined)
      return { kind: 'maintenance' };
    // Statuspage's incidents carry `scheduled_for: null` and the like: not a maintenance.
    for (const key of ['scheduled_for', 'scheduled_until']) if (raw[key] === null) delete raw[key];
    if (!text(raw['id'])) throw new PushPayloadError('incident.id', 'The incident has no id.');
    if (!Array.isArray(raw['incident_updates']))
      throw new PushPayloadError(
        'incident.incident_updates',
        'The incident has no "incident_updates" list.',
      );
    let normalized: NormalizedStatus;
    try {
      normalized = normalizeStatusDocument(
        { ...raw, page_id: pageId },
        { now: options.now ?? new Date() },
      );
    } catch (err) {
      if (err instanceof StatusSourceError) throw new PushPayloadError('incident', err.message);
      throw err;
    }
    const incidents = normalized.incidents.map((i) => ({
      ...i,
      id: `${provider}${i.id.slice(i.id.indexOf(':'))}`,
    }));
    if (incidents.length !== 1)
      throw new PushPayloadError('incident', 'The incident could not be read.');
    const status = base(incidents);
    // Without the page's indicator, the incident's own impact says how bad it is.
    if (!severity) {
      status.severity = normalized.severity;
      status.description = SEVERITY_TEXT[normalized.severity];
    }
    return { kind: 'incident', status };
  }

  if (isRecord(body['component']) || isRecord(body['component_update'])) {
    const update = isRecord(body['component_update']) ? body['component_update'] : {};
    const component = isRecord(body['component']) ? body['component'] : {};
    const id = text(update['component_id']) ?? text(component['id']);
    if (!id) throw new PushPayloadError('component.id', 'The component has no id.');
    const word = text(update['new_status']) ?? text(component['status']);
    const status = word ? COMPONENT[word] : undefined;
    if (!status)
      throw new PushPayloadError(
        'component_update.new_status',
        `Unknown component status "${word ?? ''}".`,
      );
    return {
      kind: 'component',
      status: base([]),
      component: { id, status, at: toIsoUtc(update['created_at']) },
    };
  }

  throw new PushPayloadError(
    'body',
    'Expected an "incident" with "incident_updates", or a "component" with "component_update".',
  );
}
