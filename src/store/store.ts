import type { AlertStore } from './alert-store.js';
import type { AnalysisStore } from './analysis-store.js';
import type { AuditStore } from './audit-store.js';
import type { EventStore } from './event-store.js';
import type { SampleStore } from './sample-store.js';
import type { SnapshotStore } from './snapshot-store.js';

/** How much `prune` removed, by table. */
export type PruneResult = Readonly<Record<string, number>>;

/**
 * The store port: the core talks to this, never to SQLite. Each area adds its own
 * sub-interface to the list below.
 */
export interface Store extends
  SampleStore,
  SnapshotStore,
  AnalysisStore,
  EventStore,
  AlertStore,
  AuditStore {
  /** Deletes rows older than `beforeMs` in small batches, so writers are never held up long. */
  prune(beforeMs: number): Promise<PruneResult>;
  /** Finishes pending writes and releases the database. */
  close(): Promise<void>;
}
