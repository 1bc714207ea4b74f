import { writeField, type FieldPath } from '../../src/model/fields.js';
import { emptyMetrics } from '../../src/model/empty-metrics.js';
import type { Snapshot, SourceStatus } from '../../src/model/snapshot.js';

/** A snapshot with the given readings (everything else null) and source statuses. */
export function snapshotWith(
  readings: Partial<Record<FieldPath, number | null>>,
  options: { environment?: string; endMs?: number; sources?: Record<string, SourceStatus> } = {},
): Snapshot {
  const metrics = emptyMetrics();
  for (const [field, value] of Object.entries(readings)) writeField(metrics, field as FieldPath, value ?? null);
  const endMs = options.endMs ?? Date.parse('2026-11-27T01:05:00.000Z');
  return {
    environment: options.environment ?? 'local',
    window: { start: new Date(endMs - 300_000).toISOString(), end: new Date(endMs).toISOString() },
    metrics,
    sources: options.sources ?? { host: { status: 'ok' } },
  };
}
