import type { Snapshot } from '../model/snapshot.js';
import { evidenceFromSamples, NO_EVIDENCE, type Evidence } from './evidence.js';

/** What analyses carry from one cycle to the next: recent windows (for baselines) and evidence. */
export interface AnalysisContext {
  /** History (oldest first) and evidence, as `analyzePerformance` takes them. */
  current(): { readonly history: readonly Snapshot['metrics'][]; readonly evidence: Evidence };
  /** Remembers an analyzed snapshot as history for the next ones. */
  record(snapshot: Snapshot): void;
  /** Replaces the evidence from the latest raw samples by source name. */
  setEvidence(latestSamples: Readonly<Record<string, unknown>>): void;
}

/**
 * A small in-memory context. History keeps the last `size` snapshots that are at least
 * `spacingMs` apart, so the baseline spans minutes, not just the last few cycles.
 */
export function createAnalysisContext(options: { size?: number; spacingMs?: number } = {}): AnalysisContext {
  const size = options.size ?? 12;
  const spacingMs = options.spacingMs ?? 60_000;
  const history: { endMs: number; metrics: Snapshot['metrics'] }[] = [];
  let evidence: Evidence = NO_EVIDENCE;
  return {
    current: () => ({ history: history.map((h) => h.metrics), evidence }),
    record(snapshot) {
      const endMs = Date.parse(snapshot.window.end);
      const last = history.at(-1);
      if (last && endMs - last.endMs < spacingMs) return;
      history.push({ endMs, metrics: snapshot.metrics });
      if (history.length > size) history.shift();
    },
    setEvidence(latestSamples) {
      evidence = evidenceFromSamples(latestSamples);
    },
  };
}
