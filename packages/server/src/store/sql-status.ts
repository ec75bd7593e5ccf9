/**
 * Status sources in the SQLite engine: site management, the poller's state, upstream snapshots
 * applied in one transaction (components, incident opened/updated/resolved and maintenance events),
 * staff incident changes and the lock of resolved threads after the grace period.
 */
import {
  type Incident,
  type Maintenance,
  type NormalizedIncident,
  type Severity,
  type StatusSourceKind,
} from '@lifeboat/protocol';
import type { StoreDb } from './db.js';
import { incidentBase, toSite, type IncidentRow, type SiteRow } from './sql-rows.js';
import type { SiteRecord } from './store.js';
import type {
  IncidentChange,
  IncidentChangeOutcome,
  SitePatch,
  SiteWriteOutcome,
  StatusSourceState,
  UpstreamSnapshot,
} from './status-types.js';

interface StateRow {
  site_id: string;
  url: string;
  kind: string | null;
  etag: string | null;
  last_modified: string | null;
  last_success_at: string | null;
  last_attempt_at: string | null;
  failures: number;
  error: string | null;
  severity: string | null;
  description: string | null;
  maintenances: string;
}

function toState(row: StateRow): StatusSourceState {
  return {
    siteId: row.site_id,
    url: row.url,
    kind: row.kind as StatusSourceKind | null,
    etag: row.etag,
    lastModified: row.last_modified,
    lastSuccessAt: row.last_success_at,
    lastAttemptAt: row.last_attempt_at,
    failures: row.failures,
    error: row.error,
    severity: row.severity as Severity | null,
    description: row.description,
    maintenances: JSON.parse(row.maintenances) as Maintenance[],
  };
}

/** Documents that list every open incident: an ingested incident missing from them is resolved. */
const LISTS_OPEN_INCIDENTS = new Set(['summary', 'incidents']);
const LISTS_COMPONENTS = new Set(['summary', 'components']);
const LISTS_MAINTENANCES = new Set(['summary', 'maintenances']);

/** Ingested incidents have `source:page:id` ids; manual ones are ULIDs. */
const INGESTED = "id LIKE '%:%'";

const sameList = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((x, i) => x === b[i]);

/** What makes a maintenance worth an event: not the order of the list or its update texts. */
function maintenanceChanged(a: Maintenance, b: Maintenance): boolean {
  return (
    a.status !== b.status ||
    a.title !== b.title ||
    a.scheduledFor !== b.scheduledFor ||
    a.scheduledUntil !== b.scheduledUntil ||
    !sameList(a.components, b.components) ||
    !sameList(
      a.updates.map((u) => u.id),
      b.updates.map((u) => u.id),
    )
  );
}

export class SqlStatus {
  constructor(
    private readonly db: StoreDb,
    /** The full incident resource of a row (updates, counts, top workaround). */
    private readonly assemble: (siteId: string, row: IncidentRow) => Promise<Incident>,
  ) {}

  async listSites(): Promise<SiteRecord[]> {
    return (await this.db.all<SiteRow>('SELECT * FROM sites ORDER BY slug')).map(toSite);
  }

  async updateSite(siteId: string, patch: SitePatch): Promise<SiteWriteOutcome<SiteRecord>> {
    return await this.db.tx(async (): Promise<SiteWriteOutcome<SiteRecord>> => {
      await this.db.lock(`site:${siteId}`);
      if (
        patch.slug !== undefined &&
        (await this.db.one('SELECT 1 FROM sites WHERE slug = ? AND id <> ?', patch.slug, siteId))
      )
        return { kind: 'slug_taken' };
      const sets: string[] = [];
      const values: unknown[] = [];
      const set = (column: string, value: unknown) => {
        sets.push(`${column} = ?`);
        values.push(value);
      };
      if (patch.slug !== undefined) set('slug', patch.slug);
      if (patch.name !== undefined) set('name', patch.name);
      if (patch.origins !== undefined) set('origins', JSON.stringify(patch.origins));
      if (patch.statusUrl !== undefined) set('status_url', patch.statusUrl);
      if (patch.pollIntervalMs !== undefined) set('poll_interval_ms', patch.pollIntervalMs);
      if (sets.length)
        await this.db.run(`UPDATE sites SET ${sets.join(', ')} WHERE id = ?`, ...values, siteId);
      if (patch.statusUrl !== undefined) {
        // A new upstream starts from scratch: no validators or errors of the old one.
        const state = await this.db.one<StateRow>(
          'SELECT * FROM status_sources WHERE site_id = ?',
          siteId,
        );
        if (state && state.url !== patch.statusUrl)
          await this.db.run('DELETE FROM status_sources WHERE site_id = ?', siteId);
      }
      return {
        kind: 'ok',
        site: toSite((await this.db.one<SiteRow>('SELECT * FROM sites WHERE id = ?', siteId))!),
      };
    });
  }

