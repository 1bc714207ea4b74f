import type { MetricsPatch } from '../model/metrics.js';
import type { FailureReason } from '../model/snapshot.js';

export interface TimedSample<S> {
  readonly atMs: number;
  readonly data: S;
}

/** What a source contributes to one window: readings, and optionally how it got them. */
export interface SourceReadings {
  readonly metrics: MetricsPatch;
  /** Shown in the source status, e.g. "slow queries from pg_stat_statements". */
  readonly detail?: string;
}

/**
 * A source perfpilot samples itself (host, Redis, PostgreSQL, instrumented apps).
 * `sample` reads raw counters at an instant; `readings` is pure and turns the samples of a
 * window into readings: counters from the difference between `baseline` and the last sample,
 * gauges from the last sample, per-pull deltas (app sketches) by merging `samples`.
 */
export interface SampledSource<S = unknown> {
  readonly kind: 'sampled';
  readonly name: string;
  sample(signal: AbortSignal): Promise<S>;
  /** `baseline` is the last sample at or before the window's start; `samples` fall inside it, oldest first. */
  readings(baseline: TimedSample<S> | null, samples: readonly TimedSample<S>[]): SourceReadings;
  close?(): Promise<void>;
}

/** A source that is asked for a whole window at once (CloudWatch, Datadog, Prometheus). */
export interface QueriedSource {
  readonly kind: 'queried';
  readonly name: string;
  query(window: { readonly startMs: number; readonly endMs: number }, signal: AbortSignal): Promise<SourceReadings>;
  close?(): Promise<void>;
}

export type Source = SampledSource | QueriedSource;

/** A failure a source reports about itself, with one of the closed set of reasons. */
export class SourceError extends Error {
  constructor(message: string, readonly reason: FailureReason, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SourceError';
  }
}
