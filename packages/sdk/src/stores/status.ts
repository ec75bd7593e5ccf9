import type { PublicEvent, SiteStatus } from '@lifeboat/protocol';
import type { Context } from '../context.js';
import { reduceIncident } from './incident.js';
import type { LoadableResource } from './loadable.js';
import { createLoadable } from './loadable.js';

/** The site's status and open incidents, fetched on first listen and kept live. */
export function createStatus(ctx: Context): LoadableResource<SiteStatus> {
  return createLoadable<SiteStatus>(ctx.stream, {
    fetch: () => ctx.request<SiteStatus>('GET', '/status'),
    seqOf: (status) => status.lastEventId,
    reduce: reduceStatus,
  });
}

/** Status after a stream event: open incidents are added, updated, and removed once resolved. */
export function reduceStatus(status: SiteStatus, event: PublicEvent): SiteStatus {
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
