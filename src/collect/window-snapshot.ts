import { emptyMetrics } from '../model/empty-metrics.js';
import { mergeMetrics } from '../model/merge.js';
import type { Snapshot, SourceStatus } from '../model/snapshot.js';
import type { SampledSource, TimedSample } from '../sources/source.js';
import type { SampleResult } from './sample-all.js';

export interface WindowMs {
  readonly startMs: number;
  readonly endMs: number;
}

/**
 * Builds the snapshot of a window from the sample attempts of each source. Pure.
 *
 * For each source: the baseline is the last good sample at or before the window's start
 * (or, failing that, the first good one inside it), and the samples are the good ones after
 * the baseline up to the end. A source whose last attempt in the window failed, or that has
 * no sample to read, reports an error and contributes nothing: its readings stay null.
 */
export function windowSnapshot(
  environment: string,
  window: WindowMs,
  sources: readonly SampledSource[],
  attempts: ReadonlyMap<string, readonly SampleResult[]>,
  notConfigured: readonly string[] = [],
): Snapshot {
  const metrics = emptyMetrics();
  const statuses: Record<string, SourceStatus> = {};
  for (const name of notConfigured) statuses[name] = { status: 'not_configured' };
  for (const source of sources) {
    const rows = [...(attempts.get(source.name) ?? [])].sort((a, b) => a.atMs - b.atMs);
    const inWindow = rows.filter((r) => r.atMs > window.startMs && r.atMs <= window.endMs);
    const last = inWindow.at(-1);
    if (last && !last.ok) {
      statuses[source.name] = { status: 'error', message: last.message, reason: last.reason };
      continue;
    }
    const good = rows.filter((r): r is Extract<SampleResult, { ok: true }> => r.ok && r.atMs <= window.endMs);
    let baseline = good.filter((r) => r.atMs <= window.startMs).at(-1) ?? null;
    let samples = good.filter((r) => r.atMs > window.startMs);
    if (!baseline && samples.length > 1) [baseline, ...samples] = samples as [typeof samples[0], ...typeof samples];
    if (samples.length === 0) {
      statuses[source.name] = { status: 'error', message: 'no samples in this window yet', reason: 'empty' };
      continue;
    }
    const timed = (r: { atMs: number; data: unknown }): TimedSample<unknown> => ({ atMs: r.atMs, data: r.data });
    try {
      const readings = source.readings(baseline ? timed(baseline) : null, samples.map(timed));
      mergeMetrics(metrics, readings.metrics);
      statuses[source.name] = readings.detail ? { status: 'ok', detail: readings.detail } : { status: 'ok' };
    } catch (err) {
      statuses[source.name] = { status: 'error', message: `could not read samples: ${(err as Error).message}`, reason: 'bad_response' };
    }
  }
  return {
    environment,
    window: { start: new Date(window.startMs).toISOString(), end: new Date(window.endMs).toISOString() },
    metrics,
    sources: statuses,
  };
}
