import type { MetricsPatch } from '../../model/metrics.js';

const MIB = 1024 * 1024;

/**
 * The Agent metrics read, in this order (the order is each query's `query_index`):
 *
 * | field | query | over the window |
 * |---|---|---|
 * | resources.cpu.usage | `avg:system.cpu.idle`, `avg:system.cpu.iowait` (percent) | 100 − the means (iowait counts as idle, as in the host source; without iowait, as on Windows, 100 − idle) |
 * | resources.memory.used | `sum:system.mem.total` − `sum:system.mem.usable` (MiB) | the newest point, × 2^20 |
 * | resources.memory.available | `sum:system.mem.usable` (MiB; the Agent's MemAvailable) | the newest point, × 2^20 |
 * | resources.memory.swap | `sum:system.swap.used` (MiB) | the newest point, × 2^20 |
 * | resources.disk.iops | `sum:system.io.r_s` + `sum:system.io.w_s` | the means, added |
 * | resources.disk.latency | `avg:system.io.await` (ms) | the mean |
 * | resources.disk.throughput | (`sum:system.io.rkb_s` + `sum:system.io.wkb_s`) × 1024 | the means, added |
 *
 * `system.mem.used` is not used: the Agent computes it as total − free, which counts the page
 * cache as used, where the model (like /proc/meminfo) uses total − available.
 */
export const DATADOG_METRICS = [
  'avg:system.cpu.idle', 'sum:system.mem.total', 'sum:system.mem.usable', 'sum:system.swap.used',
  'sum:system.io.r_s', 'sum:system.io.w_s', 'avg:system.io.await', 'sum:system.io.rkb_s', 'sum:system.io.wkb_s', 'avg:system.cpu.iowait',
] as const;

/** The one `query` string for v1 `queryMetrics`: every metric, comma-separated, scoped by the tags. */
export function datadogQuery(tags: readonly string[]): string {
  const scope = tags.length ? tags.join(',') : '*';
  return DATADOG_METRICS.map((m) => `${m}{${scope}}`).join(',');
}

/** Points of one query: [epoch ms, value | null]. Null points mean no data and are skipped. */
export type Points = readonly (readonly [number, number | null])[];

/** Readings from the points of each query index. Pure; no points give null, never 0. */
export function datadogReadings(byIndex: ReadonlyMap<number, Points>): MetricsPatch {
  const values = (i: number) => (byIndex.get(i) ?? []).filter((p): p is readonly [number, number] => typeof p[1] === 'number' && Number.isFinite(p[1]));
  const mean = (i: number) => {
    const v = values(i);
    return v.length ? v.reduce((a, p) => a + p[1], 0) / v.length : null;
  };
  const newest = (i: number) => values(i).reduce<readonly [number, number] | null>((a, p) => (a === null || p[0] >= a[0] ? p : a), null)?.[1] ?? null;
  const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);
  const scale = (v: number | null, by: number) => (v === null ? null : v * by);
  const idle = mean(0);
  const iowait = mean(9);
  const total = newest(1);
  const usable = newest(2);
  return {
    resources: {
      cpu: { usage: idle === null ? null : 100 - idle - (iowait ?? 0) },
      memory: { used: total === null || usable === null ? null : (total - usable) * MIB, available: scale(usable, MIB), swap: scale(newest(3), MIB) },
      disk: { iops: add(mean(4), mean(5)), latency: mean(6), throughput: scale(add(mean(7), mean(8)), 1024) },
    },
  };
}
