/**
 * Migration 6 — incidents per site: an incident is keyed by (site_id, id), not by its id alone.
 * An ingested incident's id comes from the upstream page (`statuspage:<pageId>:<incidentId>`, its
 * updates' ids are prefixed with it), so two sites following one status page hold the same ids:
 * each site keeps its own copy, with its own thread, affected reports and updates.
 *
 * - `incidents`: PRIMARY KEY (site_id, id).
 * - `incident_updates`: gains `site_id` (taken from its incident); PRIMARY KEY (site_id, id);
 *   FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id).
 * - `posts`: FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id) (posts keep
 *   their own ULID key, so reactions, flags and replies are unchanged).
 * - `affected`: gains `site_id` (taken from its incident); PRIMARY KEY (site_id, incident_id,
 *   member_id); the same composite foreign key.
 * - `events.incident_id` and `moderation_actions.target_id` have no foreign key; their rows are
 *   already per site (`site_id`), so they need no change.
 *
 * SQLite cannot change a table's keys in place, so this follows its documented 12-step table
 * rebuild (https://www.sqlite.org/lang_altertable.html#otheralter): the migration runner turns
 * `foreign_keys` off before the transaction (step 1; the pragma is a no-op inside one), this SQL
 * creates each table anew under a `*_new` name with its new keys, copies every row, drops the old
 * table, renames the new one (steps 4–7) and rebuilds the indexes (step 8); the runner then runs
 * `PRAGMA foreign_key_check` inside the transaction and refuses to commit on any violation (step
 * 10) and turns `foreign_keys` back on afterwards (step 12). The order matters: new tables
 * reference the final names (`incidents`, `posts`), and the old tables are dropped before the new
 * ones are renamed, never "rename the old table away" (which would repoint the other tables'
 * foreign keys at it).
 *
 * Every statement is standard SQL that PostgreSQL also parses (CREATE TABLE with table
 * constraints, INSERT … SELECT, DROP TABLE, ALTER TABLE … RENAME TO, CREATE INDEX). The rebuild
 * itself is the SQLite-only part: on PostgreSQL, DROP TABLE of a referenced table fails, and the
 * same change is made in place there (ALTER TABLE … ADD COLUMN site_id, UPDATE … FROM incidents,
 * DROP CONSTRAINT / ADD PRIMARY KEY / ADD FOREIGN KEY); a PostgreSQL engine starts from the
 * resulting schema rather than replaying this rebuild.
 */
export const incidentsPerSite = `
CREATE TABLE incidents_new (
  id TEXT NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites (id),
  title TEXT NOT NULL,
  phase TEXT NOT NULL,
  impact TEXT NOT NULL,
  components TEXT NOT NULL DEFAULT '[]',
  started_at TEXT NOT NULL,
  resolved_at TEXT,
  updated_at TEXT NOT NULL,
  thread_state TEXT NOT NULL DEFAULT 'open',
  PRIMARY KEY (site_id, id)
);
INSERT INTO incidents_new (id, site_id, title, phase, impact, components, started_at, resolved_at, updated_at, thread_state)
  SELECT id, site_id, title, phase, impact, components, started_at, resolved_at, updated_at, thread_state
  FROM incidents;

CREATE TABLE incident_updates_new (
  site_id TEXT NOT NULL,
  id TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  phase TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, id),
  FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id)
);
INSERT INTO incident_updates_new (site_id, id, incident_id, phase, body, created_at)
  SELECT i.site_id, u.id, u.incident_id, u.phase, u.body, u.created_at
  FROM incident_updates u JOIN incidents i ON i.id = u.incident_id;

CREATE TABLE posts_new (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  incident_id TEXT NOT NULL,
  parent_id TEXT REFERENCES posts (id),
  member_id TEXT NOT NULL REFERENCES members (id),
  kind TEXT NOT NULL,
  body TEXT NOT NULL,
  workaround TEXT,
  state TEXT NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  pinned INTEGER NOT NULL DEFAULT 0,
  worked_count INTEGER NOT NULL DEFAULT 0,
  didnt_work_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  edited_at TEXT,
  score REAL NOT NULL DEFAULT 0,
  deleted_at TEXT,
  merged_into TEXT,
  moderation_reasons TEXT NOT NULL DEFAULT '[]',
  flag_count INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id)
);
INSERT INTO posts_new (id, site_id, incident_id, parent_id, member_id, kind, body, workaround, state,
    verified, pinned, worked_count, didnt_work_count, created_at, edited_at, score, deleted_at,
    merged_into, moderation_reasons, flag_count)
  SELECT id, site_id, incident_id, parent_id, member_id, kind, body, workaround, state,
    verified, pinned, worked_count, didnt_work_count, created_at, edited_at, score, deleted_at,
    merged_into, moderation_reasons, flag_count
  FROM posts;

CREATE TABLE affected_new (
  site_id TEXT NOT NULL,
  incident_id TEXT NOT NULL,
  member_id TEXT NOT NULL REFERENCES members (id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, incident_id, member_id),
  FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id)
);
INSERT INTO affected_new (site_id, incident_id, member_id, created_at)
  SELECT i.site_id, a.incident_id, a.member_id, a.created_at
  FROM affected a JOIN incidents i ON i.id = a.incident_id;

DROP TABLE affected;
DROP TABLE posts;
DROP TABLE incident_updates;
DROP TABLE incidents;

ALTER TABLE incidents_new RENAME TO incidents;
ALTER TABLE incident_updates_new RENAME TO incident_updates;
ALTER TABLE posts_new RENAME TO posts;
ALTER TABLE affected_new RENAME TO affected;

CREATE INDEX incidents_site_started ON incidents (site_id, started_at);
CREATE INDEX incidents_resolved_open ON incidents (thread_state, resolved_at);
CREATE INDEX incident_updates_incident ON incident_updates (site_id, incident_id, created_at);
CREATE INDEX posts_incident_state ON posts (site_id, incident_id, state, id);
CREATE INDEX posts_site_state ON posts (site_id, state, id);
CREATE INDEX posts_member ON posts (member_id);
`;
