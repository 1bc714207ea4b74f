import type { Snapshot } from '../model/snapshot.js';

/** The snapshot each cycle analyzed. */
export interface SnapshotStore {
  saveSnapshot(snapshot: Snapshot): Promise<void>;
  /** The snapshot whose window ends last; null if none. */
  latestSnapshot(environment: string): Promise<Snapshot | null>;
}
