import type { AnalysisContext } from '../analyze/analysis-context.js';
import type { Snapshot } from '../model/snapshot.js';
import type { SampleStore } from '../store/sample-store.js';
import type { AlertRouter } from './router.js';

/** The sources whose raw samples carry evidence (max_connections, maxmemory-policy, keys). */
const EVIDENCE_SOURCES = ['postgres', 'redis'];

/**
 * What runs after each analysis: the alert router observes the snapshot with the same
 * history and evidence the analysis had; then the snapshot joins the history and the
 * evidence is refreshed from the latest samples for the next cycle.
 */
export function alertListener(options: { router: AlertRouter; context: AnalysisContext; samples: SampleStore; lookbackMs: number }) {
  return async (_analysis: unknown, snapshot: Snapshot): Promise<void> => {
    await options.router.observe(snapshot, options.context.current());
    options.context.record(snapshot);
    const endMs = Date.parse(snapshot.window.end);
    const rows = await options.samples.samplesForWindow(snapshot.environment, EVIDENCE_SOURCES, { startMs: endMs - options.lookbackMs, endMs });
    const latest: Record<string, unknown> = {};
    for (const [source, attempts] of rows) {
      const ok = attempts.filter((a) => a.ok).at(-1);
      if (ok?.ok) latest[source] = ok.data;
    }
    options.context.setEvidence(latest);
  };
}
