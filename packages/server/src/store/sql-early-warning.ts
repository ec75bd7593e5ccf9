/**
 * Early warning (issue 12, ADR 0024, docs/early-warning.md): "Something not working?" reports and
 * the spikes the detector (services/early-warning.ts) finds in them. A reporter is a guest
 * browser (its fingerprint) or a member id, as confirmations count; distinct reporters are what
 * the detector compares with the baseline, so one browser tapping a hundred times is one voice.
 */
import { ulid, type Spike, type SpikeState } from '@lifeboat/protocol';
import type { StoreDb } from './db.js';

const HOUR = 3_600_000;
const WEEK = 7 * 24 * HOUR;
/** A reporter's repeat within this time is not stored again (one report, counted once). */
export const REPORT_REPEAT_MS = 15 * 60_000;
/** A spike stays open while reports keep coming within this time. */
export const SPIKE_QUIET_MS = HOUR;
/** Weeks of history the baseline of an hour of the week averages over. */
export const BASELINE_WEEKS = 4;

interface SpikeRow {
  id: string;
  site_id: string;
  state: string;
  component: string | null;
  detected_at: string;
  last_report_at: string;
  reports: number;
  members: number;
  expected_milli: number;
  p_value: string;
  confirmed_at: string | null;
  confirmed_by: string | null;
  incident_id: string | null;
  closed_at: string | null;
}

export interface WindowStats {
  reports: number;
  members: number;
  /** The component most reports named (ties: the first by id); null when none named one. */
  component: string | null;
}

const iso = (ms: number) => new Date(ms).toISOString();

export class SqlEarlyWarning {
  constructor(private readonly db: StoreDb) {}

  /**
   * Stores a report unless the same reporter reported in the last 15 minutes (then `false`; a
   * component given then names the earlier report's, when it named none).
   * Runs in a transaction that holds the site's early-warning lock: the detector's read after it
   * sees every report before it.
   */
  async addReport(input: {
    siteId: string;
    memberId: string;
    reporter: string;
    component: string | null;
    at: number;
  }): Promise<boolean> {
    const db = this.db;
    return await db.tx(async () => {
      await db.lock(`early-warning:${input.siteId}`);
      const recent = await db.one<{ id: string; component: string | null }>(
        'SELECT id, component FROM problem_reports WHERE site_id = ? AND reporter = ? AND created_at > ? ORDER BY created_at DESC LIMIT 1',
        input.siteId,
        input.reporter,
        iso(input.at - REPORT_REPEAT_MS),
      );
      if (recent) {
        // The banner's optional second step names the component of the report just made.
        if (recent.component === null && input.component !== null)
          await db.run(
            'UPDATE problem_reports SET component = ? WHERE id = ?',
            input.component,
            recent.id,
          );
        return false;
      }
      await db.run(
        'INSERT INTO problem_reports (id, site_id, member_id, reporter, component, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        ulid(input.at),
        input.siteId,
        input.memberId,
        input.reporter,
        input.component,
        iso(input.at),
      );
      return true;
    });
  }

  /** Reports, distinct reporters and the most named component in (from, to]. */
  async windowStats(siteId: string, from: number, to: number): Promise<WindowStats> {
    const row = await this.db.one<{ reports: number; members: number }>(
      `SELECT COUNT(*) AS reports, COUNT(DISTINCT reporter) AS members FROM problem_reports
        WHERE site_id = ? AND created_at > ? AND created_at <= ?`,
      siteId,
      iso(from),
      iso(to),
    );
    const top = await this.db.one<{ component: string }>(
      `SELECT component, COUNT(DISTINCT reporter) AS n FROM problem_reports
        WHERE site_id = ? AND created_at > ? AND created_at <= ? AND component IS NOT NULL
        GROUP BY component ORDER BY n DESC, component ASC LIMIT 1`,
      siteId,
      iso(from),
      iso(to),
    );
    return {
      reports: Number(row?.reports ?? 0),
      members: Number(row?.members ?? 0),
      component: top?.component ?? null,
    };
  }

  /**
   * Distinct reporters in the same hour of the week (the hour before `at`) in each of the last
   * `BASELINE_WEEKS` weeks the site existed for; an empty list for a site younger than a week.
   */
  async baseline(siteId: string, at: number): Promise<number[]> {
    const site = await this.db.one<{ created_at: string }>(
      'SELECT created_at FROM sites WHERE id = ?',
      siteId,
    );
    const created = site ? Date.parse(site.created_at) : at;
    const counts: number[] = [];
    for (let w = 1; w <= BASELINE_WEEKS; w++) {
      const end = at - w * WEEK;
      if (end - HOUR < created) break;
      counts.push((await this.windowStats(siteId, end - HOUR, end)).members);
    }
    return counts;
  }

