/**
 * Schema migrations, in order. Portable SQL: it runs on SQLite and PostgreSQL alike (TEXT ids and
 * ISO timestamps, INTEGER counters and 0/1 flags, JSON kept as TEXT).
 */
import { emailSubscriptions } from './email-subscriptions.js';
import { incidentsPerSite } from './incidents-per-site.js';
import { sharedState, sharedStatePostgres } from './shared-state.js';
import { statusSources } from './status-sources.js';
import {
  reputationAndEarlyWarning,
  reputationAndEarlyWarningPostgres,
} from './reputation-and-early-warning.js';
import { webhooks, webhooksPostgres } from './webhooks.js';

export interface Migration {
  version: number;
  name: string;
  sql: string;
  /**
   * The SQL rebuilds tables (SQLite's 12-step ALTER procedure): the runner turns `foreign_keys`
   * off around its transaction and checks every foreign key before committing.
   */
  rebuildsTables?: boolean;
  /**
   * The PostgreSQL text, where the portable `sql` will not do (migrations/runner.ts); absent:
   * `sql` runs on both. Migrations up to the PostgreSQL baseline (version 6) never run there.
   */
  postgres?: string;
}

const initial = `
CREATE TABLE sites (
  id TEXT PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  origins TEXT NOT NULL DEFAULT '[]',
  event_seq INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL
);

CREATE TABLE components (
  site_id TEXT NOT NULL REFERENCES sites (id),
  id TEXT NOT NULL,
  name TEXT NOT NULL,
  status TEXT NOT NULL,
  group_name TEXT,
  position INTEGER NOT NULL,
  PRIMARY KEY (site_id, id)
);

CREATE TABLE incidents (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  title TEXT NOT NULL,
  phase TEXT NOT NULL,
  impact TEXT NOT NULL,
  components TEXT NOT NULL DEFAULT '[]',
  started_at TEXT NOT NULL,
  resolved_at TEXT,
  updated_at TEXT NOT NULL,
  thread_state TEXT NOT NULL DEFAULT 'open'
);
CREATE INDEX incidents_site_started ON incidents (site_id, started_at);

CREATE TABLE incident_updates (
  id TEXT PRIMARY KEY,
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  phase TEXT NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX incident_updates_incident ON incident_updates (incident_id, created_at);

CREATE TABLE members (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  kind TEXT NOT NULL,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL DEFAULT 'member',
  created_at TEXT NOT NULL
);
CREATE INDEX members_site ON members (site_id);

CREATE TABLE posts (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  incident_id TEXT NOT NULL REFERENCES incidents (id),
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
  edited_at TEXT
);
CREATE INDEX posts_incident_state ON posts (incident_id, state, id);

CREATE TABLE reactions (
  post_id TEXT NOT NULL REFERENCES posts (id),
  member_id TEXT NOT NULL REFERENCES members (id),
  kind TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (post_id, member_id)
);
CREATE INDEX reactions_member ON reactions (member_id);

CREATE TABLE affected (
  incident_id TEXT NOT NULL REFERENCES incidents (id),
  member_id TEXT NOT NULL REFERENCES members (id),
  created_at TEXT NOT NULL,
  PRIMARY KEY (incident_id, member_id)
);

CREATE TABLE idempotency_keys (
  site_id TEXT NOT NULL REFERENCES sites (id),
  member_id TEXT NOT NULL REFERENCES members (id),
  key TEXT NOT NULL,
  request_hash TEXT NOT NULL,
  post_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, member_id, key)
);

CREATE TABLE events (
  site_id TEXT NOT NULL REFERENCES sites (id),
  seq INTEGER NOT NULL,
  type TEXT NOT NULL,
  incident_id TEXT,
  payload TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (site_id, seq)
);
`;

/**
 * Thread: the helpfulness score (recomputed with each confirmation) and author deletes (a
 * tombstone keeps its place in the thread).
 */
