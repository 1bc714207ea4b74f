import type { MetricsPatch, PerformanceMetrics } from './metrics.js';

/**
 * Applies a source's readings onto a snapshot in place. A value never overwrites another
 * source's value with null: the first source with data for a field wins.
 */
export function mergeMetrics(target: PerformanceMetrics, patch: MetricsPatch): PerformanceMetrics {
  mergeInto(target as unknown as Record<string, unknown>, patch as Record<string, unknown>);
  return target;
}

function mergeInto(target: Record<string, unknown>, patch: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (value !== null && typeof value === 'object') {
      mergeInto(target[key] as Record<string, unknown>, value as Record<string, unknown>);
    } else if (target[key] === null) {
      target[key] = value;
    }
  }
}