  /** The site's spike still taking reports (open, a report within the last hour), if any. */
  async activeSpike(siteId: string, at: number): Promise<Spike | null> {
    const row = await this.db.one<SpikeRow>(
      `SELECT * FROM spikes WHERE site_id = ? AND state = 'open' AND last_report_at > ?
        ORDER BY detected_at DESC LIMIT 1`,
      siteId,
      iso(at - SPIKE_QUIET_MS),
    );
    return row ? await this.toSpike(row) : null;
  }

  async createSpike(input: {
    siteId: string;
    at: number;
    stats: WindowStats;
    expected: number;
    pValue: number;
    publicMembers: number;
  }): Promise<Spike> {
    const id = ulid(input.at);
    const db = this.db;
    await db.tx(async () => {
      await db.run(
        `INSERT INTO spikes (id, site_id, state, component, detected_at, last_report_at, reports, members, expected_milli, p_value)
         VALUES (?, ?, 'open', ?, ?, ?, ?, ?, ?, ?)`,
        id,
        input.siteId,
        input.stats.component,
        iso(input.at),
        iso(input.at),
        input.stats.reports,
        input.stats.members,
        Math.round(input.expected * 1000),
        String(input.pValue),
      );
      await db.run(
        'UPDATE problem_reports SET spike_id = ? WHERE site_id = ? AND spike_id IS NULL AND created_at > ? AND created_at <= ?',
        id,
        input.siteId,
        iso(input.at - HOUR),
        iso(input.at),
      );
    });
    return (await this.spike(input.siteId, id, input.publicMembers))!;
  }

  /** A new report joins the active spike: its counts are those of all its reports. */
  async joinSpike(siteId: string, spikeId: string, at: number): Promise<void> {
    const db = this.db;
    await db.tx(async () => {
      const spike = await db.one<{ detected_at: string }>(
        'SELECT detected_at FROM spikes WHERE id = ?',
        spikeId,
      );
      if (!spike) return;
      // Its reports: those since the hour before it was detected (never older history).
      await db.run(
        'UPDATE problem_reports SET spike_id = ? WHERE site_id = ? AND spike_id IS NULL AND created_at > ? AND created_at <= ?',
        spikeId,
        siteId,
        iso(Date.parse(spike.detected_at) - HOUR),
        iso(at),
      );
      const stats = await db.one<{ reports: number; members: number }>(
        'SELECT COUNT(*) AS reports, COUNT(DISTINCT reporter) AS members FROM problem_reports WHERE spike_id = ?',
        spikeId,
      );
      const top = await db.one<{ component: string }>(
        `SELECT component, COUNT(DISTINCT reporter) AS n FROM problem_reports
          WHERE spike_id = ? AND component IS NOT NULL GROUP BY component ORDER BY n DESC, component ASC LIMIT 1`,
        spikeId,
      );
      await db.run(
        'UPDATE spikes SET reports = ?, members = ?, component = ?, last_report_at = ? WHERE id = ?',
        Number(stats?.reports ?? 0),
        Number(stats?.members ?? 0),
        top?.component ?? null,
        iso(at),
        spikeId,
      );
    });
  }

  async spike(siteId: string, spikeId: string, publicMembers: number): Promise<Spike | null> {
    const row = await this.db.one<SpikeRow>(
      'SELECT * FROM spikes WHERE site_id = ? AND id = ?',
      siteId,
      spikeId,
    );
    return row ? await this.toSpike(row, publicMembers) : null;
  }

  /** The site's spikes detected since `since`, newest first (at most 50). */
  async listSpikes(siteId: string, since: number, publicMembers: number): Promise<Spike[]> {
    const rows = await this.db.all<SpikeRow>(
      'SELECT * FROM spikes WHERE site_id = ? AND detected_at > ? ORDER BY detected_at DESC LIMIT 50',
      siteId,
      iso(since),
    );
    return await Promise.all(rows.map((r) => this.toSpike(r, publicMembers)));
  }

  /** Open spikes with a report in the last hour that are corroborated (the public banner). */
  async publicSpikes(siteId: string, at: number, publicMembers: number): Promise<Spike[]> {
    const rows = await this.db.all<SpikeRow>(
      `SELECT * FROM spikes WHERE site_id = ? AND state = 'open' AND last_report_at > ?
         AND (confirmed_at IS NOT NULL OR members >= ?)
       ORDER BY detected_at DESC LIMIT 3`,
      siteId,
      iso(at - SPIKE_QUIET_MS),
      publicMembers,
    );
    return await Promise.all(rows.map((r) => this.toSpike(r, publicMembers)));
  }

