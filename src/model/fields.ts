import type { PerformanceMetrics } from './metrics.js';

export type Unit = 'ms' | 'ratio' | 'rps' | 'count' | 'bytes' | 'percent' | 'iops' | 'bytes/s';

/** Every field of the model by its dotted path, with its unit. The order is the model's. */
export const FIELDS = {
  'application.responseTime.p50': 'ms',
  'application.responseTime.p90': 'ms',
  'application.responseTime.p99': 'ms',
  'application.errorRate': 'ratio',
  'application.throughput': 'rps',
  'application.concurrentUsers': 'count',
  'database.queryTime.p50': 'ms',
  'database.queryTime.p90': 'ms',
  'database.queryTime.p99': 'ms',
  'database.connections': 'count',
  'database.deadlocks': 'count',
  'database.slowQueries': 'count',
  'cache.hitRate': 'ratio',
  'cache.missRate': 'ratio',
  'cache.evictions': 'count',
  'cache.memory.used': 'bytes',
  'cache.memory.available': 'bytes',
  'resources.cpu.usage': 'percent',
  'resources.cpu.throttling': 'percent',
  'resources.memory.used': 'bytes',
  'resources.memory.available': 'bytes',
  'resources.memory.swap': 'bytes',
  'resources.disk.iops': 'iops',
  'resources.disk.latency': 'ms',
  'resources.disk.throughput': 'bytes/s',
} as const satisfies Record<string, Unit>;

export type FieldPath = keyof typeof FIELDS;
export const FIELD_PATHS = Object.keys(FIELDS) as FieldPath[];

export function isFieldPath(s: string): s is FieldPath {
  return Object.hasOwn(FIELDS, s);
}

/** The reading at a dotted path; null when absent. */
export function readField(metrics: PerformanceMetrics, path: FieldPath): number | null {
  let node: unknown = metrics;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return null;
    node = (node as Record<string, unknown>)[key];
  }
  return typeof node === 'number' ? node : null;
}

/** Sets the reading at a dotted path in place. */
export function writeField(metrics: PerformanceMetrics, path: FieldPath, value: number | null): void {
  const keys = path.split('.');
  let node = metrics as unknown as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[keys[keys.length - 1]!] = value;
}
