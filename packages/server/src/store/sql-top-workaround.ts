/**
 * The banner's "best confirmed workaround" of an incident (`Incident.topWorkaround`, issue 16):
 * a published workaround that staff pinned or verified, or that at least the site policy's
 * `bannerConfirmations` distinct members confirmed (a guest browser counts once, see
 * `recountConfirmations`; weighted by trust level since issue 12: a trusted member's counts
 * double, a new guest's half, `posts.worked_weight` in halves) with more "worked" than "didn't work". Pinned first, then verified,
 * then worked − didn't work, score, and the oldest: the server's `created_at`, never the id a
 * client may choose, decides a tie.
 *
 * Writes that can change it read `topKey` before and call `announceTopChange` after, in the same
 * transaction: open pages get `incident.updated` when the banner's workaround changed.
 */
import type { Incident } from '@lifeboat/protocol';
import { resolvePolicy } from '../moderation/site-policy.js';
import type { StoreDb } from './db.js';
import { POST_SELECT, type IncidentRow, type PostRow } from './sql-rows.js';

/**
 * Moderation needs the full incident (for `incident.updated` and the top workaround); the engine
 * passes its assembler in.
 */
export type AssembleIncident = (siteId: string, row: IncidentRow) => Promise<Incident>;

/** The row of the incident's banner workaround, or undefined when none qualifies. */
export async function topWorkaround(
  db: StoreDb,
  siteId: string,
  incidentId: string,
): Promise<PostRow | undefined> {
  const site = await db.one<{ policy: string | null }>(
    'SELECT policy FROM sites WHERE id = ?',
    siteId,
  );
  const { bannerConfirmations } = resolvePolicy(site?.policy ?? null);
  return await db.one<PostRow>(
    `${POST_SELECT} WHERE p.site_id = ? AND p.incident_id = ? AND p.kind = 'workaround' AND p.state = 'published' AND p.deleted_at IS NULL
       AND (p.pinned = 1 OR p.verified = 1 OR (p.worked_weight >= 2 * ? AND p.worked_count > p.didnt_work_count))
     ORDER BY p.pinned DESC, p.verified DESC, (p.worked_count - p.didnt_work_count) DESC, p.score DESC, p.created_at ASC, p.id ASC LIMIT 1`,
    siteId,
    incidentId,
    bannerConfirmations,
  );
}

/** The incident's banner workaround as open pages have it (compare before and after a write). */
export async function topKey(
  db: StoreDb,
  assemble: AssembleIncident,
  siteId: string,
  incidentId: string,
): Promise<string> {
  const row = await db.incidentRow(siteId, incidentId);
  return row ? JSON.stringify((await assemble(siteId, row)).topWorkaround ?? null) : '';
}

/** Writes `incident.updated` when the incident's banner workaround changed since `before`. */
export async function announceTopChange(
  db: StoreDb,
  assemble: AssembleIncident,
  siteId: string,
  incidentId: string,
  before: string,
  at: string,
): Promise<number | null> {
  const row = await db.incidentRow(siteId, incidentId);
  if (!row) return null;
  const incident = await assemble(siteId, row);
  if (JSON.stringify(incident.topWorkaround ?? null) === before) return null;
  return await db.appendEvent(siteId, incidentId, at, (s) => ({
    type: 'incident.updated',
    seq: s,
    incident,
  }));
}
