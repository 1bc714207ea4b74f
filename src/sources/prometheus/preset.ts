import type { FieldPath } from '../../model/fields.js';
import { METRIC_NAMES } from '../../instrument/prometheus-text.js';

/** What a preset query is built from. */
export interface PresetContext {
  /** Label matchers added to every series, e.g. `env="prod"`; may be empty. */
  readonly selector: string;
  /** The window, to the millisecond: every query's range, and the divisor of its rates. */
  readonly rangeMs: number;
}

/**
 * A PromQL duration for a window: "300s" for whole seconds, else "5117ms". Exact to the
 * millisecond, so that a rate is growth ÷ the window's own length, not a rounded one (a 5.1 s
 * window rounded up to 6 s read rates 15 % low).
 */
export function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

type Build = (c: PresetContext) => string;
export type Preset = Partial<Record<FieldPath, Build>>;

/** `name{matchers,selector}`. */
function v(name: string, matchers: string, c: PresetContext): string {
  return `${name}{${[matchers, c.selector].filter(Boolean).join(',')}}`;
}

/**
 * How much counters grew over the window, per series, before `by`: the value at the end minus
 * the value at the window's start (`offset`), or the whole value for a series that is new or
 * was reset. This is how perfpilot's own sources take counter deltas (from the last sample at or
 * before the start), so the two agree exactly; `increase()` would miss the growth between the
 * window's start and its first scrape inside it, and extrapolate.
 */
function growthBy(by: string, name: string, matchers: string, c: PresetContext): string {
  const s = v(name, matchers, c);
  return `sum${by}((${s} - ${s} offset ${promDuration(c.rangeMs)}) >= 0 or ${s})`;
}
const inc = (name: string, matchers: string, c: PresetContext) => growthBy('', name, matchers, c);
const rate = (name: string, matchers: string, c: PresetContext) => `(${inc(name, matchers, c)} / ${c.rangeMs / 1000})`;

/** The block devices perfpilot's host source counts: no loop/ram/zram/dm/md/sr/fd/nbd, no partitions. */
const DISKS = 'device!~"(loop|ram|zram|dm-|md|sr|fd|nbd)[0-9].*|(h|s|v|xv)d[a-z]+[0-9]+|.+[0-9]p[0-9]+"';

/**
 * node_exporter, redis_exporter and postgres_exporter, computed the way perfpilot's own host,
 * Redis and PostgreSQL sources compute them: CPU busy = all modes but idle and iowait; memory
 * used = MemTotal − MemAvailable; disk latency = I/O time ÷ completed I/Os; hit rate from the
 * growth of hits and misses over the window; Redis available = maxmemory − used, with no
 * series (null) when maxmemory is 0. Connections are the server's client
 * connections but the exporter's own (one per exporter that is up), as perfpilot's PostgreSQL
 * source leaves out its own. CPU throttling is not exported by these exporters.
 */