  async getState(siteId: string): Promise<StatusSourceState | null> {
    const row = await this.db.one<StateRow>(
      'SELECT * FROM status_sources WHERE site_id = ?',
      siteId,
    );
    return row ? toState(row) : null;
  }

  async recordPoll(
    siteId: string,
    url: string,
    result: { ok: true; at: string } | { ok: false; at: string; error: string },
  ): Promise<StatusSourceState> {
    return await this.db.tx(async () => {
      await this.db.lock(`upstream:${siteId}`);
      await this.db.run(
        'INSERT INTO status_sources (site_id, url) VALUES (?, ?) ON CONFLICT (site_id) DO NOTHING',
        siteId,
        url,
      );
      if (result.ok)
        await this.db.run(
          'UPDATE status_sources SET url = ?, last_attempt_at = ?, last_success_at = ?, failures = 0, error = NULL WHERE site_id = ?',
          url,
          result.at,
          result.at,
          siteId,
        );
      else
        await this.db.run(
          'UPDATE status_sources SET url = ?, last_attempt_at = ?, failures = failures + 1, error = ? WHERE site_id = ?',
          url,
          result.at,
          result.error.slice(0, 500),
          siteId,
        );
      return (await this.getState(siteId))!;
    });
  }

  async applyUpstream(siteId: string, snapshot: UpstreamSnapshot): Promise<number[]> {
    const { status, at } = snapshot;
    return await this.db.tx(async () => {
      await this.db.lock(`upstream:${siteId}`, `site:${siteId}`);
      const seqs: number[] = [];
      if (
        LISTS_COMPONENTS.has(status.document) &&
        status.source !== 'instatus' &&
        status.componentsListed !== false
      ) {
        await this.db.run('DELETE FROM components WHERE site_id = ?', siteId);
        for (const [i, c] of status.components.entries())
          await this.db.run(
            'INSERT INTO components (site_id, id, name, status, group_name, position) VALUES (?, ?, ?, ?, ?, ?)',
            siteId,
            c.id,
            c.name,
            c.status,
            c.group ?? null,
            i,
          );
      }

      for (const upstream of status.incidents) {
        const row = await this.db.incidentRow(siteId, upstream.id);
        if (!row) {
          // History (already resolved when first seen) is not ingested: no thread to open.
          if (!upstream.resolvedAt) seqs.push(await this.insert(siteId, upstream, at));
        } else {
          const seq = await this.followUpstream(siteId, row, upstream, at);
          if (seq !== null) seqs.push(seq);
        }
      }

      if (LISTS_OPEN_INCIDENTS.has(status.document)) {
        const listed = new Set(status.incidents.map((i) => i.id));
        const open = await this.db.all<IncidentRow>(
          `SELECT * FROM incidents WHERE site_id = ? AND resolved_at IS NULL AND ${INGESTED}`,
          siteId,
        );
        for (const row of open.filter((r) => !listed.has(r.id)))
          seqs.push(await this.write(siteId, row, { phase: 'resolved', resolvedAt: at }, at, at));
      }

      const prior = await this.getState(siteId);
      // State of a previous URL says nothing about this one's maintenances.
      const before = prior?.url === snapshot.url ? prior.maintenances : [];
      let maintenances = before;
      if (LISTS_MAINTENANCES.has(status.document)) {
        maintenances = status.maintenances;
        seqs.push(...(await this.diffMaintenances(siteId, before, maintenances, at)));
      }
      await this.db.run(
        `INSERT INTO status_sources (site_id, url, kind, etag, last_modified, last_success_at, last_attempt_at, failures, error, severity, description, maintenances)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?, ?)
         ON CONFLICT (site_id) DO UPDATE SET url = excluded.url, kind = excluded.kind, etag = excluded.etag,
           last_modified = excluded.last_modified, last_success_at = excluded.last_success_at,
           last_attempt_at = excluded.last_attempt_at, failures = 0, error = NULL,
           severity = excluded.severity, description = excluded.description, maintenances = excluded.maintenances`,
        siteId,
        snapshot.url,
        status.source,
        snapshot.etag,
        snapshot.lastModified,
        at,
        at,
        status.severity,
        status.description,
        JSON.stringify(maintenances),
      );
      return seqs;
    });
  }

