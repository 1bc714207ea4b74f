import type Database from 'better-sqlite3';
import type { PruneResult } from '../store.js';

const BATCH_ROWS = 1_000;

/**
 * Retention for the alert tables of migration 002: notifications delivered before `beforeMs`
 * (with their delivery attempts and alert links) and silences that ended before it. A
 * notification that is not delivered (pending, or failed for good) is never deleted: the
 * outbox must not lose one, and `perfpilot alerts` shows why it failed. Batched like `prune`.
 */
export function createPruneAlerts(db: Database.Database): (beforeMs: number) => Promise<PruneResult> {
  const batch = `SELECT id FROM outbox WHERE status = 'delivered' AND delivered_ms < @before ORDER BY id LIMIT ${BATCH_ROWS}`;
  const deliveries = db.prepare(`DELETE FROM deliveries WHERE outbox_id IN (${batch})`);
  const links = db.prepare(`DELETE FROM outbox_alerts WHERE outbox_id IN (${batch})`);
  const outbox = db.prepare(`DELETE FROM outbox WHERE id IN (${batch})`);
  const silences = db.prepare(`DELETE FROM silences WHERE id IN (SELECT id FROM silences WHERE ends_ms < ? LIMIT ${BATCH_ROWS})`);
  const outboxBatch = db.transaction((before: number) => {
    const attempts = deliveries.run({ before }).changes;
    links.run({ before });
    return { notifications: outbox.run({ before }).changes, attempts };
  });
  const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

  return async function pruneAlerts(beforeMs) {
    const removed = { outbox: 0, deliveries: 0, silences: 0 };
    for (;;) {
      const { notifications, attempts } = outboxBatch(beforeMs);
      removed.outbox += notifications;
      removed.deliveries += attempts;
      if (notifications < BATCH_ROWS) break;
      await yieldToEventLoop();
    }
    for (;;) {
      const { changes } = silences.run(beforeMs);
      removed.silences += changes;
      if (changes < BATCH_ROWS) break;
      await yieldToEventLoop();
    }
    return removed;
  };
}