export const EXPORTERS: Preset = {
  'resources.cpu.usage': (c) => `100 * (1 - ${rate('node_cpu_seconds_total', 'mode=~"idle|iowait"', c)} / ${rate('node_cpu_seconds_total', '', c)})`,
  'resources.memory.used': (c) => `sum(${v('node_memory_MemTotal_bytes', '', c)} - ${v('node_memory_MemAvailable_bytes', '', c)})`,
  'resources.memory.available': (c) => `sum(${v('node_memory_MemAvailable_bytes', '', c)})`,
  'resources.memory.swap': (c) => `sum(${v('node_memory_SwapTotal_bytes', '', c)} - ${v('node_memory_SwapFree_bytes', '', c)})`,
  'resources.disk.iops': (c) => `${rate('node_disk_reads_completed_total', DISKS, c)} + ${rate('node_disk_writes_completed_total', DISKS, c)}`,
  'resources.disk.latency': (c) => `1000 * (${rate('node_disk_read_time_seconds_total', DISKS, c)} + ${rate('node_disk_write_time_seconds_total', DISKS, c)})`
    + ` / (${rate('node_disk_reads_completed_total', DISKS, c)} + ${rate('node_disk_writes_completed_total', DISKS, c)})`,
  'resources.disk.throughput': (c) => `${rate('node_disk_read_bytes_total', DISKS, c)} + ${rate('node_disk_written_bytes_total', DISKS, c)}`,
  'cache.hitRate': (c) => `${inc('redis_keyspace_hits_total', '', c)} / (${inc('redis_keyspace_hits_total', '', c)} + ${inc('redis_keyspace_misses_total', '', c)})`,
  'cache.missRate': (c) => `${inc('redis_keyspace_misses_total', '', c)} / (${inc('redis_keyspace_hits_total', '', c)} + ${inc('redis_keyspace_misses_total', '', c)})`,
  'cache.evictions': (c) => inc('redis_evicted_keys_total', '', c),
  'cache.memory.used': (c) => `sum(${v('redis_memory_used_bytes', '', c)})`,
  'cache.memory.available': (c) => `sum(clamp_min((${v('redis_memory_max_bytes', '', c)} > 0) - ${v('redis_memory_used_bytes', '', c)}, 0))`,
  'database.connections': (c) => `sum(${v('pg_stat_activity_count', '', c)}) - sum(${v('pg_up', '', c)})`,
  'database.deadlocks': (c) => inc('pg_stat_database_deadlocks', '', c),
};

const quantile = (q: number, histogram: string, c: PresetContext) => `1000 * histogram_quantile(${q}, ${growthBy(' by (le) ', `${histogram}_bucket`, '', c)})`;
const n = METRIC_NAMES;

/**
 * perfpilot's own instrumented `/metrics` (src/instrument): percentiles by histogram_quantile
 * over the buckets' growth in the window, so they are interpolated within a bucket (5 ms … 10 s);
 * slow queries are those above the 0.5 s bucket. Distinct users are not in `/metrics`.
 */
export const PERFPILOT: Preset = {
  'application.responseTime.p50': (c) => quantile(0.5, n.requestDuration, c),
  'application.responseTime.p90': (c) => quantile(0.9, n.requestDuration, c),
  'application.responseTime.p99': (c) => quantile(0.99, n.requestDuration, c),
  'application.errorRate': (c) => `${inc(n.errors, '', c)} / ${inc(n.requests, '', c)}`,
  'application.throughput': (c) => rate(n.requests, '', c),
  'database.queryTime.p50': (c) => quantile(0.5, n.queryDuration, c),
  'database.queryTime.p90': (c) => quantile(0.9, n.queryDuration, c),
  'database.queryTime.p99': (c) => quantile(0.99, n.queryDuration, c),
  'database.slowQueries': (c) => `${inc(`${n.queryDuration}_count`, '', c)} - ${inc(`${n.queryDuration}_bucket`, 'le="0.5"', c)}`,
};

export const PRESETS = { exporters: EXPORTERS, perfpilot: PERFPILOT } as const;

/** Counts: rounded to whole numbers, since a configured query may use increase(), which extrapolates. */
export const COUNT_FIELDS: ReadonlySet<FieldPath> = new Set(['cache.evictions', 'database.deadlocks', 'database.slowQueries']);

/**
 * The PromQL for each field: the presets' in order, then the configured per-field queries over
 * them, where `$range` becomes the window (e.g. "300s", or "5117ms") and `$selector` the
 * configured matchers.
 */
export function planPromQueries(presets: readonly (keyof typeof PRESETS)[], overrides: Readonly<Record<string, string>>, selector: string, rangeMs: number): Map<FieldPath, string> {
  const plan = new Map<FieldPath, string>();
  for (const name of presets) for (const [field, build] of Object.entries(PRESETS[name])) plan.set(field as FieldPath, build({ selector, rangeMs }));
  for (const [field, query] of Object.entries(overrides)) plan.set(field as FieldPath, query.replaceAll('$selector', selector).replaceAll('$range', promDuration(rangeMs)));
  return plan;
}
