import type { Analysis } from '../analyze/analysis.js';
import type { FieldPath } from '../model/fields.js';
import type { Snapshot } from '../model/snapshot.js';

export interface TimeRangeMs {
  readonly fromMs: number;
  readonly toMs: number;
}

/** Readings of several fields on one time axis; a gap (no data) is null. */
export interface Series {
  readonly stepMs: number;
  /** The end of each step, in ms since the epoch. */
  readonly t: readonly number[];
  readonly values: Readonly<Partial<Record<FieldPath, readonly (number | null)[]>>>;
  /** Why some fields may have no series at all: the remote sources, which are not sampled. */
  readonly notes: readonly SeriesNote[];
}

/** A source whose readings a series cannot show, and why. */
export interface SeriesNote {
  readonly source: string;
  readonly message: string;
}

/** What the metrics routes read. */
export interface MetricsPort {
  environments(): Promise<readonly string[]>;
  latestSnapshot(environment: string): Promise<Snapshot | null>;
  snapshot(environment: string, range: TimeRangeMs): Promise<Snapshot>;
  series(environment: string, fields: readonly FieldPath[], range: TimeRangeMs, stepMs: number): Promise<Series>;
}

/** What the analysis routes read. */
export interface AnalysesPort {
  latestAnalysis(environment: string): Promise<Analysis | null>;
}
