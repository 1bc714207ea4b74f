import type { AnalysisContext } from '../analyze/analysis-context.js';
import { evaluationSnapshot } from '../analyze/evaluation-snapshot.js';
import { EVIDENCE_SOURCES, latestSampleData } from '../analyze/evidence.js';
import type { Rule } from '../analyze/rules.js';
import type { CollectPerformanceMetrics } from '../collect/collect-performance-metrics.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SampleStore } from '../store/sample-store.js';
import type { AlertRouter } from './router.js';

export interface AlertListenerOptions {
  readonly router: AlertRouter;
  readonly context: AnalysisContext;
  readonly samples: SampleStore;
  readonly lookbackMs: number;
  readonly rules: readonly Rule[];
  /** Reads the sampled sources only (remote ones are queried once per cycle, for the analysis window). */
  readonly collectRecent: CollectPerformanceMetrics;
  readonly intervalMs: number;
  /** The scheduler's analysis window. */
  readonly windowMs: number;
  /** `alerts.evaluationWindow`: for rules that set none. */
  readonly evaluationWindowMs: number;
  readonly minRequests: number;
}

/**
 * What runs after each analysis: the alert router observes each rule's evaluation window
 * (the latest interval by default, see `evaluationSnapshot`) with the same history and
 * evidence the analysis had; then the analysis snapshot joins the history and the evidence
 * is refreshed from the latest samples for the next cycle.
 *
 * Samples are deltas over the interval before them, so a window of N intervals is read as the
 * last N samples: (end − (N − ½) × interval, end], whatever the few ms of scheduling jitter.
 */
export function alertListener(options: AlertListenerOptions) {
  const windowOf = (rule: Rule) => rule.evaluationWindowMs ?? options.evaluationWindowMs;
  return async (_analysis: unknown, snapshot: Snapshot): Promise<void> => {
    const endMs = Date.parse(snapshot.window.end);
    const byWindow = new Map<number, Snapshot>();
    for (const windowMs of new Set(options.rules.map(windowOf))) {
      if (windowMs >= options.windowMs) continue;
      const samples = Math.max(1, Math.round(windowMs / options.intervalMs));
      const recent = await options.collectRecent(snapshot.environment, new Date(endMs - (samples - 0.5) * options.intervalMs), new Date(endMs));
      byWindow.set(windowMs, evaluationSnapshot(snapshot, recent, { windowMs: samples * options.intervalMs, minRequests: options.minRequests }));
    }
    await options.router.observe(snapshot, { ...options.context.current(), snapshotOf: (rule) => byWindow.get(windowOf(rule)) ?? snapshot });
    options.context.record(snapshot);
    const rows = await options.samples.samplesForWindow(snapshot.environment, EVIDENCE_SOURCES, { startMs: endMs - options.lookbackMs, endMs });
    options.context.setEvidence(latestSampleData([...rows.values()].flat()));
  };
}
