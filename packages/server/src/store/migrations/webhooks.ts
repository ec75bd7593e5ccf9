/**
 * Version 9, integrations in and out (issue 15, ADRs 0026 and 0027):
 * - `status_push`: a site's push endpoint (Statuspage, Instatus, incident.io notifications): the
 *   SHA-256 of the secret in its URL, and the sealed signing secret of providers that sign.
 * - `webhook_endpoints`: where a site's events go (URL, events, format, sealed `whsec_` secret).
 * - `webhook_messages`: the durable outbox, one row per endpoint and event, claimed with a lease
 *   so only one instance delivers it; `dedupe_key` makes "first answer" and replays idempotent.
 * - `webhook_attempts`: the delivery log.
 * - `webhook_cursors`: how far each site's event log was turned into messages.
 */
export const webhooks = `
CREATE TABLE status_push (
  site_id TEXT PRIMARY KEY REFERENCES sites (id),
  provider TEXT NOT NULL,
  token_hash TEXT NOT NULL,
  signing_secret TEXT,
  created_at TEXT NOT NULL,
  last_received_at TEXT
);

CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  url TEXT NOT NULL,
  events TEXT NOT NULL,
  format TEXT NOT NULL DEFAULT 'standard',
  secret TEXT NOT NULL,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL
);
CREATE INDEX webhook_endpoints_site ON webhook_endpoints (site_id);

CREATE TABLE webhook_messages (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
  event_type TEXT NOT NULL,
  dedupe_key TEXT NOT NULL,
  payload TEXT NOT NULL,
  state TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT NOT NULL,
  lease_owner TEXT,
  lease_until TEXT,
  last_status INTEGER,
  last_error TEXT,
  delivered_at TEXT,
  created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX webhook_messages_dedupe ON webhook_messages (endpoint_id, dedupe_key);
CREATE INDEX webhook_messages_due ON webhook_messages (state, next_attempt_at);
CREATE INDEX webhook_messages_site ON webhook_messages (site_id, id);

CREATE TABLE webhook_attempts (
  message_id TEXT NOT NULL REFERENCES webhook_messages (id),
  attempt INTEGER NOT NULL,
  at TEXT NOT NULL,
  status INTEGER,
  error TEXT,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (message_id, attempt)
);

CREATE TABLE webhook_cursors (
  site_id TEXT PRIMARY KEY REFERENCES sites (id),
  seq INTEGER NOT NULL
);
`;

/** PostgreSQL: text sorts by bytes, as everywhere else there (migrations/postgres.ts). */
export const webhooksPostgres = webhooks.replace(/\bTEXT\b/g, 'TEXT COLLATE "C"');
