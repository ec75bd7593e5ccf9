/**
 * Migration 2 — status sources: a site may follow an upstream status page (its URL and poll
 * interval on `sites`); `status_sources` keeps the poller's state per site (conditional-request
 * validators, the last good copy's time, failures) and what the upstream said beyond components
 * and incidents (its overall severity, description and maintenances).
 */
export const statusSources = `
ALTER TABLE sites ADD COLUMN status_url TEXT;
ALTER TABLE sites ADD COLUMN poll_interval_ms INTEGER;

CREATE TABLE status_sources (
  site_id TEXT PRIMARY KEY REFERENCES sites (id),
  url TEXT NOT NULL,
  kind TEXT,
  etag TEXT,
  last_modified TEXT,
  last_success_at TEXT,
  last_attempt_at TEXT,
  failures INTEGER NOT NULL DEFAULT 0,
  error TEXT,
  severity TEXT,
  description TEXT,
  maintenances TEXT NOT NULL DEFAULT '[]'
);

CREATE INDEX incidents_resolved_open ON incidents (thread_state, resolved_at);
`;
