import type { Logger } from '../log.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SampledSource, Source } from '../sources/source.js';
import { createCollectPerformanceMetrics } from './collect-performance-metrics.js';
import { sampleAll, type SampleResult } from './sample-all.js';

export interface CollectOnceOptions {
  readonly environment: string;
  readonly sources: readonly Source[];
  readonly notConfigured?: readonly string[];
  /** How long to wait between the two samples. */
  readonly durationMs: number;
  /** Per source and per sample; default 5 s. */
  readonly timeoutMs?: number;
  readonly logger?: Logger;
  readonly now?: () => number;
}

/**
 * One snapshot without a store: samples every source, waits `durationMs`, samples again, and
 * reads the window between the two (remote sources are asked for the same window). Never
 * throws for a failing source: its status says what went wrong and its readings stay null.
 *
 * @example const snapshot = await collectOnce({ environment: 'local', sources, durationMs: 5_000 });
 */
export async function collectOnce(options: CollectOnceOptions): Promise<Snapshot> {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const sampled = options.sources.filter((s): s is SampledSource => s.kind === 'sampled');
  const first = await sampleAll(sampled, timeoutMs, now);
  const startMs = Math.max(now(), ...first.map((a) => a.atMs));
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, startMs + options.durationMs - now())));
  const second = await sampleAll(sampled, timeoutMs, now);
  const endMs = Math.max(now(), ...second.map((a) => a.atMs));
  const attempts = new Map<string, SampleResult[]>(sampled.map((s) => [s.name, [...first, ...second].filter((a) => a.source === s.name)]));
  const collect = createCollectPerformanceMetrics({
    samples: { samplesForWindow: async () => attempts },
    sources: options.sources,
    notConfigured: options.notConfigured,
    queryTimeoutMs: timeoutMs,
  });
  const snapshot = await collect(options.environment, new Date(startMs), new Date(endMs));
  options.logger?.info({ environment: snapshot.environment, window: snapshot.window, sources: snapshot.sources }, 'Performance metrics collected');
  return snapshot;
}
