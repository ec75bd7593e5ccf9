/**
 * Migration 10 (issue 15, ADR 0029): email subscriptions and their outbox.
 *
 * - `email_subscriptions`: one visitor's request to be told about one incident, by one member
 *   (the address is member data: export and erasure include it). At most one live (`pending` or
 *   `confirmed`) subscription per address and incident: the partial unique index.
 * - `email_outbox`: one row per mail a subscription is owed (`confirm:<n>`, `verified:<post>`,
 *   `resolved`), keyed by (subscription, event): a mail is queued once whichever instance or
 *   restart notices the event, and claimed with a lease before it is sent.
 * - `email_confirmations`: when a confirmation mail was queued for which address, as an HMAC of
 *   the address under the server's key (not the address): the per-address daily cap holds even
 *   after the member who asked erased their data. Rows older than two days are pruned.
 * - `posts_site_incident_id`: thread exports page through an incident's posts in id order
 *   (store/sql-export.ts).
 */
export const emailSubscriptions = `
CREATE TABLE email_subscriptions (
  id TEXT PRIMARY KEY,
  site_id TEXT NOT NULL REFERENCES sites (id),
  incident_id TEXT NOT NULL,
  member_id TEXT NOT NULL REFERENCES members (id),
  address TEXT NOT NULL,
  address_key TEXT NOT NULL,
  on_verified INTEGER NOT NULL,
  on_resolved INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at TEXT NOT NULL,
  confirm_by TEXT NOT NULL,
  confirmed_at TEXT,
  ended_at TEXT,
  FOREIGN KEY (site_id, incident_id) REFERENCES incidents (site_id, id)
);
CREATE UNIQUE INDEX email_subscriptions_live ON email_subscriptions (site_id, incident_id, address_key)
  WHERE state IN ('pending', 'confirmed');
CREATE INDEX email_subscriptions_site_state ON email_subscriptions (site_id, state, incident_id);
CREATE INDEX email_subscriptions_member ON email_subscriptions (member_id);
CREATE INDEX email_subscriptions_address ON email_subscriptions (site_id, address_key, created_at);

CREATE TABLE email_outbox (
  subscription_id TEXT NOT NULL REFERENCES email_subscriptions (id),
  event_key TEXT NOT NULL,
  site_id TEXT NOT NULL REFERENCES sites (id),
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_at TEXT NOT NULL,
  lease_until TEXT,
  created_at TEXT NOT NULL,
  sent_at TEXT,
  last_error TEXT,
  PRIMARY KEY (subscription_id, event_key)
);
CREATE INDEX email_outbox_due ON email_outbox (state, next_at);

CREATE TABLE email_confirmations (
  site_id TEXT NOT NULL REFERENCES sites (id),
  address_mac TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE INDEX email_confirmations_address ON email_confirmations (site_id, address_mac, created_at);

CREATE INDEX posts_site_incident_id ON posts (site_id, incident_id, id);
`;
