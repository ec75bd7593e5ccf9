/**
 * The end of a thread's life (issue 12, docs/insights.md): after the site's `archiveAfterDays`
 * past resolution, a thread (open or locked) becomes `archived` — still readable, read-only. One
 * transaction per incident: the state and its `incident.updated` event. Portable SQL.
 */
import type { Incident, ThreadState } from '@lifeboat/protocol';
import { resolvePolicy } from '../moderation/site-policy.js';
import type { StoreDb } from './db.js';
import type { IncidentRow } from './sql-rows.js';

const DAY_MS = 86_400_000;

/** Archives the threads resolved longer ago than their site's retention; returns the events. */
export async function archiveResolvedThreads(
  db: StoreDb,
  now: number,
  /** The full incident of a row (its counts and top workaround), for the event. */
  assemble: (siteId: string, row: IncidentRow) => Promise<Incident>,
): Promise<Array<{ siteId: string; seq: number }>> {
  const archived: Array<{ siteId: string; seq: number }> = [];
  const sites = await db.all<{ id: string; policy: string | null }>('SELECT id, policy FROM sites');
  for (const site of sites) {
    const { archiveAfterDays } = resolvePolicy(site.policy);
    const before = new Date(now - archiveAfterDays * DAY_MS).toISOString();
    const due = await db.all<{ id: string }>(
      `SELECT id FROM incidents WHERE site_id = ? AND thread_state != 'archived'
       AND resolved_at IS NOT NULL AND resolved_at <= ? ORDER BY resolved_at, id`,
      site.id,
      before,
    );
    for (const { id } of due) {
      const seq = await db.tx(async (tx) => {
        await tx.lock(`site:${site.id}`);
        // Re-read inside the transaction: reopened or archived meanwhile → nothing to do.
        const changed = await tx.run(
          `UPDATE incidents SET thread_state = 'archived' WHERE site_id = ? AND id = ?
           AND thread_state != 'archived' AND resolved_at IS NOT NULL AND resolved_at <= ?`,
          site.id,
          id,
          before,
        );
        if (!changed) return null;
        const incident = await assemble(
          site.id,
          (await tx.incidentRow(site.id, id)) as IncidentRow,
        );
        return await tx.appendEvent(site.id, id, new Date(now).toISOString(), (s) => ({
          type: 'incident.updated',
          seq: s,
          incident,
        }));
      });
      if (seq !== null) archived.push({ siteId: site.id, seq });
    }
  }
  return archived;
}

/** The thread state of a post's incident, or of an incident; null when neither is on the site. */
export async function threadStateOf(
  db: StoreDb,
  siteId: string,
  target: { postId: string } | { incidentId: string },
): Promise<ThreadState | null> {
  const row =
    'postId' in target
      ? await db.one<{ thread_state: ThreadState }>(
          `SELECT i.thread_state FROM posts p JOIN incidents i ON i.site_id = p.site_id AND i.id = p.incident_id
           WHERE p.site_id = ? AND p.id = ?`,
          siteId,
          target.postId,
        )
      : await db.one<{ thread_state: ThreadState }>(
          'SELECT thread_state FROM incidents WHERE site_id = ? AND id = ?',
          siteId,
          target.incidentId,
        );
  return row?.thread_state ?? null;
}
