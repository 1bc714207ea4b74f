import type { Migration } from '../migrate.js';

export const optimizations: Migration = {
  version: 3,
  name: 'optimizer audit log and lock',
  sql: `
    CREATE TABLE optimizations (
      id INTEGER PRIMARY KEY,
      kind TEXT NOT NULL,           -- apply | rollback
      rollback_of INTEGER REFERENCES optimizations (id),
      environment TEXT NOT NULL,
      target TEXT NOT NULL,         -- a target id, never with credentials
      target_type TEXT NOT NULL,
      status TEXT NOT NULL,
      at_ms INTEGER NOT NULL,
      by TEXT NOT NULL,
      changes TEXT NOT NULL,        -- JSON: [{ resource, parameter, before, after }]
      plan TEXT,                    -- JSON of the plan the change came from
      reason TEXT,
      verification TEXT             -- JSON
    );
    CREATE INDEX optimizations_by_target ON optimizations (target, at_ms);
    CREATE TABLE optimizer_lock (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      holder TEXT NOT NULL,
      until_ms INTEGER NOT NULL
    );
  `,
};