const threadScoreAndDeletes = `
ALTER TABLE posts ADD COLUMN score REAL NOT NULL DEFAULT 0;
ALTER TABLE posts ADD COLUMN deleted_at TEXT;
`;

/** Staff merges of duplicate workarounds: the hidden duplicate points at the post it joined. */
const workaroundMerges = `
ALTER TABLE posts ADD COLUMN merged_into TEXT;
`;

/**
 * Identity and moderation (issue 6, ADR 0010): SSO members (external id, avatar, badges), member
 * erasure, per-site policy and SSO keys, moderation reasons and flags on posts, the audit log,
 * bans, and the audience of an event (`public`, or `staff` for the moderation stream only).
 */
const identityAndModeration = `
ALTER TABLE members ADD COLUMN external_id TEXT;
ALTER TABLE members ADD COLUMN avatar_url TEXT;
ALTER TABLE members ADD COLUMN badges TEXT NOT NULL DEFAULT '[]';
ALTER TABLE members ADD COLUMN fingerprint TEXT;
ALTER TABLE members ADD COLUMN deleted_at TEXT;
CREATE UNIQUE INDEX members_site_external ON members (site_id, external_id);
CREATE INDEX members_site_fingerprint ON members (site_id, fingerprint);

ALTER TABLE sites ADD COLUMN policy TEXT NOT NULL DEFAULT '{}';
ALTER TABLE sites ADD COLUMN sso TEXT NOT NULL DEFAULT '{}';

ALTER TABLE posts ADD COLUMN moderation_reasons TEXT NOT NULL DEFAULT '[]';
ALTER TABLE posts ADD COLUMN flag_count INTEGER NOT NULL DEFAULT 0;
CREATE INDEX posts_site_state ON posts (site_id, state, id);
CREATE INDEX posts_member ON posts (member_id);

CREATE TABLE flags (
  post_id TEXT NOT NULL REFERENCES posts (id),
  member_id TEXT NOT NULL REFERENCES members (id),
  reason TEXT NOT NULL,
  note TEXT,
  created_at TEXT NOT NULL,
  PRIMARY KEY (post_id, member_id)
);
CREATE INDEX flags_member ON flags (member_id);

CREATE TABLE moderation_actions (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  action TEXT NOT NULL,
  actor_kind TEXT NOT NULL,
  actor_id TEXT,
  actor_name TEXT NOT NULL,
  target_kind TEXT NOT NULL,
  target_id TEXT NOT NULL,
  reason TEXT,
  detail TEXT,
  created_at TEXT NOT NULL
);
CREATE INDEX moderation_actions_site ON moderation_actions (site_id, id);

CREATE TABLE bans (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  member_id TEXT REFERENCES members (id),
  fingerprint TEXT,
  reason TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  lifted_at TEXT
);
CREATE INDEX bans_site_member ON bans (site_id, member_id);
CREATE INDEX bans_site_fingerprint ON bans (site_id, fingerprint);

ALTER TABLE events ADD COLUMN audience TEXT NOT NULL DEFAULT 'public';
`;

export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial', sql: initial },
  { version: 2, name: 'status-sources', sql: statusSources },
  { version: 3, name: 'thread-score-and-deletes', sql: threadScoreAndDeletes },
  { version: 4, name: 'workaround-merges', sql: workaroundMerges },
  { version: 5, name: 'identity-and-moderation', sql: identityAndModeration },
  { version: 6, name: 'incidents-per-site', sql: incidentsPerSite, rebuildsTables: true },
  { version: 7, name: 'shared-state', sql: sharedState, postgres: sharedStatePostgres },
  {
    version: 8,
    name: 'reputation-and-early-warning',
    sql: reputationAndEarlyWarning,
    postgres: reputationAndEarlyWarningPostgres,
  },
  { version: 9, name: 'webhooks', sql: webhooks, postgres: webhooksPostgres },
  { version: 10, name: 'email-subscriptions', sql: emailSubscriptions },
];
