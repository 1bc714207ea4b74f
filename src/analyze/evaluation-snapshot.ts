import { FIELD_PATHS, FIELDS, readField, writeField, type FieldPath } from '../model/fields.js';
import { mergeMetrics } from '../model/merge.js';
import type { Snapshot } from '../model/snapshot.js';

/** Readings of the requests themselves: meaningless over a handful of them. */
const PER_REQUEST: readonly FieldPath[] = ['application.responseTime.p50', 'application.responseTime.p90', 'application.responseTime.p99', 'application.errorRate'];
/** "How many in the window" readings: their thresholds are per analysis window, so they stay on it. */
const COUNTS_IN_WINDOW = FIELD_PATHS.filter((f) => FIELDS[f] === 'count');

export interface EvaluationWindowOptions {
  /** How long the recent snapshot covers (it is read as the last samples of that span). */
  readonly windowMs: number;
  /** Fewer requests than this in the recent window: its percentiles and error rate are not used. */
  readonly minRequests: number;
}

/**
 * The snapshot alert rules are evaluated on: the recent (evaluation) window's readings, so an
 * alert fires and resolves within an interval or two instead of waiting for slow requests to
 * leave the 5-minute analysis window. Pure.
 *
 * - Per-request readings (percentiles, error rate) are taken from the recent window only when
 *   it saw at least `minRequests` requests (throughput × window); a low-traffic service keeps
 *   the analysis window's readings, so one slow request cannot page anyone.
 * - Counts in the window (deadlocks, slow queries, evictions, …) keep the analysis window's
 *   value: their thresholds are per analysis window.
 * - Anything the recent window has no data for (remote sources, which are queried once per
 *   cycle for the analysis window; an idle cache) falls back to the analysis window.
 * - Source statuses: the recent window's for the sources it read, the analysis window's for
 *   the rest.
 *
 * @example
 * evaluationSnapshot(analysis, recent, { windowMs: 10_000, minRequests: 200 }).metrics.application.responseTime.p99
 */
export function evaluationSnapshot(analysis: Snapshot, recent: Snapshot, options: EvaluationWindowOptions): Snapshot {
  const metrics = structuredClone(recent.metrics);
  const throughput = readField(recent.metrics, 'application.throughput');
  const requests = throughput === null ? null : throughput * (options.windowMs / 1000);
  const dropped = requests === null || requests < options.minRequests ? [...COUNTS_IN_WINDOW, ...PER_REQUEST] : COUNTS_IN_WINDOW;
  for (const field of dropped) writeField(metrics, field, null);
  mergeMetrics(metrics, analysis.metrics);
  const endMs = Date.parse(recent.window.end);
  return {
    environment: analysis.environment,
    window: { start: new Date(endMs - options.windowMs).toISOString(), end: recent.window.end },
    metrics,
    sources: { ...analysis.sources, ...recent.sources },
  };
}
