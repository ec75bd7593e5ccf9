/** The one model every upstream status document is normalized to. */
import type {
  Impact,
  IncidentPhase,
  IncidentUpdate,
  Maintenance,
  Severity,
  StatusComponent,
} from '../resources.js';

export type StatusSourceType = 'statuspage' | 'incidentio' | 'instatus';

/**
 * Which document was read. A `summary` lists every open incident (an incident missing from it is
 * resolved); `incidents` lists recent ones, resolved included; `status` and `components` carry
 * no incidents at all.
 */
export type StatusDocumentKind =
  'summary' | 'status' | 'components' | 'incidents' | 'incident' | 'maintenances' | 'maintenance';

export interface NormalizedIncident {
  /** `statuspage:<pageId>:<incidentId>` (`incidentio:`/`instatus:` for those sources). */
  id: string;
  title: string;
  phase: IncidentPhase;
  impact: Impact;
  /** Ids of affected components. */
  components: string[];
  startedAt: string;
  resolvedAt: string | null;
  /** Time of the latest official update. */
  updatedAt: string;
  /** Newest first; bodies are plain text. */
  updates: IncidentUpdate[];
  shortlink: string | null;
}

export interface NormalizedStatus {
  source: StatusSourceType;
  /** What the document was (see StatusDocumentKind). */
  document: StatusDocumentKind;
  page: { id: string; name: string; url: string | null };
  /** Worst of the page's indicator, its open incidents, in-progress maintenances and components. */
  severity: Severity;
  description: string;
  /** Leaf components; a child of a group carries the group's name in `group`. */
  components: StatusComponent[];
  incidents: NormalizedIncident[];
  maintenances: Maintenance[];
}

/** Thrown for a document that is not one of the shapes Lifeboat reads. */
export class StatusSourceError extends Error {
  override name = 'StatusSourceError';
}
