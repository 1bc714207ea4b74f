import { FIELDS, isFieldPath, readField, type Unit } from '../model/fields.js';
import type { PerformanceMetrics } from '../model/metrics.js';
import type { Evidence } from './evidence.js';

/** What a rule can read besides the snapshot: recent history (oldest first) and evidence. */
export interface MetricContext {
  readonly metrics: PerformanceMetrics;
  readonly history: readonly PerformanceMetrics[];
  readonly evidence: Evidence;
}

/** Below this many requests per second the baseline is too thin to call a drop. */
export const MIN_BASELINE_RPS = 1;
/** Fewer past windows than this and there is no baseline yet. */
export const MIN_BASELINE_WINDOWS = 3;

const ratio = (part: number | null, whole: number | null): number | null =>
  part === null || whole === null || whole <= 0 ? null : part / whole;

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function baseline(ctx: MetricContext, read: (m: PerformanceMetrics) => number | null): number | null {
  const values = ctx.history.map(read).filter((v): v is number => v !== null);
  return values.length < MIN_BASELINE_WINDOWS ? null : median(values);
}

/**
 * Metrics computed from several fields, the history or the evidence. Each is null when any
 * input is. Names extend the model's dotted paths so they read like fields in rules.
 */
export const DERIVED_METRICS = {
  /** used ÷ maxmemory (null without a memory limit). */
  'cache.memory.usedRatio': (ctx: MetricContext) => {
    const used = readField(ctx.metrics, 'cache.memory.used');
    const available = readField(ctx.metrics, 'cache.memory.available');
    return used === null || available === null ? null : ratio(used, used + available);
  },
  /** MemAvailable ÷ MemTotal. */
  'resources.memory.availableRatio': (ctx: MetricContext) => {
    const used = readField(ctx.metrics, 'resources.memory.used');
    const available = readField(ctx.metrics, 'resources.memory.available');
    return used === null || available === null ? null : ratio(available, used + available);
  },
  /** open connections ÷ PostgreSQL's max_connections. */
  'database.connections.ratioOfMax': (ctx: MetricContext) =>
    ratio(readField(ctx.metrics, 'database.connections'), ctx.evidence.postgres.maxConnections),
  /** throughput ÷ the median throughput of the recent windows (null below 1 rps of baseline). */
  'application.throughput.ratioOfBaseline': (ctx: MetricContext) => {
    const before = baseline(ctx, (m) => readField(m, 'application.throughput'));
    return before === null || before < MIN_BASELINE_RPS ? null : ratio(readField(ctx.metrics, 'application.throughput'), before);
  },
  /** hit rate minus the median hit rate of the recent windows: negative when it falls. */
  'cache.hitRate.changeFromBaseline': (ctx: MetricContext) => {
    const now = readField(ctx.metrics, 'cache.hitRate');
    const before = baseline(ctx, (m) => readField(m, 'cache.hitRate'));
    return now === null || before === null ? null : now - before;
  },
} as const satisfies Record<string, (ctx: MetricContext) => number | null>;

export type DerivedMetric = keyof typeof DERIVED_METRICS;

export function isDerivedMetric(name: string): name is DerivedMetric {
  return Object.hasOwn(DERIVED_METRICS, name);
}

/** The unit of any metric a rule can read: a field's own, `ratio` for derived ones. */
export function metricUnit(name: string): Unit {
  if (isFieldPath(name)) return FIELDS[name];
  return isDerivedMetric(name) ? 'ratio' : 'count';
}
