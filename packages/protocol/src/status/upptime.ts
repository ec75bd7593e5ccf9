/**
 * Upptime (status pages run from a GitHub repository), both lists it keeps:
 * - `history/summary.json`: one entry per monitored site (`slug`, `name`, `url`, `status` up,
 *   degraded or down, uptimes), read as components;
 * - its incidents, GitHub issues labelled `status` and the site's slug (`🛑 <site> is down`,
 *   opened and closed by Upptime), from the GitHub API
 *   (`api.github.com/repos/<owner>/<repo>/issues?labels=status`), read as incidents whose
 *   components are the slugs, so they match the summary's components.
 */
import type { ComponentStatus, StatusComponent } from '../resources.js';
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
  records,
  shortStr,
  str,
  titleText,
  toIsoUtc,
} from './text.js';
import type { NormalizedIncident, NormalizedStatus } from './types.js';

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

/** GitHub issues, as the GitHub API lists them (a pull request carries `pull_request`). */
export function isGitHubIssuesDocument(doc: unknown[]): boolean {
  const sample = doc.slice(0, 20).filter(isRecord);
  return (
    sample.length > 0 &&
    sample.every(
      (i) =>
        'number' in i &&
        'title' in i &&
        typeof i['state'] === 'string' &&
        Array.isArray(i['labels']),
    )
  );
}

/** `owner.repo` of a raw.githubusercontent.com, github.com or api.github.com URL, else the host. */
function pageIdFrom(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const parts = u.pathname.split('/').filter(Boolean);
    const [owner, repo] =
      u.host === 'api.github.com' && parts[0] === 'repos' ? parts.slice(1) : parts;
    if (
      (u.host === 'raw.githubusercontent.com' ||
        u.host === 'github.com' ||
        u.host === 'api.github.com') &&
      owner &&
      repo
    )
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

const labelNames = (issue: Record<string, unknown>): string[] =>
  records(issue['labels']).flatMap((l) => {
    const name = shortStr(l['name']);
    return name ? [name] : [];
  });

export function normalizeGitHubIssues(
  doc: unknown[],
  options: { url?: string; now: Date },
): NormalizedStatus {
  const now = options.now.toISOString();
  const pageId = pageIdFrom(options.url) ?? 'unknown';
  const issues = records(doc).filter((i) => !('pull_request' in i));
  // Upptime's issues carry the `status` label; other issues of the list are not incidents.
  const labelled = issues.some((i) => labelNames(i).includes('status'));
  const incidents: NormalizedIncident[] = issues
    .filter((i) => !labelled || labelNames(i).includes('status'))
    .flatMap((i) => {
      const rawId = itemId(i['number'] ?? i['id'], { url: i['html_url'], name: i['title'] });
      if (!rawId) return [];
      const startedAt = toIsoUtc(i['created_at']) ?? now;
      const closed = str(i['state']) === 'closed';
      const resolvedAt = closed
        ? (toIsoUtc(i['closed_at']) ?? toIsoUtc(i['updated_at']) ?? now)
        : null;
      const phase = closed ? ('resolved' as const) : ('investigating' as const);
      const title = titleText(i['title'], 'Untitled incident');
      const body = bodyText(i['body']);
      return [
        {
          id: `upptime:${pageId}:${rawId}`,
          title,
          phase,
          // Upptime opens "🛑 … is down" and "🟨 … has degraded performance".
          impact:
            /degraded/i.test(title) || title.startsWith('🟨')
              ? ('minor' as const)
              : ('major' as const),
          components: labelNames(i).filter((l) => l !== 'status'),
          startedAt,
          resolvedAt,
          updatedAt: toIsoUtc(i['updated_at']) ?? startedAt,
          updates: body
            ? [{ id: `${rawId}:0`, phase: 'investigating' as const, body, createdAt: startedAt }]
            : [],
          shortlink: shortStr(i['html_url'], 2000),
        },
      ];
    });
  const severity = worstOf(
    incidents.filter((i) => !i.resolvedAt).map((i) => SEVERITY_FROM_IMPACT[i.impact]),
  );
  return {
    source: 'upptime',
    document: 'incidents',
    page: { id: pageId, name: pageId, url: null },
    severity,
    description: SEVERITY_TEXT[severity],
    components: [],
    incidents,
    maintenances: [],
  };
}
