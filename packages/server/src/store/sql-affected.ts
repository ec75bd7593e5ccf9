/** "Affected me too" reports over time, for the banner's sparkline. */
import type { StoreDb } from './db.js';
import type { AffectedBucket } from './store.js';

/**
 * Reports made in each of `buckets` consecutive windows of `bucketMinutes` ending at `now`,
 * oldest first; null when the incident is not on the site. A report taken back no longer counts.
 */
export async function affectedHistory(
  db: StoreDb,
  siteId: string,
  incidentId: string,
  bucketMinutes: number,
  buckets: number,
  now = Date.now(),
): Promise<AffectedBucket[] | null> {
  if (!(await db.incidentRow(siteId, incidentId))) return null;
  const size = bucketMinutes * 60_000;
  // Bucket edges fall on whole bucket lengths, so the same hour reads the same way (cacheable).
  const end = Math.ceil(now / size) * size;
  const start = end - buckets * size;
  const rows = await db.all<{ created_at: string }>(
    'SELECT created_at FROM affected WHERE site_id = ? AND incident_id = ? AND created_at >= ?',
    siteId,
    incidentId,
    new Date(start).toISOString(),
  );
  const counts = new Array<number>(buckets).fill(0);
  for (const row of rows) {
    const index = Math.floor((Date.parse(row.created_at) - start) / size);
    if (index >= 0 && index < buckets) counts[index]!++;
  }
  return counts.map((count, i) => ({ start: new Date(start + i * size).toISOString(), count }));
}
