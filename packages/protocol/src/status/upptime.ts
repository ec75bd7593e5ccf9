/**
 * Upptime (status pages run from a GitHub repository): `history/summary.json`, an array with one
 * entry per monitored site (`slug`, `name`, `url`, `status` up, degraded or down, uptimes). Read
 * as components; Upptime's incidents are GitHub issues, not in this file.
 */
import type { ComponentStatus, StatusComponent } from '../resources.js';
import { itemId } from './ids.js';
import { SEVERITY_FROM_COMPONENT, SEVERITY_TEXT, worstOf } from './severity.js';
import { hostOf, isRecord, lookup, records, shortStr, titleText } from './text.js';
import type { NormalizedStatus } from './types.js';

const STATUS: Record<string, ComponentStatus> = {
  up: 'operational',
  degraded: 'degraded_performance',
  down: 'major_outage',
};

export function isUpptimeDocument(doc: unknown[]): boolean {
  const sample = doc.slice(0, 20).filter(isRecord);
  return (
    sample.length > 0 &&
    sample.every(
      (s) => 'slug' in s && typeof s['status'] === 'string' && ('uptime' in s || 'url' in s),
    )
  );
}

/** `owner/repo` of a raw.githubusercontent.com or github.com URL, else the host. */
function pageIdFrom(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const [owner, repo] = u.pathname.split('/').filter(Boolean);
    if ((u.host === 'raw.githubusercontent.com' || u.host === 'github.com') && owner && repo)
      return itemId(`${owner}.${repo}`);
    return u.host || null;
  } catch {
    return null;
  }
}

export function normalizeUpptime(doc: unknown[], options: { url?: string }): NormalizedStatus {
  const pageId = pageIdFrom(options.url) ?? hostOf(options.url) ?? 'unknown';
  const seen = new Set<string>();
  const components: StatusComponent[] = records(doc).flatMap((s) => {
    const id = shortStr(s['slug']) ?? shortStr(s['url']);
    if (!id || seen.has(id)) return [];
    seen.add(id);
    return [
      {
        id,
        name: titleText(s['name'], id),
        status: lookup(STATUS, s['status']) ?? 'degraded_performance',
        group: null,
      },
    ];
  });
  const severity = worstOf(components.map((c) => SEVERITY_FROM_COMPONENT[c.status]));
  return {
    source: 'upptime',
    document: 'components',
    page: { id: pageId, name: pageId, url: null },
    severity,
    description: SEVERITY_TEXT[severity],
    components,
    incidents: [],
    maintenances: [],
  };
}
