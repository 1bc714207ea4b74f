import type { Migration } from '../migrate.js';

export const alerts: Migration = {
  version: 2,
  name: 'alert states, notification groups, outbox, deliveries, silences',
  sql: `
    CREATE TABLE alert_states (
      environment TEXT NOT NULL,
      fingerprint TEXT NOT NULL,
      rule TEXT NOT NULL,
      phase TEXT NOT NULL,          -- inactive | pending | firing | resolved
      updated_ms INTEGER NOT NULL,
      body TEXT NOT NULL,           -- JSON of the AlertState
      PRIMARY KEY (environment, fingerprint)
    );
    CREATE TABLE alert_groups (
      key TEXT PRIMARY KEY,         -- route / channel / group labels
      body TEXT NOT NULL            -- JSON of the GroupState
    );
    CREATE TABLE outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      channel TEXT NOT NULL,
      created_ms INTEGER NOT NULL,
      status TEXT NOT NULL,         -- pending | delivered | failed
      attempts INTEGER NOT NULL DEFAULT 0,
      next_attempt_ms INTEGER NOT NULL,
      last_reason TEXT,
      last_error TEXT,              -- already redacted
      delivered_ms INTEGER,
      body TEXT NOT NULL            -- JSON of the Notification
    );
    CREATE INDEX outbox_pending ON outbox (channel, status, id);
    CREATE TABLE outbox_alerts (
      outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
      fingerprint TEXT NOT NULL,
      PRIMARY KEY (fingerprint, outbox_id)
    );
    CREATE TABLE deliveries (
      id INTEGER PRIMARY KEY,
      outbox_id INTEGER NOT NULL REFERENCES outbox (id) ON DELETE CASCADE,
      at_ms INTEGER NOT NULL,
      outcome TEXT NOT NULL,        -- delivered | retry | failed
      reason TEXT,
      error TEXT
    );
    CREATE INDEX deliveries_by_item ON deliveries (outbox_id, at_ms);
    CREATE TABLE silences (
      id TEXT PRIMARY KEY,
      starts_ms INTEGER NOT NULL,
      ends_ms INTEGER NOT NULL,
      created_by TEXT NOT NULL,
      comment TEXT NOT NULL,
      matchers TEXT NOT NULL        -- JSON of [{ name, value, isEqual, isRegex }]
    );
  `,
};
