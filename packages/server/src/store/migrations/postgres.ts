/**
 * The PostgreSQL baseline: the schema of SQLite migrations 1–6 as it stands after them, created
 * in one transaction on an empty database (migrations/runner.ts). Differences from SQLite, all
 * deliberate: text columns are `COLLATE "C"` (ORDER BY ids and ISO times sorts by bytes, as on
 * SQLite, whatever the database's locale), the helpfulness score is DOUBLE PRECISION (SQLite's
 * REAL is 8 bytes), sequences are BIGINT; tables come in the order their foreign keys need.
 */
export const POSTGRES_BASELINE_VERSION = 6;

export const POSTGRES_BASELINE = `
CREATE TABLE sites (
  id TEXT COLLATE "C" PRIMARY KEY,
  slug TEXT COLLATE "C" NOT NULL UNIQUE,
  name TEXT COLLATE "C" NOT NULL,
  origins TEXT COLLATE "C" NOT NULL DEFAULT '[]',
  event_seq BIGINT NOT NULL DEFAULT 0,
  created_at TEXT COLLATE "C" NOT NULL
,
  status_url TEXT COLLATE "C", poll_interval_ms INTEGER, policy TEXT COLLATE "C" NOT NULL DEFAULT '{}', sso TEXT COLLATE "C" NOT NULL DEFAULT '{}');
CREATE TABLE components (
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  id TEXT COLLATE "C" NOT NULL,
  name TEXT COLLATE "C" NOT NULL,
  status TEXT COLLATE "C" NOT NULL,
  group_name TEXT COLLATE "C",
  position INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
);
CREATE TABLE members (
  id TEXT COLLATE "C" PRIMARY KEY,
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  kind TEXT COLLATE "C" NOT NULL,
  display_name TEXT COLLATE "C" NOT NULL,
  role TEXT COLLATE "C" NOT NULL DEFAULT 'member',
  created_at TEXT COLLATE "C" NOT NULL
,
  external_id TEXT COLLATE "C", avatar_url TEXT COLLATE "C", badges TEXT COLLATE "C" NOT NULL DEFAULT '[]', fingerprint TEXT COLLATE "C", deleted_at TEXT COLLATE "C");
CREATE INDEX members_site ON members (site_id);
CREATE TABLE idempotency_keys (
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  key TEXT COLLATE "C" NOT NULL,
  request_hash TEXT COLLATE "C" NOT NULL,
  post_id TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (site_id, member_id, key)
);
CREATE TABLE events (
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  seq BIGINT NOT NULL,
  type TEXT COLLATE "C" NOT NULL,
  incident_id TEXT COLLATE "C",
  payload TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  audience TEXT COLLATE "C" NOT NULL DEFAULT 'public',
  PRIMARY KEY (site_id, seq)
);
CREATE TABLE status_sources (
  site_id TEXT COLLATE "C" PRIMARY KEY REFERENCES sites (id),
  url TEXT COLLATE "C" NOT NULL,
  kind TEXT COLLATE "C",
  etag TEXT COLLATE "C",
  last_modified TEXT COLLATE "C",
  last_success_at TEXT COLLATE "C",
  last_attempt_at TEXT COLLATE "C",
  failures INTEGER NOT NULL DEFAULT 0,
  error TEXT COLLATE "C",
  severity TEXT COLLATE "C",
  description TEXT COLLATE "C",
  maintenances TEXT COLLATE "C" NOT NULL DEFAULT '[]'
);
CREATE UNIQUE INDEX members_site_external ON members (site_id,
  external_id);
CREATE INDEX members_site_fingerprint ON members (site_id, fingerprint);
CREATE TABLE moderation_actions (
  id TEXT COLLATE "C" PRIMARY KEY,
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  action TEXT COLLATE "C" NOT NULL,
  actor_kind TEXT COLLATE "C" NOT NULL,
  actor_id TEXT COLLATE "C",
  actor_name TEXT COLLATE "C" NOT NULL,
  target_kind TEXT COLLATE "C" NOT NULL,
  target_id TEXT COLLATE "C" NOT NULL,
  reason TEXT COLLATE "C",
  detail TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX moderation_actions_site ON moderation_actions (site_id, id);
CREATE TABLE bans (
  id TEXT COLLATE "C" PRIMARY KEY,
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  member_id TEXT COLLATE "C" REFERENCES members (id),
  fingerprint TEXT COLLATE "C",
  reason TEXT COLLATE "C",
  created_by TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  expires_at TEXT COLLATE "C",
  lifted_at TEXT COLLATE "C"
);
CREATE INDEX bans_site_member ON bans (site_id, member_id);
CREATE INDEX bans_site_fingerprint ON bans (site_id, fingerprint);
CREATE TABLE incidents (
  id TEXT COLLATE "C" NOT NULL,
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  title TEXT COLLATE "C" NOT NULL,
  phase TEXT COLLATE "C" NOT NULL,
  impact TEXT COLLATE "C" NOT NULL,
  components TEXT COLLATE "C" NOT NULL DEFAULT '[]',
  started_at TEXT COLLATE "C" NOT NULL,
  resolved_at TEXT COLLATE "C",
  updated_at TEXT COLLATE "C" NOT NULL,
  thread_state TEXT COLLATE "C" NOT NULL DEFAULT 'open',
  PRIMARY KEY (site_id, id)
);
CREATE TABLE incident_updates (
  site_id TEXT COLLATE "C" NOT NULL,
  id TEXT COLLATE "C" NOT NULL,
  incident_id TEXT COLLATE "C" NOT NULL,
  phase TEXT COLLATE "C" NOT NULL,
  body TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (site_id, id),
  FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id)
);
CREATE TABLE posts (
  id TEXT COLLATE "C" PRIMARY KEY,
  site_id TEXT COLLATE "C" NOT NULL REFERENCES sites (id),
  incident_id TEXT COLLATE "C" NOT NULL,
  parent_id TEXT COLLATE "C" REFERENCES posts (id),
  member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  kind TEXT COLLATE "C" NOT NULL,
  body TEXT COLLATE "C" NOT NULL,
  workaround TEXT COLLATE "C",
  state TEXT COLLATE "C" NOT NULL,
  verified INTEGER NOT NULL DEFAULT 0,
  pinned INTEGER NOT NULL DEFAULT 0,
  worked_count INTEGER NOT NULL DEFAULT 0,
  didnt_work_count INTEGER NOT NULL DEFAULT 0,
  created_at TEXT COLLATE "C" NOT NULL,
  edited_at TEXT COLLATE "C",
  score DOUBLE PRECISION NOT NULL DEFAULT 0,
  deleted_at TEXT COLLATE "C",
  merged_into TEXT COLLATE "C",
  moderation_reasons TEXT COLLATE "C" NOT NULL DEFAULT '[]',
  flag_count INTEGER NOT NULL DEFAULT 0,
  FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id)
);
CREATE TABLE affected (
  site_id TEXT COLLATE "C" NOT NULL,
  incident_id TEXT COLLATE "C" NOT NULL,
  member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (site_id, incident_id, member_id),
  FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id)
);
CREATE INDEX incidents_site_started ON incidents (site_id, started_at);
CREATE INDEX incidents_resolved_open ON incidents (thread_state, resolved_at);
CREATE INDEX incident_updates_incident ON incident_updates (site_id, incident_id, created_at);
CREATE INDEX posts_incident_state ON posts (site_id, incident_id, state, id);
CREATE INDEX posts_site_state ON posts (site_id, state, id);
CREATE INDEX posts_member ON posts (member_id);
CREATE TABLE reactions (
  post_id TEXT COLLATE "C" NOT NULL REFERENCES posts (id),
  member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  kind TEXT COLLATE "C" NOT NULL,
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (post_id, member_id)
);
CREATE INDEX reactions_member ON reactions (member_id);
CREATE TABLE flags (
  post_id TEXT COLLATE "C" NOT NULL REFERENCES posts (id),
  member_id TEXT COLLATE "C" NOT NULL REFERENCES members (id),
  reason TEXT COLLATE "C" NOT NULL,
  note TEXT COLLATE "C",
  created_at TEXT COLLATE "C" NOT NULL,
  PRIMARY KEY (post_id, member_id)
);
CREATE INDEX flags_member ON flags (member_id);
`;