  async changeIncident(
    siteId: string,
    incidentId: string,
    change: IncidentChange,
  ): Promise<IncidentChangeOutcome> {
    return await this.db.tx(async (): Promise<IncidentChangeOutcome> => {
      await this.db.lock(`site:${siteId}`);
      const row = await this.db.incidentRow(siteId, incidentId);
      if (!row) return { kind: 'incident_not_found' };
      const at = change.update?.createdAt ?? change.resolvedAt ?? new Date().toISOString();
      const seq = await this.write(siteId, row, change, at, new Date().toISOString());
      return {
        kind: 'ok',
        incident: await this.assemble(siteId, (await this.db.incidentRow(siteId, incidentId))!),
        seq,
      };
    });
  }

  async lockResolvedThreads(
    resolvedBefore: string,
  ): Promise<Array<{ siteId: string; seq: number }>> {
    const rows = await this.db.all<IncidentRow>(
      "SELECT * FROM incidents WHERE thread_state = 'open' AND resolved_at IS NOT NULL AND resolved_at <= ?",
      resolvedBefore,
    );
    const locked: Array<{ siteId: string; seq: number }> = [];
    for (const row of rows)
      locked.push(
        await this.db.tx(async () => {
          await this.db.run(
            "UPDATE incidents SET thread_state = 'locked' WHERE site_id = ? AND id = ?",
            row.site_id,
            row.id,
          );
          const incident = await this.assemble(
            row.site_id,
            (await this.db.incidentRow(row.site_id, row.id))!,
          );
          const seq = await this.db.appendEvent(
            row.site_id,
            row.id,
            new Date().toISOString(),
            (s) => ({
              type: 'incident.updated',
              seq: s,
              incident,
            }),
          );
          return { siteId: row.site_id, seq };
        }),
      );
    return locked;
  }

  // ---- inside a transaction ----

  /**
   * One `maintenance.updated` per maintenance that appeared, changed or left the list (then sent
   * as `completed`: the upstream lists only upcoming and active ones, or marks it completed).
   * Maintenances already completed when first seen are history: no event.
   */
  private async diffMaintenances(
    siteId: string,
    before: readonly Maintenance[],
    after: readonly Maintenance[],
    at: string,
  ): Promise<number[]> {
    const seqs: number[] = [];
    const emit = async (maintenance: Maintenance) =>
      seqs.push(
        await this.db.appendEvent(siteId, null, at, (seq) => ({
          type: 'maintenance.updated',
          seq,
          maintenance,
        })),
      );
    const prior = new Map(before.map((m) => [m.id, m]));
    for (const m of after) {
      const old = prior.get(m.id);
      if (old ? maintenanceChanged(old, m) : m.status !== 'completed') await emit(m);
    }
    const listed = new Set(after.map((m) => m.id));
    for (const old of before)
      if (!listed.has(old.id) && old.status !== 'completed')
        await emit({ ...old, status: 'completed' });
    return seqs;
  }

  /** A new upstream incident with its updates and an open thread; `incident.opened`. */
  private async insert(siteId: string, upstream: NormalizedIncident, at: string): Promise<number> {
    await this.db.run(
      `INSERT INTO incidents (id, site_id, title, phase, impact, components, started_at, resolved_at, updated_at, thread_state)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, 'open')`,
      upstream.id,
      siteId,
      upstream.title,
      upstream.phase,
      upstream.impact,
      JSON.stringify(upstream.components),
      upstream.startedAt,
      upstream.updatedAt,
    );
    await this.insertUpdates(siteId, upstream);
    const incident = await this.assemble(siteId, (await this.db.incidentRow(siteId, upstream.id))!);
    return await this.db.appendEvent(siteId, upstream.id, at, (seq) => ({
      type: 'incident.opened',
      seq,
      incident,
    }));
  }

