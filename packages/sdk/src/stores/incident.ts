import type { Incident, PublicEvent } from '@lifeboat/protocol';
import type { Context } from '../context.js';
import { incidentIdOf } from '../context.js';
import type { LoadableResource } from './loadable.js';
import { createLoadable } from './loadable.js';

/** One incident, fetched on first listen and kept live. */
export function createIncident(ctx: Context, incidentId: string): LoadableResource<Incident> {
  return createLoadable<Incident>(ctx, {
    path: `/incidents/${encodeURIComponent(incidentId)}`,
    reduce: reduceIncident,
  });
}

/** An incident after a stream event (the same object when the event does not touch it). */
export function reduceIncident(incident: Incident, event: PublicEvent): Incident {
  if (incidentIdOf(event) !== incident.id) return incident;
  const top = incident.topWorkaround;
  switch (event.type) {
    case 'post.created':
      return { ...incident, postCount: incident.postCount + 1 };
    case 'post.updated':
      return top?.id === event.post.id ? { ...incident, topWorkaround: event.post } : incident;
    case 'reaction.changed':
      return top?.id === event.postId
        ? { ...incident, topWorkaround: { ...top, counts: event.counts } }
        : incident;
    case 'affected.changed':
      return { ...incident, affectedCount: event.count };
    case 'maintenance.updated':
      return incident;
    default:
      return event.incident;
  }
}
