/**
 * Migration 8 — reputation and early warning (issue 12, ADRs 0023 and 0024).
 *
 * - `members.helped` / `members.reputation`: a member's confirmed help, recomputed from the rows
 *   whenever it can change (store/sql-reputation.ts); posts show "helped N people" from it.
 * - `reactions.weight` / `flags.weight`: what a confirmation or flag counted for when it was
 *   given, in halves (1 = a new guest's half, 2 = one member, 4 = a trusted member's two);
 *   `posts.worked_weight`: the weighted "worked" of a post (the banner's `bannerConfirmations`).
 * - `problem_reports` and `spikes`: "Something not working?" reports and the spikes the detector
 *   found in them (store/sql-early-warning.ts).
 *
 * On PostgreSQL text columns are `COLLATE "C"`, as in the baseline (ORDER BY ids and ISO times).
 */
const build = (c: string) => `
ALTER TABLE members ADD COLUMN helped INTEGER NOT NULL DEFAULT 0;
ALTER TABLE members ADD COLUMN reputation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reactions ADD COLUMN weight INTEGER NOT NULL DEFAULT 2;
ALTER TABLE flags ADD COLUMN weight INTEGER NOT NULL DEFAULT 2;
ALTER TABLE posts ADD COLUMN worked_weight INTEGER NOT NULL DEFAULT 0;
UPDATE posts SET worked_weight = 2 * worked_count;
CREATE INDEX posts_member_state ON posts (member_id, state);

CREATE TABLE problem_reports (
  id TEXT${c} PRIMARY KEY,
  site_id TEXT${c} NOT NULL REFERENCES sites (id),
  member_id TEXT${c} NOT NULL REFERENCES members (id),
  reporter TEXT${c} NOT NULL,
  component TEXT${c},
  created_at TEXT${c} NOT NULL,
  spike_id TEXT${c}
);
CREATE INDEX problem_reports_site_time ON problem_reports (site_id, created_at);
CREATE INDEX problem_reports_spike ON problem_reports (spike_id);

CREATE TABLE spikes (
  id TEXT${c} PRIMARY KEY,
  site_id TEXT${c} NOT NULL REFERENCES sites (id),
  state TEXT${c} NOT NULL,
  component TEXT${c},
  detected_at TEXT${c} NOT NULL,
  last_report_at TEXT${c} NOT NULL,
  reports INTEGER NOT NULL,
  members INTEGER NOT NULL,
  expected_milli INTEGER NOT NULL,
  p_value TEXT${c} NOT NULL,
  confirmed_at TEXT${c},
  confirmed_by TEXT${c},
  incident_id TEXT${c},
  closed_at TEXT${c}
);
CREATE INDEX spikes_site_state ON spikes (site_id, state);
`;

export const reputationAndEarlyWarning = build('');
export const reputationAndEarlyWarningPostgres = build(' COLLATE "C"');