  /** Staff: confirm (shows it publicly) or dismiss an open spike. False when not open. */
  async setSpikeState(
    siteId: string,
    spikeId: string,
    change: 'confirm' | 'dismiss',
    staffId: string | null,
    at: number,
  ): Promise<boolean> {
    const changed =
      change === 'confirm'
        ? await this.db.run(
            "UPDATE spikes SET confirmed_at = ?, confirmed_by = ? WHERE site_id = ? AND id = ? AND state = 'open' AND confirmed_at IS NULL",
            iso(at),
            staffId,
            siteId,
            spikeId,
          )
        : await this.db.run(
            "UPDATE spikes SET state = 'dismissed', closed_at = ? WHERE site_id = ? AND id = ? AND state = 'open'",
            iso(at),
            siteId,
            spikeId,
          );
    return changed > 0;
  }

  /**
   * Claims an open spike for a declaration (`declared`, no incident yet): of two staff clicks at
   * once only one gets true, so only one incident is made. `release` gives it back when the
   * incident could not be made.
   */
  async claim(siteId: string, spikeId: string, at: number): Promise<boolean> {
    return (
      (await this.db.run(
        "UPDATE spikes SET state = 'declared', closed_at = ? WHERE site_id = ? AND id = ? AND state = 'open'",
        iso(at),
        siteId,
        spikeId,
      )) > 0
    );
  }

  async release(siteId: string, spikeId: string): Promise<void> {
    await this.db.run(
      "UPDATE spikes SET state = 'open', closed_at = NULL WHERE site_id = ? AND id = ? AND state = 'declared' AND incident_id IS NULL",
      siteId,
      spikeId,
    );
  }

  /**
   * Staff declared an incident from the spike (claimed first): each of its reporters becomes one
   * "affected" report of the incident (a guest browser once). Returns the affected count and the
   * `affected.changed` sequence.
   */
  async declare(
    siteId: string,
    spikeId: string,
    incidentId: string,
    at: number,
  ): Promise<{ count: number; seq: number } | null> {
    const db = this.db;
    return await db.tx(async () => {
      await db.lock(`affected:${siteId}:${incidentId}`);
      const closed = await db.run(
        "UPDATE spikes SET state = 'declared', incident_id = ?, closed_at = ? WHERE site_id = ? AND id = ? AND state = 'declared' AND incident_id IS NULL",
        incidentId,
        iso(at),
        siteId,
        spikeId,
      );
      if (closed === 0) return null;
      await db.run(
        `INSERT INTO affected (site_id, incident_id, member_id, created_at)
         SELECT ?, ?, MIN(member_id), MIN(created_at) FROM problem_reports
          WHERE site_id = ? AND spike_id = ? GROUP BY reporter
         ON CONFLICT DO NOTHING`,
        siteId,
        incidentId,
        siteId,
        spikeId,
      );
      const count = Number(
        (await db.one<{ n: number }>(
          'SELECT COUNT(*) AS n FROM affected WHERE site_id = ? AND incident_id = ?',
          siteId,
          incidentId,
        ))!.n,
      );
      const seq = await db.appendEvent(siteId, incidentId, iso(at), (s) => ({
        type: 'affected.changed',
        seq: s,
        incidentId,
        count,
      }));
      return { count, seq };
    });
  }

  /**
   * Writes the staff event of a spike (`spike.detected` when found, `spike.updated` after staff
   * acted): the moderation stream alerts open consoles. Returns its sequence.
   */
  async announce(
    siteId: string,
    spike: Spike,
    at: number,
    type: 'spike.detected' | 'spike.updated' = 'spike.detected',
  ): Promise<number> {
    const db = this.db;
    return await db.tx(
      async () => await db.appendEvent(siteId, null, iso(at), (seq) => ({ type, seq, spike })),
    );
  }

  /** Claims the spike for a declaration (only one staff member's click makes an incident). */
  async isOpen(siteId: string, spikeId: string): Promise<SpikeState | null> {
    const row = await this.db.one<{ state: string }>(
      'SELECT state FROM spikes WHERE site_id = ? AND id = ?',
      siteId,
      spikeId,
    );
    return (row?.state as SpikeState | undefined) ?? null;
  }

  private async toSpike(row: SpikeRow, publicMembers = Number.POSITIVE_INFINITY): Promise<Spike> {
    const name = row.component
      ? await this.db.one<{ name: string }>(
          'SELECT name FROM components WHERE site_id = ? AND id = ?',
          row.site_id,
          row.component,
        )
      : undefined;
    const members = Number(row.members);
    return {
      id: row.id,
      state: row.state as SpikeState,
      component: row.component,
      componentName: name?.name ?? null,
      detectedAt: row.detected_at,
      lastReportAt: row.last_report_at,
      reports: Number(row.reports),
      members,
      expected: Number(row.expected_milli) / 1000,
      pValue: Number(row.p_value),
      public: row.state === 'open' && (row.confirmed_at !== null || members >= publicMembers),
      confirmedAt: row.confirmed_at,
      incidentId: row.incident_id,
    };
  }
}
