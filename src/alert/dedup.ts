import type { Severity } from '../analyze/analysis.js';

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
  /**
   * The severity each of them was told with: severity is a label of the notification, so a
   * change is told like a new alert. Absent in group states stored before it was kept.
   */
  readonly notifiedSeverity?: Readonly<Record<string, Severity>>;
}

/**
 * The dedup stage's "should we notify?" decision (Alertmanager's `needsUpdate`). Pure, with
 * the clock injected: notify when an alert fires that was not in the last notification or
 * fires at another severity than it was told with, when an alert that was notified as firing
 * has resolved (or left the group), or when `repeatIntervalMs` has passed since the last
 * notification and something still fires.
 */
export function needsUpdate(
  prev: GroupState | null,
  firing: ReadonlyMap<string, Severity>,
  resolved: ReadonlySet<string>,
  nowMs: number,
  repeatIntervalMs: number,
): boolean {
  if (!prev || prev.lastNotifiedMs === null) return firing.size > 0;
  const notified = new Set(prev.notifiedFiring);
  for (const [fp, severity] of firing) {
    if (!notified.has(fp) || (prev.notifiedSeverity?.[fp] ?? severity) !== severity) return true;
  }
  for (const fp of resolved) if (notified.has(fp)) return true;
  return firing.size > 0 && nowMs - prev.lastNotifiedMs >= repeatIntervalMs;
}
