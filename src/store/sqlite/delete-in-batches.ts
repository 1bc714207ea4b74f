/** Rows retention deletes per transaction: a large backlog never holds the write lock for long. */
export const BATCH_ROWS = 1_000;

/**
 * Runs `batch` (one transaction deleting at most BATCH_ROWS rows, returning how many it did)
 * until a batch comes back short, yielding to the event loop in between. Returns the total.
 */
export async function deleteInBatches(batch: () => number): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = batch();
    total += deleted;
    if (deleted < BATCH_ROWS) return total;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
