import type Database from 'better-sqlite3';
import type { PruneResult } from '../store.js';
import { BATCH_ROWS, deleteInBatches } from './delete-in-batches.js';
import { createPruneAlerts } from './prune-alerts.js';

/** The tables retention applies to, each with its time column (indexed). */
export const RETAINED: readonly { readonly table: string; readonly timeColumn: string }[] = [
  { table: 'samples', timeColumn: 'at_ms' },
  { table: 'snapshots', timeColumn: 'end_ms' },
  { table: 'analyses', timeColumn: 'at_ms' },
  { table: 'events', timeColumn: 'at_ms' },
];


/**
 * Returns `prune(beforeMs)`, which deletes rows older than `beforeMs`, `BATCH_ROWS` per
 * transaction, yielding to the event loop between batches so a large backlog never holds the
 * write lock for long. The statements are prepared once, when the store opens. Delivered
 * notifications and ended silences go too (`createPruneAlerts`); undelivered ones never do.
 */
export function createPrune(db: Database.Database): (beforeMs: number) => Promise<PruneResult> {
  const deletes = RETAINED.map(({ table, timeColumn }) => ({
    table,
    del: db.prepare(`DELETE FROM ${table} WHERE id IN (SELECT id FROM ${table} WHERE ${timeColumn} < ? LIMIT ${BATCH_ROWS})`),
  }));
  const pruneAlerts = createPruneAlerts(db);
  return async function prune(beforeMs) {
    const removed: Record<string, number> = {};
    for (const { table, del } of deletes) removed[table] = await deleteInBatches(() => del.run(beforeMs).changes);
    return { ...removed, ...(await pruneAlerts(beforeMs)) };
  };
}
