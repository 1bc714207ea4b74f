/**
 * perfpilot as a library: the original design's two entry points, and the model they share.
 *
 * @example
 * import { collectPerformanceMetrics, analyzePerformance } from 'perfpilot';
 * const end = new Date();
 * const snapshot = await collectPerformanceMetrics('local', new Date(end.getTime() - 300_000), end);
 * const { status, issues } = analyzePerformance(snapshot, { locale: 'ko' });
 */
export { collectPerformanceMetrics, type CollectOptions } from './collect-performance-metrics.js';
export { createCollectPerformanceMetrics, type CollectPerformanceMetrics, type CollectorOptions } from './collect/collect-performance-metrics.js';
export { analyzePerformance, type AnalyzeOptions } from './analyze/analyze-performance.js';
export type { Analysis, Issue, Locale, Recommendation, Severity, Status } from './analyze/analysis.js';
export { PerformanceMetrics, Reading, type MetricsPatch } from './model/metrics.js';
export { emptyMetrics } from './model/empty-metrics.js';
export { Snapshot, SourceStatus, FailureReason, Window } from './model/snapshot.js';
export { FIELDS, FIELD_PATHS, isFieldPath, readField, type FieldPath, type Unit } from './model/fields.js';
export type { Store } from './store/store.js';
export { openSqliteStore } from './store/sqlite/sqlite-store.js';
export { PerfpilotError, ConfigError } from './errors.js';
