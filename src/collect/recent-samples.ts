import type { SampleStore } from '../store/sample-store.js';
import type { SampleResult } from './sample-all.js';
import type { WindowMs } from './window-snapshot.js';

/** Rows sorted by time: the last good one at or before `startMs`, then those in (startMs, endMs]. */
function windowRows(rows: readonly SampleResult[], window: WindowMs): { rows: SampleResult[]; baseline: number } {
  let first = rows.findIndex((r) => r.atMs > window.startMs);
  if (first === -1) first = rows.length;
  let baseline = first;
  for (let i = first - 1; i >= 0; i--) {
    if (rows[i]!.ok) {
      baseline = i;
      break;
    }
  }
  let end = first;
  while (end < rows.length && rows[end]!.atMs <= window.endMs) end++;
  const inside = rows.slice(first, end);
  return { rows: baseline < first ? [rows[baseline]!, ...inside] : inside, baseline };
}

/**
 * The attempt as the store gives it back (data through JSON), so that memory answers exactly
 * as the store does and holds none of the source's own objects. A string a source cuts out of
 * a reply is a slice that keeps the whole reply alive: Redis's `run_id` held the ~5 KB INFO
 * text of every sample for as long as the window kept the sample (bench/RESULTS.md, start).
 */
function asStored(attempt: SampleResult): SampleResult {
  return JSON.parse(JSON.stringify(attempt.ok ? { ...attempt, data: attempt.data ?? null } : attempt)) as SampleResult;
}

function insertByTime(rows: SampleResult[], row: SampleResult): void {
  let i = rows.length;
  while (i > 0 && rows[i - 1]!.atMs > row.atMs) i--;
  rows.splice(i, 0, row);
}

/**
 * A write-through memory of the recent samples in front of a SampleStore. The scheduler asks
 * for a window ending now every cycle; the first time it is read from the store, after that
 * from memory, which holds what was appended through it since, back to the baseline of the
 * latest window asked for. A window starting earlier than that, or naming a source it does
 * not hold, is read from the store. Same answers as the store (test/recent-samples.test.ts).
 */
export function withRecentSamples(store: SampleStore): SampleStore {
  const memory = new Map<string, { fromMs: number; rows: Map<string, SampleResult[]> }>();
  return {
    async appendSamples(environment, attempts) {
      await store.appendSamples(environment, attempts);
      const held = memory.get(environment);
      for (const a of attempts) {
        const rows = held?.rows.get(a.source);
        if (rows) insertByTime(rows, asStored(a));
      }
    },
    async samplesForWindow(environment, sources, window) {
      const held = memory.get(environment);
      if (!held || window.startMs < held.fromMs || !sources.every((s) => held.rows.has(s))) {
        const read = await store.samplesForWindow(environment, sources, window);
        memory.set(environment, { fromMs: window.startMs, rows: new Map([...read].map(([s, rows]) => [s, [...rows]])) });
        return read;
      }
      const out = new Map<string, SampleResult[]>();
      for (const source of sources) {
        const rows = held.rows.get(source)!;
        const found = windowRows(rows, window);
        out.set(source, found.rows);
        rows.splice(0, found.baseline);
      }
      held.fromMs = window.startMs;
      return out;
    },
    sampleSpan: (environment, source) => store.sampleSpan(environment, source),
  };
}
