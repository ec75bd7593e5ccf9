/**
 * Thread exports (issue 15, docs/exports.md): an incident's posts read a page at a time, in id
 * order, after a cursor (the last id of the page before), so an export of any size holds one page
 * in memory. Every state (staff see what waits for review or was hidden); an erased author's posts
 * are already blank.
 */
import type { StoreDb } from './db.js';
import { POST_SELECT, toPost, type PostRow } from './sql-rows.js';
import type { Post } from '@lifeboat/protocol';

export interface ExportPost extends Post {
  flagCount: number;
}

export async function exportPostPage(
  db: StoreDb,
  siteId: string,
  incidentId: string,
  after: string,
  limit: number,
  kind: 'all' | 'workaround' = 'all',
): Promise<ExportPost[]> {
  const rows = await db.all<PostRow & { flag_count: number }>(
    `${POST_SELECT} WHERE p.site_id = ? AND p.incident_id = ? AND p.id > ?${
      kind === 'workaround' ? " AND p.kind = 'workaround'" : ''
    } ORDER BY p.id LIMIT ?`,
    siteId,
    incidentId,
    after,
    limit,
  );
  return rows.map((row) => ({ ...toPost(row), flagCount: Number(row.flag_count ?? 0) }));
}
