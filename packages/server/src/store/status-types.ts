/** Storage types of status sources, site management and staff incident changes (issue 4). */
import type {
  Impact,
  Incident,
  IncidentPhase,
  Maintenance,
  NormalizedStatus,
  Severity,
  StatusSourceKind,
} from '@lifeboat/protocol';

/** What the poller keeps per site between polls. */
export interface StatusSourceState {
  siteId: string;
  url: string;
  kind: StatusSourceKind | null;
  etag: string | null;
  lastModified: string | null;
  lastSuccessAt: string | null;
  lastAttemptAt: string | null;
  /** Consecutive failed polls (0 after a success). */
  failures: number;
  error: string | null;
  /** The upstream's own overall severity and text, from the last good copy. */
  severity: Severity | null;
  description: string | null;
  maintenances: Maintenance[];
}

/** A site's settings as staff change them; absent fields stay as they are. */
export interface SitePatch {
  slug?: string;
  name?: string;
  origins?: string[];
  /** null: manual incidents only. */
  statusUrl?: string | null;
  /** null: the server default (LIFEBOAT_POLL_INTERVAL_MS). */
  pollIntervalMs?: number | null;
}

export type SiteWriteOutcome<T> = { kind: 'ok'; site: T } | { kind: 'slug_taken' };

/** A staff change to an incident; `update` adds an official update. */
export interface IncidentChange {
  title?: string;
  phase?: IncidentPhase;
  impact?: Impact;
  components?: string[];
  resolvedAt?: string | null;
  update?: { id: string; phase: IncidentPhase; body: string; createdAt: string };
}

export type IncidentChangeOutcome =
  { kind: 'ok'; incident: Incident; seq: number | null } | { kind: 'incident_not_found' };

/** A good upstream copy, with the validators of the response it came from. */
export interface UpstreamSnapshot {
  url: string;
  status: NormalizedStatus;
  etag: string | null;
  lastModified: string | null;
  at: string;
}
