/** Cumulative [calls, total execution ms] per statement (`userid:queryid`), as pg_stat_statements reports them. */
export type StatementTotals = ReadonlyMap<string, readonly [number, number]>;

/**
 * What one sample knows about slow statements (JSON-safe, it is stored):
 * - pg_stat_statements: for every statement that ran since this source's previous sample,
 *   the [calls, ms] it added. Only deltas are kept, so a sample stays small however many
 *   statements the server tracks. `fresh` marks a sample with no previous one to compare
 *   with (perfpilot just started, or the extension just appeared): it carries no deltas.
 * - pg_stat_activity: the statements over the threshold visible at that instant
 *   ([`pid@query_start`, still running?]), and why pg_stat_statements was not used.
 */
export type SlowQuerySample =
  | { readonly method: 'pg_stat_statements'; readonly fresh: boolean; readonly deltas: Readonly<Record<string, readonly [number, number]>> }
  | { readonly method: 'pg_stat_activity'; readonly why: string; readonly seen: readonly (readonly [string, boolean])[] };

export interface SlowQueryReading {
  readonly count: number | null;
  readonly detail: string;
}

/**
 * What each statement added between two readings of pg_stat_statements. Pure. A statement
 * whose calls went down was reset (or evicted and tracked again): it counts from 0.
 *
 * @example statementDeltas(new Map([['10:7', [5, 100]]]), new Map([['10:7', [7, 1300]]])) // { '10:7': [2, 1200] }
 */
export function statementDeltas(previous: StatementTotals, current: StatementTotals): Record<string, [number, number]> {
  const deltas: Record<string, [number, number]> = {};
  for (const [id, [calls, totalMs]] of current) {
    const [callsBefore, totalBefore] = previous.get(id) ?? [0, 0];
    if (calls === callsBefore) continue;
    deltas[id] = calls > callsBefore ? [calls - callsBefore, totalMs - totalBefore] : [calls, totalMs];
  }
  return deltas;
}

/**
 * Slow statements in the window. Pure.
 * - pg_stat_statements: each statement's calls and time in the window are the sums of its
 *   deltas over the window's samples; when time ÷ calls exceeds the threshold, its calls count.
 * - pg_stat_activity: every distinct statement seen over the threshold in the window's
 *   samples (running, or the last one its connection finished), minus those the baseline
 *   already saw finished.
 */
export function slowQueryReadings(baseline: SlowQuerySample | null, samples: readonly SlowQuerySample[], thresholdMs: number): SlowQueryReading {
  const last = samples.at(-1);
  if (!last) return { count: null, detail: 'no sample' };
  if (last.method === 'pg_stat_statements') {
    const detail = `slow queries from pg_stat_statements: statements whose mean time in the window exceeded ${thresholdMs} ms`;
    if (!baseline) return { count: null, detail };
    const window = new Map<string, [number, number]>();
    let gap = false;
    for (const sample of samples) {
      if (sample.method !== 'pg_stat_statements' || sample.fresh) gap = true;
      if (sample.method !== 'pg_stat_statements') continue;
      for (const [id, [calls, totalMs]] of Object.entries(sample.deltas)) {
        const sum = window.get(id) ?? [0, 0];
        window.set(id, [sum[0] + calls, sum[1] + totalMs]);
      }
    }
    let count = 0;
    for (const [calls, totalMs] of window.values()) if (calls > 0 && totalMs / calls > thresholdMs) count += calls;
    return { count, detail: gap ? `${detail}; from perfpilot's first reading of it in this window on` : detail };
  }
  const detail = `slow queries from pg_stat_activity: statements seen running or last finished over ${thresholdMs} ms (${last.why})`;
  const before = baseline?.method === 'pg_stat_activity' ? new Set(baseline.seen.filter(([, running]) => !running).map(([id]) => id)) : new Set<string>();
  const seen = new Set<string>();
  for (const sample of samples) {
    if (sample.method !== 'pg_stat_activity') continue;
    for (const [id] of sample.seen) if (!before.has(id)) seen.add(id);
  }
  return { count: seen.size, detail };
}
