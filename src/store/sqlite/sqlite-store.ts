import type { Store } from '../store.js';
import { sqliteAlertStore } from './alert-store.js';
import { sqliteAuditStore } from './audit-store.js';
import { openDatabase } from './open-database.js';
import { createPrune } from './prune.js';
import { sqliteAnalysisStore } from './sqlite-analysis-store.js';
import { sqliteEventStore } from './sqlite-event-store.js';
import { sqliteSampleStore } from './sqlite-sample-store.js';
import { sqliteSnapshotStore } from './sqlite-snapshot-store.js';

/**
 * The embedded store: one SQLite file (WAL), created with its folder if missing.
 *
 * @example
 * const store = openSqliteStore('.perfpilot/perfpilot.db');
 * await store.appendSamples('local', attempts);
 * await store.close();
 */
export function openSqliteStore(path: string): Store {
  const db = openDatabase(path);
  return {
    ...sqliteSampleStore(db),
    ...sqliteSnapshotStore(db),
    ...sqliteAnalysisStore(db),
    ...sqliteEventStore(db),
    ...sqliteAlertStore(db),
    ...sqliteAuditStore(db),
    prune: createPrune(db),
    async close() {
      if (db.open) db.close();
    },
  };
}
