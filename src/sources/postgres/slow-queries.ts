/**
 * What one sample knows about slow statements (JSON-safe, it is stored):
 * - pg_stat_statements: cumulative [calls, total ms] per statement (`userid:queryid`);
 * - pg_stat_activity: the statements over the threshold visible at that instant
 *   ([`pid@query_start`, still running?]), and why pg_stat_statements was not used.
 */
export type SlowQuerySample =
  | { readonly method: 'pg_stat_statements'; readonly statements: Readonly<Record<string, readonly [number, number]>> }
  | { readonly method: 'pg_stat_activity'; readonly why: string; readonly seen: readonly (readonly [string, boolean])[] };

export interface SlowQueryReading {
  readonly count: number | null;
  readonly detail: string;
}

/**
 * Slow statements in the window. Pure.
 * - pg_stat_statements: per statement, calls and time grew by Δcalls and Δms between the
 *   baseline and the last sample; when Δms / Δcalls > threshold, its Δcalls count. A
 *   statement whose calls went down was reset (or evicted and seen again): counted from 0.
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
    if (baseline.method !== last.method) return { count: null, detail: `${detail}; pg_stat_statements appeared during the window, so it has no baseline yet` };
    let count = 0;
    for (const [id, [calls, totalMs]] of Object.entries(last.statements)) {
      let [callsBefore, totalBefore] = baseline.statements[id] ?? [0, 0];
      if (calls < callsBefore) [callsBefore, totalBefore] = [0, 0];
      const windowCalls = calls - callsBefore;
      if (windowCalls > 0 && (totalMs - totalBefore) / windowCalls > thresholdMs) count += windowCalls;
    }
    return { count, detail };
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
