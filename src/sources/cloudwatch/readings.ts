import type { MetricsPatch } from '../../model/metrics.js';
import type { PlannedQuery } from './preset.js';

/**
 * Turns the values found for each query Id (newest first, as CloudWatch returns them) into
 * readings. A query with no values gives null, never 0. Pure.
 *
 * Window queries have one datapoint; should there be several, Sums are added and other
 * statistics take the newest. The error rate is the `Average` asked for (REST APIs), or errors
 * ÷ requests from two Sums (HTTP APIs), null when there were no requests. The ElastiCache
 * available memory is derived from `BytesUsedForCache` (Redis used_memory) and `DatabaseMemoryUsagePercentage`
 * (used_memory ÷ maxmemory × 100): maxmemory − used = used × (100 ÷ percent − 1); it is
 * null when either is missing or the percentage is 0.
 */
export function cloudWatchReadings(plan: readonly PlannedQuery[], values: ReadonlyMap<string, readonly number[]>, windowPeriodS: number): MetricsPatch {
  const byId = new Map(plan.map((q) => [q.id, q]));
  const get = (id: string): number | null => {
    const q = byId.get(id);
    const v = values.get(id) ?? [];
    if (!q || v.length === 0) return null;
    return q.period === 'window' && q.stat === 'Sum' ? v.reduce((a, b) => a + b, 0) : v[0]!;
  };
  const count = get('api_count');
  const errors = get('api_errors');
  const errorsAreSum = byId.get('api_errors')?.stat === 'Sum';
  const deadlockRate = get('db_deadlocks');
  const hits = get('cache_hits');
  const misses = get('cache_misses');
  const lookups = hits !== null && misses !== null ? hits + misses : null;
  const used = get('cache_bytes');
  const pct = get('cache_memory_pct');
  const cpus = plan.filter((q) => q.id.startsWith('cpu_')).map((q) => get(q.id)).filter((v): v is number => v !== null);
  return {
    application: {
      responseTime: { p50: get('api_p50'), p90: get('api_p90'), p99: get('api_p99') },
      errorRate: errorsAreSum ? (errors !== null && count ? errors / count : null) : errors,
      throughput: count === null ? null : count / windowPeriodS,
    },
    database: {
      connections: get('db_connections'),
      deadlocks: deadlockRate === null ? null : Math.round(deadlockRate * windowPeriodS),
    },
    cache: {
      hitRate: lookups ? hits! / lookups : null,
      missRate: lookups ? misses! / lookups : null,
      evictions: get('cache_evictions'),
      memory: { used, available: used !== null && pct ? used * (100 / pct - 1) : null },
    },
    resources: { cpu: { usage: cpus.length ? cpus.reduce((a, b) => a + b, 0) / cpus.length : null } },
  };
}
