import type { Maintenance, PublicEvent, Severity, SiteStatus } from '@lifeboat/protocol';
import type { Context } from '../context.js';
import { reduceIncident } from './incident.js';
import type { LoadableResource } from './loadable.js';
import { createLoadable } from './loadable.js';

/** The site's status and open incidents, fetched on first listen and kept live. */
export function createStatus(ctx: Context): LoadableResource<SiteStatus> {
  return createLoadable<SiteStatus>(ctx, {
    path: '/status',
    seqOf: (status) => status.lastEventId,
    reduce: reduceStatus,
  });
}

/**
 * Status after a stream event: open incidents are added, updated, and removed once resolved;
 * maintenances likewise (removed once completed).
 */
export function reduceStatus(status: SiteStatus, event: PublicEvent): SiteStatus {
  if (event.type === 'maintenance.updated') return reduceMaintenances(status, event.maintenance);
  const { incidents } = status;
  let next: SiteStatus['incidents'];
  if ('incident' in event) {
    const incident = event.incident;
    const others = incidents.filter((i) => i.id !== incident.id);
    if (event.type === 'incident.resolved' || incident.phase === 'resolved') next = others;
    else if (others.length === incidents.length) next = [incident, ...incidents];
    else next = incidents.map((i) => (i.id === incident.id ? incident : i));
  } else {
    next = incidents.map((i) => reduceIncident(i, event));
    if (next.every((i, index) => i === incidents[index])) return status;
  }
  return { ...status, incidents: next };
}

function reduceMaintenances(status: SiteStatus, maintenance: Maintenance): SiteStatus {
  const list = status.maintenances ?? [];
  const others = list.filter((m) => m.id !== maintenance.id);
  const maintenances =
    maintenance.status === 'completed'
      ? others
      : others.length === list.length
        ? [...list, maintenance]
        : list.map((m) => (m.id === maintenance.id ? maintenance : m));
  if (maintenances === others && others.length === list.length) return status;
  return { ...status, maintenances, severity: severityWith(status, maintenances) };
}

const active = (m: Maintenance) => m.status === 'in_progress' || m.status === 'verifying';

/**
 * The overall severity once maintenances changed: an active maintenance raises an operational
 * site to `maintenance`, and the last one ending lowers it back unless a component still says
 * it is under maintenance (worse severities come from incidents and components: left alone).
 */
function severityWith(status: SiteStatus, maintenances: readonly Maintenance[]): Severity {
  const busy =
    maintenances.some(active) || status.components.some((c) => c.status === 'under_maintenance');
  if (status.severity === 'operational' && busy) return 'maintenance';
  if (status.severity === 'maintenance' && !busy) return 'operational';
  return status.severity;
}
