/**
 * normalizeStatusDocument: detects the upstream shape and reads it into NormalizedStatus.
 *
 * Detection is by shape, never by host or path (a page may sit behind any domain): an ordered
 * list of readers, the most specific first, each with a cheap test on top-level keys. Once a
 * reader claims a document it never throws: whatever the details, it reads what it can (unknown
 * states are not read as operational, items without ids get derived ones). See ADR 0025.
 */
import { isBetterStackDocument, normalizeBetterStack } from './betterstack.js';
import { isCachetDocument, normalizeCachet } from './cachet.js';
import { isIncidentioDocument, normalizeIncidentio } from './incidentio.js';
import { isInstatusDocument, normalizeInstatus } from './instatus.js';
import { isOpenStatusDocument, normalizeOpenStatus } from './openstatus.js';
import { isStatuspageDocument, normalizeStatuspage } from './statuspage.js';
import { isStatusioDocument, normalizeStatusio } from './statusio.js';
import { hostOf, isRecord } from './text.js';
import { StatusSourceError, type NormalizedStatus } from './types.js';
import { isUptimeKumaDocument, normalizeUptimeKuma } from './uptimekuma.js';
import {
  isGitHubIssuesDocument,
  isUpptimeDocument,
  normalizeGitHubIssues,
  normalizeUpptime,
} from './upptime.js';

type Json = Record<string, unknown>;
type Options = { url?: string; now: Date };

function looksLikeIncidentio(url: string | null | undefined): boolean {
  const host = hostOf(url);
  return host !== null && (host === 'incident.io' || host.endsWith('.incident.io'));
}

/** The readers of object documents, in the order they are tried. */
const READERS: ReadonlyArray<{
  name: string;
  detect: (doc: Json) => boolean;
  read: (doc: Json, options: Options) => NormalizedStatus;
}> = [
  { name: 'Better Stack', detect: isBetterStackDocument, read: normalizeBetterStack },
  { name: 'Status.io', detect: isStatusioDocument, read: normalizeStatusio },
  { name: 'Uptime Kuma', detect: isUptimeKumaDocument, read: normalizeUptimeKuma },
  // Instatus before Statuspage: its `page` has no id and its status is a word like HASISSUES.
  { name: 'Instatus', detect: isInstatusDocument, read: normalizeInstatus },
  { name: 'incident.io', detect: isIncidentioDocument, read: normalizeIncidentio },
  { name: 'Cachet', detect: isCachetDocument, read: normalizeCachet },
  { name: 'OpenStatus', detect: isOpenStatusDocument, read: normalizeOpenStatus },
  {
    name: 'Statuspage',
    detect: isStatuspageDocument,
    read: (doc, opts) => {
      const page = isRecord(doc['page']) ? doc['page'] : {};
      const incidentio =
        looksLikeIncidentio(opts.url) ||
        looksLikeIncidentio(typeof page['url'] === 'string' ? page['url'] : null);
      return normalizeStatuspage(doc, incidentio ? 'incidentio' : 'statuspage', opts);
    },
  },
];

const HINT =
  'Point it at a Statuspage-compatible /api/v2/summary.json, an incident.io or Instatus page, ' +
  'a Better Stack /index.json, Status.io, Cachet, Uptime Kuma, OpenStatus or Upptime (see docs/status-sources.md).';

/**
 * Reads a parsed upstream status document: Atlassian Statuspage v2 and compatible pages
 * (incident.io, Rootly, …), incident.io's widget documents, Instatus, Better Stack, Status.io,
 * Cachet, Uptime Kuma, OpenStatus and Upptime. Throws StatusSourceError for anything else.
 */
export function normalizeStatusDocument(
  json: unknown,
  options: { url?: string; now?: Date } = {},
): NormalizedStatus {
  const now = options.now ?? new Date();
  const opts: Options = { now, ...(options.url !== undefined ? { url: options.url } : {}) };
  if (Array.isArray(json)) {
    if (isUpptimeDocument(json)) return normalizeUpptime(json, opts);
    if (isGitHubIssuesDocument(json)) return normalizeGitHubIssues(json, opts);
    throw new StatusSourceError(
      `Expected a JSON object from the status page (or one of Upptime's lists), got an array of something else. ${HINT}`,
    );
  }
  if (!isRecord(json))
    throw new StatusSourceError(
      `Expected a JSON object from the status page, got ${json === null ? 'null' : typeof json}.`,
    );
  for (const reader of READERS) if (reader.detect(json)) return reader.read(json, opts);
  const keys =
    Object.keys(json)
      .slice(0, 6)
      .map((k) => k.slice(0, 40))
      .join(', ') || 'no keys';
  throw new StatusSourceError(`Not a status document Lifeboat can read (keys: ${keys}). ${HINT}`);
}
