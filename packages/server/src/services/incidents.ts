/**
 * Manual incidents, for sites without an upstream status page: create, change, resolve. Shared
 * by the staff API and the CLI. Incidents that follow an upstream page are changed by the poller
 * only.
 */
import { ulid, type Impact, type Incident, type IncidentPhase, LIMITS } from '@lifeboat/protocol';
import type { IncidentChange, SiteRecord, Store } from '../store/store.js';
import type { FieldError } from './sites.js';

export const INCIDENT_TITLE = { min: 1, max: 200 } as const;

export interface NewManualIncident {
  title: string;
  impact: Impact;
  phase?: IncidentPhase;
  components?: string[];
  /** The first official update. */
  body: string;
}

export interface ManualIncidentChange {
  title?: string;
  phase?: IncidentPhase;
  impact?: Impact;
  components?: string[];
  /** A new official update. */
  body?: string;
}

export type IncidentOutcome =
  | { kind: 'ok'; incident: Incident; seq: number | null }
  | { kind: 'invalid'; errors: FieldError[] }
  | { kind: 'not_found' }
  | { kind: 'follows_upstream' }
  | { kind: 'already_resolved' };

/** Ingested incidents have `source:page:id` ids. */
export const isIngested = (incidentId: string) => incidentId.includes(':');

async function check(
  store: Store,
  site: SiteRecord,
  input: ManualIncidentChange,
  create: boolean,
): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  if (input.title !== undefined || create) {
    const n = (input.title ?? '').trim().length;
    if (n < INCIDENT_TITLE.min || n > INCIDENT_TITLE.max)
      errors.push({ field: 'title', message: `Use 1 to ${INCIDENT_TITLE.max} characters.` });
  }
  if (input.body !== undefined || create) {
    const n = (input.body ?? '').trim().length;
    if (n < 1 || n > LIMITS.postBody.max)
      errors.push({ field: 'body', message: `Use 1 to ${LIMITS.postBody.max} characters.` });
  }
  if (create && input.phase === 'resolved')
    errors.push({ field: 'phase', message: 'A new incident cannot start resolved.' });
  if (input.components?.length) {
    const known = new Set((await store.listComponents(site.id)).map((c) => c.id));
    const unknown = input.components.filter((c) => !known.has(c));
    if (unknown.length)
      errors.push({
        field: 'components',
        message: `Unknown component ${unknown.map((c) => `"${c}"`).join(', ')}.`,
      });
  }
  return errors;
}

export async function createManualIncident(
  store: Store,
  site: SiteRecord,
  input: NewManualIncident,
  now = new Date(),
): Promise<IncidentOutcome> {
  const errors = await check(store, site, input, true);
  if (errors.length) return { kind: 'invalid', errors };
  const at = now.toISOString();
  const phase = input.phase ?? 'investigating';
  const { incident, seq } = await store.createIncident(site.id, {
    id: ulid(now.getTime()),
    title: input.title.trim(),
    phase,
    impact: input.impact,
    components: [...new Set(input.components ?? [])],
    startedAt: at,
    resolvedAt: null,
    threadState: 'open',
    updates: [{ id: ulid(now.getTime()), phase, body: input.body.trim(), createdAt: at }],
  });
  return { kind: 'ok', incident, seq };
}

export async function changeManualIncident(
  store: Store,
  site: SiteRecord,
  incidentId: string,
  input: ManualIncidentChange,
  now = new Date(),
): Promise<IncidentOutcome> {
  const current = await store.getIncident(site.id, incidentId);
  if (!current) return { kind: 'not_found' };
  if (isIngested(incidentId)) return { kind: 'follows_upstream' };
  const errors = await check(store, site, input, false);
  if (errors.length) return { kind: 'invalid', errors };
  const at = now.toISOString();
  const phase = input.phase ?? current.phase;
  const change: IncidentChange = {
    ...(input.title !== undefined ? { title: input.title.trim() } : {}),
    ...(input.phase !== undefined ? { phase: input.phase } : {}),
    ...(input.impact !== undefined ? { impact: input.impact } : {}),
    ...(input.components !== undefined ? { components: [...new Set(input.components)] } : {}),
    // Any phase but resolved reopens a resolved incident.
    ...(input.phase === 'resolved'
      ? { resolvedAt: current.resolvedAt ?? at }
      : input.phase !== undefined
        ? { resolvedAt: null }
        : {}),
    ...(input.body !== undefined
      ? { update: { id: ulid(now.getTime()), phase, body: input.body.trim(), createdAt: at } }
      : {}),
  };
  const outcome = await store.changeIncident(site.id, incidentId, change);
  return outcome.kind === 'ok' ? outcome : { kind: 'not_found' };
}

export const RESOLVED_TEXT = 'This incident has been resolved.';

export async function resolveManualIncident(
  store: Store,
  site: SiteRecord,
  incidentId: string,
  body: string | undefined,
  now = new Date(),
): Promise<IncidentOutcome> {
  const current = await store.getIncident(site.id, incidentId);
  if (current?.resolvedAt && !isIngested(incidentId)) return { kind: 'already_resolved' };
  return changeManualIncident(
    store,
    site,
    incidentId,
    { phase: 'resolved', body: body?.trim() ? body : RESOLVED_TEXT },
    now,
  );
}