  /**
   * Official updates the site has not stored yet (ids are prefixed with the incident id: unique
   * per page; a site following the same page keeps its own copy).
   */
  private async insertUpdates(siteId: string, upstream: NormalizedIncident): Promise<number> {
    let added = 0;
    for (const u of upstream.updates) {
      const id = `${upstream.id}:${u.id}`;
      if (
        await this.db.one('SELECT 1 FROM incident_updates WHERE site_id = ? AND id = ?', siteId, id)
      )
        continue;
      await this.db.run(
        'INSERT INTO incident_updates (site_id, id, incident_id, phase, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        siteId,
        id,
        upstream.id,
        u.phase,
        u.body,
        u.createdAt,
      );
      added++;
    }
    return added;
  }

  /** Brings a stored incident in line with the upstream; null when nothing changed. */
  private async followUpstream(
    siteId: string,
    row: IncidentRow,
    upstream: NormalizedIncident,
    at: string,
  ): Promise<number | null> {
    const added = await this.insertUpdates(siteId, upstream);
    const base = incidentBase(row);
    const changed =
      added > 0 ||
      base.title !== upstream.title ||
      base.phase !== upstream.phase ||
      base.impact !== upstream.impact ||
      (base.resolvedAt === null) !== (upstream.resolvedAt === null) ||
      !sameList(base.components, upstream.components);
    if (!changed) return null;
    return await this.write(
      siteId,
      row,
      {
        title: upstream.title,
        phase: upstream.phase,
        impact: upstream.impact,
        components: upstream.components,
        // keep the first resolution time; null reopens
        resolvedAt: upstream.resolvedAt === null ? null : (base.resolvedAt ?? upstream.resolvedAt),
      },
      upstream.updatedAt,
      at,
    );
  }

  /**
   * Writes a change and its event: `incident.resolved` when it resolves the incident, else
   * `incident.updated`. Reopening a resolved incident reopens its thread.
   */
  private async write(
    siteId: string,
    row: IncidentRow,
    change: IncidentChange,
    at: string,
    eventAt: string,
  ): Promise<number> {
    const base = incidentBase(row);
    const resolvedAt =
      change.resolvedAt !== undefined
        ? change.resolvedAt
        : change.phase === 'resolved'
          ? (base.resolvedAt ?? at)
          : base.resolvedAt;
    const phase = resolvedAt ? 'resolved' : (change.phase ?? base.phase);
    const reopened = base.resolvedAt !== null && resolvedAt === null;
    if (change.update) {
      await this.db.run(
        'INSERT INTO incident_updates (site_id, id, incident_id, phase, body, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        siteId,
        change.update.id,
        row.id,
        change.update.phase,
        change.update.body,
        change.update.createdAt,
      );
    }
    const updatedAt = [base.updatedAt, change.update?.createdAt ?? '', at].reduce((a, b) =>
      b > a ? b : a,
    );
    await this.db.run(
      `UPDATE incidents SET title = ?, phase = ?, impact = ?, components = ?, resolved_at = ?, updated_at = ?,
         thread_state = ? WHERE site_id = ? AND id = ?`,
      change.title ?? base.title,
      phase,
      change.impact ?? base.impact,
      JSON.stringify(change.components ?? base.components),
      resolvedAt,
      updatedAt,
      reopened && base.threadState === 'locked' ? 'open' : base.threadState,
      siteId,
      row.id,
    );
    const incident = await this.assemble(siteId, (await this.db.incidentRow(siteId, row.id))!);
    const resolves = base.resolvedAt === null && resolvedAt !== null;
    return await this.db.appendEvent(siteId, row.id, eventAt, (seq) =>
      resolves
        ? { type: 'incident.resolved', seq, incident }
        : { type: 'incident.updated', seq, incident },
    );
  }
}
