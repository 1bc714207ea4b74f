import type { Migration } from '../migrate.js';

export const initial: Migration = {
  version: 1,
  name: 'samples, snapshots, analyses, events',
  sql: `
    CREATE TABLE samples (
      id INTEGER PRIMARY KEY,
      environment TEXT NOT NULL,
      source TEXT NOT NULL,
      at_ms INTEGER NOT NULL,
      ok INTEGER NOT NULL,
      data TEXT,            -- JSON of the source's raw sample when ok
      message TEXT,         -- error message when not ok (already redacted)
      reason TEXT
    );
    CREATE INDEX samples_by_source ON samples (environment, source, at_ms);
    CREATE INDEX samples_by_time ON samples (at_ms);
    CREATE TABLE snapshots (
      id INTEGER PRIMARY KEY,
      environment TEXT NOT NULL,
      start_ms INTEGER NOT NULL,
      end_ms INTEGER NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX snapshots_by_env ON snapshots (environment, end_ms);
    CREATE INDEX snapshots_by_time ON snapshots (end_ms);
    CREATE TABLE analyses (
      id INTEGER PRIMARY KEY,
      environment TEXT NOT NULL,
      at_ms INTEGER NOT NULL,
      status TEXT NOT NULL,
      body TEXT NOT NULL
    );
    CREATE INDEX analyses_by_env ON analyses (environment, at_ms);
    CREATE INDEX analyses_by_time ON analyses (at_ms);
    CREATE TABLE events (
      id INTEGER PRIMARY KEY,
      at_ms INTEGER NOT NULL,
      kind TEXT NOT NULL,
      environment TEXT,
      body TEXT NOT NULL
    );
    CREATE INDEX events_by_time ON events (at_ms);
  `,
};
