/** normalizeStatusDocument: detects the upstream shape and reads it into NormalizedStatus. */
import { isIncidentioDocument, normalizeIncidentio } from './incidentio.js';
import { isInstatusDocument, normalizeInstatus } from './instatus.js';
import { isStatuspageDocument, normalizeStatuspage } from './statuspage.js';
import { isRecord } from './text.js';
import { StatusSourceError, type NormalizedStatus } from './types.js';

function looksLikeIncidentio(url: string | null | undefined): boolean {
  if (!url) return false;
  try {
    const host = new URL(url).host;
    return host === 'incident.io' || host.endsWith('.incident.io');
  } catch {
    return false;
  }
}

/**
 * Reads a parsed upstream status document: Atlassian Statuspage v2 (summary, status, components,
 * incidents, unresolved, one incident, scheduled maintenances), incident.io (its
 * Statuspage-compatible JSON or its widget document) or an Instatus `summary.json`.
 * Throws StatusSourceError for anything else.
 */
export function normalizeStatusDocument(
  json: unknown,
  options: { url?: string; now?: Date } = {},
): NormalizedStatus {
  const now = options.now ?? new Date();
  const opts = { now, ...(options.url !== undefined ? { url: options.url } : {}) };
  if (!isRecord(json))
    throw new StatusSourceError(
      `Expected a JSON object from the status page, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}.`,
    );
  // Instatus first: its `page` has no id and its status is a word like HASISSUES.
  if (isInstatusDocument(json)) return normalizeInstatus(json, opts);
  if (isIncidentioDocument(json)) return normalizeIncidentio(json, opts);
  if (isStatuspageDocument(json)) {
    const page = isRecord(json['page']) ? json['page'] : {};
    const incidentio =
      looksLikeIncidentio(options.url) ||
      looksLikeIncidentio(typeof page['url'] === 'string' ? page['url'] : null);
    return normalizeStatuspage(json, incidentio ? 'incidentio' : 'statuspage', opts);
  }
  const keys = Object.keys(json).slice(0, 6).join(', ') || 'no keys';
  throw new StatusSourceError(
    `Not a status document Lifeboat can read (keys: ${keys}). Point it at a Statuspage or incident.io /api/v2/summary.json, or an Instatus /summary.json.`,
  );
}
