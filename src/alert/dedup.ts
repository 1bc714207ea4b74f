/** What was last told to one channel about one group (Alertmanager's notification log). */
export interface GroupState {
  readonly key: string;
  readonly channel: string;
  readonly createdMs: number;
  /** No notification before this time (group_wait, then group_interval after each notification). */
  readonly nextFlushMs: number;
  readonly lastNotifiedMs: number | null;
  /** Fingerprints that were firing in the last notification. */
  readonly notifiedFiring: readonly string[];
}

/**
 * The dedup stage's "should we notify?" decision (Alertmanager's `needsUpdate`). Pure, with
 * the clock injected: notify when an alert fires that was not in the last notification, when
 * an alert that was notified as firing has resolved, or when `repeatIntervalMs` has passed
 * since the last notification and something still fires.
 */
export function needsUpdate(
  prev: GroupState | null,
  firing: ReadonlySet<string>,
  resolved: ReadonlySet<string>,
  nowMs: number,
  repeatIntervalMs: number,
): boolean {
  if (!prev || prev.lastNotifiedMs === null) return firing.size > 0;
  const notified = new Set(prev.notifiedFiring);
  for (const fp of firing) if (!notified.has(fp)) return true;
  for (const fp of resolved) if (notified.has(fp)) return true;
  return firing.size > 0 && nowMs - prev.lastNotifiedMs >= repeatIntervalMs;
}
