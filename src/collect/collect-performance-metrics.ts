import { mergeMetrics } from '../model/merge.js';
import type { Snapshot } from '../model/snapshot.js';
import { PerfpilotError } from '../errors.js';
import type { QueriedSource, SampledSource, Source } from '../sources/source.js';
import type { SampleStore } from '../store/sample-store.js';
import { queryAll } from './query-all.js';
import { queryStatus } from './query-status.js';
import { windowSnapshot } from './window-snapshot.js';

/** The original design's entry point: one snapshot of `environment` over [start, end]. */
export type CollectPerformanceMetrics = (environment: string, start: Date, end: Date) => Promise<Snapshot>;

export interface CollectorOptions {
  /** Where the scheduler's samples are read from. */
  readonly samples: Pick<SampleStore, 'samplesForWindow'>;
  readonly sources: readonly Source[];
  /** Sources that are off; listed as `not_configured` in every snapshot. */
  readonly notConfigured?: readonly string[];
  /** Per remote source. */
  readonly queryTimeoutMs?: number;
}

/**
 * Binds `collectPerformanceMetrics` to a store and sources. Sampled sources are read from
 * stored samples (baseline at the window's start, then every sample inside it); queried
 * sources are asked for the window directly.
 *
 * @example
 * const collect = createCollectPerformanceMetrics({ samples: store, sources });
 * const snapshot = await collect('local', new Date(Date.now() - 300_000), new Date());
 * snapshot.metrics.cache.hitRate; // e.g. 0.93, or null with no data
 */
export function createCollectPerformanceMetrics(options: CollectorOptions): CollectPerformanceMetrics {
  const sampled = options.sources.filter((s): s is SampledSource => s.kind === 'sampled');
  const queried = options.sources.filter((s): s is QueriedSource => s.kind === 'queried');
  const names = sampled.map((s) => s.name);
  const queryTimeoutMs = options.queryTimeoutMs ?? 10_000;
  return async function collectPerformanceMetrics(environment, start, end) {
    const window = { startMs: start.getTime(), endMs: end.getTime() };
    if (!(window.startMs < window.endMs)) {
      throw new PerfpilotError(`the window must start before it ends (start ${start.toISOString()}, end ${end.toISOString()})`, { exitCode: 64, httpStatus: 400 });
    }
    const [attempts, answers] = await Promise.all([
      options.samples.samplesForWindow(environment, names, window),
      queryAll(queried, window, queryTimeoutMs),
    ]);
    const snapshot = windowSnapshot(environment, window, sampled, attempts, options.notConfigured);
    for (const answer of answers) {
      if (answer.ok) mergeMetrics(snapshot.metrics, answer.readings.metrics);
      snapshot.sources[answer.source] = queryStatus(answer);
    }
    return snapshot;
  };
}
