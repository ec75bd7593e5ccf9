/**
 * Migration 7 — state shared by every instance (ADR 0017): rate-limit and load counters in fixed
 * windows, one-time claims (used proof-of-work solutions), and leases (the status poller runs on
 * one instance at a time). Portable SQL; times are epoch milliseconds. Also an index for the
 * posting rules (a member's latest post).
 *
 * On PostgreSQL a trigger also announces every event row on commit: NOTIFY `lifeboat_events` with
 * `<site id>:<seq>` only (the hub; subscribers read the events themselves), so every writer —
 * each server instance and the CLI — reaches every instance's open streams.
 */
const tables = `
CREATE TABLE shared_counters (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX shared_counters_expiry ON shared_counters (expires_at);

CREATE TABLE shared_claims (
  key TEXT PRIMARY KEY,
  expires_at BIGINT NOT NULL
);
CREATE INDEX shared_claims_expiry ON shared_claims (expires_at);

-- The posting rules read a member's latest post (slow mode) on every post.
CREATE INDEX posts_member_created ON posts (member_id, created_at);

CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
`;

export const sharedState = tables;

export const sharedStatePostgres =
  tables.replace(/\bTEXT\b/g, 'TEXT COLLATE "C"') +
  `
CREATE FUNCTION lifeboat_notify_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('lifeboat_events', NEW.site_id || ':' || NEW.seq);
  RETURN NULL;
END $$;
CREATE TRIGGER events_notify AFTER INSERT ON events
  FOR EACH ROW EXECUTE FUNCTION lifeboat_notify_event();
`;
