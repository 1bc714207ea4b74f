import type Database from 'better-sqlite3';
import type { PruneResult } from '../store.js';
import { BATCH_ROWS, deleteInBatches } from './delete-in-batches.js';

/**
 * Retention for the alert tables of migration 002: notifications delivered before `beforeMs`
 * (with their delivery attempts and alert links) and silences that ended before it. A
 * notification that is not delivered (pending, or failed for good) is never deleted: the
 * outbox must not lose one, and `perfpilot alerts` shows why it failed. Batched like `prune`.
 */
export function createPruneAlerts(db: Database.Database): (beforeMs: number) => Promise<PruneResult> {
  const batch = `SELECT id FROM outbox WHERE status = 'delivered' AND delivered_ms < @before ORDER BY id LIMIT ${BATCH_ROWS}`;
  const deleteDeliveries = db.prepare(`DELETE FROM deliveries WHERE outbox_id IN (${batch})`);
  const deleteLinks = db.prepare(`DELETE FROM outbox_alerts WHERE outbox_id IN (${batch})`);
  const deleteNotifications = db.prepare(`DELETE FROM outbox WHERE id IN (${batch})`);
  const deleteSilences = db.prepare(`DELETE FROM silences WHERE id IN (SELECT id FROM silences WHERE ends_ms < ? LIMIT ${BATCH_ROWS})`);
  const outboxBatch = db.transaction((before: number) => {
    const attempts = deleteDeliveries.run({ before }).changes;
    deleteLinks.run({ before });
    return { notifications: deleteNotifications.run({ before }).changes, attempts };
  });

  return async function pruneAlerts(beforeMs) {
    let deliveries = 0;
    const outbox = await deleteInBatches(() => {
      const { notifications, attempts } = outboxBatch(beforeMs);
      deliveries += attempts;
      return notifications;
    });
    return { outbox, deliveries, silences: await deleteInBatches(() => deleteSilences.run(beforeMs).changes) };
  };
}
