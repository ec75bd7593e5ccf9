/**
 * OpenStatus's public status badge (`https://api.openstatus.dev/public/status/<slug>`):
 * `{ "status": "operational" }`, one of operational, degraded_performance, partial_outage,
 * major_outage, under_maintenance, unknown and incident (an incident is open on the page).
 * The page's overall state only: no components, no incident texts.
 */
import type { Severity } from '../resources.js';
import { itemId } from './ids.js';
import { SEVERITY_TEXT } from './severity.js';
import { hostOf, lookup } from './text.js';
import type { NormalizedStatus } from './types.js';

type Json = Record<string, unknown>;

const STATUS: Record<string, Severity> = {
  operational: 'operational',
  degraded_performance: 'minor',
  partial_outage: 'major',
  major_outage: 'critical',
  under_maintenance: 'maintenance',
  // An open incident whose gravity the badge does not say; "unknown" is not "all good" either.
  incident: 'minor',
  unknown: 'minor',
};

export function isOpenStatusDocument(doc: Json): boolean {
  const keys = Object.keys(doc);
  return (
    keys.length <= 3 &&
    typeof doc['status'] === 'string' &&
    lookup(STATUS, doc['status']) !== undefined
  );
}

function slugFrom(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const parts = new URL(url).pathname.split('/').filter(Boolean);
    const at = parts.indexOf('status');
    return at !== -1 && parts[at + 1] ? itemId(decodeURIComponent(parts[at + 1]!)) : null;
  } catch {
    return null;
  }
}

export function normalizeOpenStatus(doc: Json, options: { url?: string }): NormalizedStatus {
  const pageId = slugFrom(options.url) ?? hostOf(options.url) ?? 'unknown';
  const severity = lookup(STATUS, doc['status']) ?? 'minor';
  return {
    source: 'openstatus',
    document: 'status',
    page: { id: pageId, name: pageId, url: null },
    severity,
    description: SEVERITY_TEXT[severity],
    components: [],
    componentsListed: false,
    incidents: [],
    maintenances: [],
  };
}
