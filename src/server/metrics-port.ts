import type { CollectPerformanceMetrics } from '../collect/collect-performance-metrics.js';
import type { SampleResult } from '../collect/sample-all.js';
import { windowSnapshot } from '../collect/window-snapshot.js';
import { readField, type FieldPath } from '../model/fields.js';
import type { QueriedSource, SampledSource, Source } from '../sources/source.js';
import type { SampleStore } from '../store/sample-store.js';
import type { SnapshotStore } from '../store/snapshot-store.js';
import type { MetricsPort, Series, SeriesNote, TimeRangeMs } from './api-ports.js';

export interface MetricsPortOptions {
  readonly environment: string;
  readonly store: Pick<SampleStore, 'samplesForWindow'> & Pick<SnapshotStore, 'latestSnapshot'>;
  readonly sources: readonly Source[];
  readonly collect: CollectPerformanceMetrics;
  readonly now?: () => number;
}

/** A range that ended this long ago gets no new samples, so its series is kept. */
const SETTLED_MS = 60_000;
/** Series kept, least recently asked for dropped first. */
const KEPT_SERIES = 16;

/** The rows one step needs: from the last good sample at or before `startMs` up to `endMs`. */
function rowsFor(rows: readonly SampleResult[], startMs: number, endMs: number): SampleResult[] {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (rows[mid]!.atMs <= startMs) lo = mid + 1;
    else hi = mid;
  }
  let first = lo - 1;
  while (first >= 0 && !rows[first]!.ok) first--;
  let last = lo;
  while (last < rows.length && rows[last]!.atMs <= endMs) last++;
  return rows.slice(Math.max(0, first), last);
}

/**
 * Several fields over time, one point per step ending at from + step, from + 2·step, … ≤ to.
 * Pure. Each point is the window snapshot of its step, built from only the rows that step
 * needs, so the cost grows with the rows, not points × rows. A step with no data is null.
 */
export function sampledSeries(sources: readonly SampledSource[], attempts: ReadonlyMap<string, readonly SampleResult[]>, environment: string, fields: readonly FieldPath[], range: TimeRangeMs, stepMs: number): Omit<Series, 'notes'> {
  const sorted = new Map([...attempts].map(([name, rows]) => [name, [...rows].sort((a, b) => a.atMs - b.atMs)]));
  const t: number[] = [];
  const values = Object.fromEntries(fields.map((f) => [f, [] as (number | null)[]])) as Record<FieldPath, (number | null)[]>;
  for (let end = range.fromMs + stepMs; end <= range.toMs; end += stepMs) {
    const start = end - stepMs;
    const slices = new Map([...sorted].map(([name, rows]) => [name, rowsFor(rows, start, end)]));
    const snapshot = windowSnapshot(environment, { startMs: start, endMs: end }, sources, slices);
    t.push(end);
    for (const f of fields) values[f].push(readField(snapshot.metrics, f));
  }
  return { stepMs, t, values };
}

/**
 * A remote source answers for a whole window at a time, and is asked once per cycle, not
 * sampled; a series of it would cost one remote call per step (CloudWatch and Datadog bill
 * and throttle by the call). Its fields stay null in a series, and the answer says why.
 */
export function unsampledNotes(queried: readonly Pick<QueriedSource, 'name'>[]): SeriesNote[] {
  return queried.map((s) => ({
    source: s.name,
    message: `${s.name} is queried for a whole window, not sampled: the fields only it provides have no series here (null). GET /api/v1/metrics?from=&to= gives its readings for any window.`,
  }));
}

/**
 * The metrics routes' view of one perfpilot process: its environment, store and sources.
 *
 * @example
 * const metrics = createMetricsPort({ environment: 'local', store, sources, collect });
 * const s = await metrics.series('local', ['cache.hitRate'], { fromMs, toMs }, 10_000);
 */
export function createMetricsPort(options: MetricsPortOptions): MetricsPort {
  const sampled = options.sources.filter((s): s is SampledSource => s.kind === 'sampled');
  const notes = unsampledNotes(options.sources.filter((s): s is QueriedSource => s.kind === 'queried'));
  const now = options.now ?? Date.now;
  const settled = new Map<string, Series>();
  return {
    async environments() {
      return [options.environment];
    },
    latestSnapshot(environment) {
      return options.store.latestSnapshot(environment);
    },
    snapshot(environment, range) {
      return options.collect(environment, new Date(range.fromMs), new Date(range.toMs));
    },
    // The dashboard asks for the same window again on every live update, its end on a step
    // boundary; over 7 days that is a week of samples read and replayed each time. A range
    // that has settled cannot change, so its series is kept.
    async series(environment, fields, range, stepMs) {
      const key = JSON.stringify([environment, fields, range.fromMs, range.toMs, stepMs]);
      const kept = settled.get(key);
      if (kept) {
        settled.delete(key);
        settled.set(key, kept);
        return kept;
      }
      const attempts = await options.store.samplesForWindow(environment, sampled.map((s) => s.name), { startMs: range.fromMs, endMs: range.toMs });
      const series = { ...sampledSeries(sampled, attempts, environment, fields, range, stepMs), notes };
      if (range.toMs <= now() - SETTLED_MS) {
        settled.set(key, series);
        if (settled.size > KEPT_SERIES) settled.delete(settled.keys().next().value!);
      }
      return series;
    },
  };
}
