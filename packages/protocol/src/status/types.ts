/** The one model every upstream status document is normalized to. */
import type {
  Impact,
  IncidentPhase,
  IncidentUpdate,
  Maintenance,
  Severity,
  StatusComponent,
} from '../resources.js';

export type StatusSourceType =
  | 'statuspage'
  | 'incidentio'
  | 'instatus'
  | 'betterstack'
  | 'statusio'
  | 'cachet'
  | 'uptimekuma'
  | 'openstatus'
  | 'upptime';

/**
 * Which document was read. A `summary` lists every open incident (an incident missing from it is
 * resolved); `incidents` lists recent ones, resolved included; `status` and `components` carry
 * no incidents at all.
 */
export type StatusDocumentKind =
  'summary' | 'status' | 'components' | 'incidents' | 'incident' | 'maintenances' | 'maintenance';

export interface NormalizedIncident {
  /**
   * `<source>:<pageId>:<incidentId>`, e.g. `statuspage:kctbh9vrtdwd:ljwdk6qml8z8`; an incident
   * without an upstream id gets one derived from its URL or its name and start (see ids.ts).
   */
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
  /**
   * False when the document says nothing about components (Instatus's summary, Uptime Kuma's
   * status page without heartbeats, OpenStatus's badge): the site's components are left as
   * they are rather than emptied. Absent means true.
   */
  componentsListed?: boolean;
  incidents: NormalizedIncident[];
  maintenances: Maintenance[];
}

/** Thrown for a document that is not one of the shapes Lifeboat reads. */
export class StatusSourceError extends Error {
  override name = 'StatusSourceError';
}
