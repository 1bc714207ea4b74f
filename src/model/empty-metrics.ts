import type { PerformanceMetrics } from './metrics.js';

/** Every leaf set to null: the starting point sources fill in. */
export function emptyMetrics(): PerformanceMetrics {
  const p = () => ({ p50: null, p90: null, p99: null });
  return {
    application: { responseTime: p(), errorRate: null, throughput: null, concurrentUsers: null },
    database: { queryTime: p(), connections: null, deadlocks: null, slowQueries: null },
    cache: { hitRate: null, missRate: null, evictions: null, memory: { used: null, available: null } },
    resources: {
      cpu: { usage: null, throttling: null },
      memory: { used: null, available: null, swap: null },
      disk: { iops: null, latency: null, throughput: null },
    },
  };
}
