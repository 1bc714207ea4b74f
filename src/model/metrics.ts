import { z } from 'zod';

/** A reading in the unit its field names; `null` means no data (never 0). */
export const Reading = z.number().finite().nullable();
export type Reading = z.infer<typeof Reading>;

const Percentiles = z.object({ p50: Reading, p90: Reading, p99: Reading });

/**
 * The original design's four sections, every field kept (DESIGN.md §2).
 * Units: durations in ms, rates as fractions 0–1, sizes in bytes, cpu in percent 0–100.
 */
export const PerformanceMetrics = z.object({
  application: z.object({
    responseTime: Percentiles, // ms
    errorRate: Reading, // fraction 0–1
    throughput: Reading, // requests/s
    concurrentUsers: Reading, // count (HyperLogLog estimate)
  }),
  database: z.object({
    queryTime: Percentiles, // ms
    connections: Reading, // count at window end
    deadlocks: Reading, // count in window
    slowQueries: Reading, // count in window
  }),
  cache: z.object({
    hitRate: Reading, // fraction 0–1
    missRate: Reading, // fraction 0–1
    evictions: Reading, // count in window
    memory: z.object({ used: Reading, available: Reading }), // bytes
  }),
  resources: z.object({
    cpu: z.object({ usage: Reading, throttling: Reading }), // percent 0–100
    memory: z.object({ used: Reading, available: Reading, swap: Reading }), // bytes
    disk: z.object({ iops: Reading, latency: Reading, throughput: Reading }), // ops/s, ms, bytes/s
  }),
});
export type PerformanceMetrics = z.infer<typeof PerformanceMetrics>;

/** A partial set of readings, as one source contributes them. */
export type MetricsPatch = {
  [S in keyof PerformanceMetrics]?: DeepPartial<PerformanceMetrics[S]>;
};
type DeepPartial<T> = { [K in keyof T]?: T[K] extends object | null ? (T[K] extends number | null ? T[K] : DeepPartial<T[K]>) : T[K] };
