import type { SampleResult } from '../collect/sample-all.js';
import type { WindowMs } from '../collect/window-snapshot.js';

/** The oldest and newest sample time of one source. */
export interface SampleSpan {
  readonly firstMs: number;
  readonly lastMs: number;
}

/** Every sample attempt, ok or not, as the scheduler took it. */
export interface SampleStore {
  /** Stores one cycle's attempts in one transaction. */
  appendSamples(environment: string, attempts: readonly SampleResult[]): Promise<void>;
  /**
   * Per source: the last good sample at or before the window's start (the baseline), then
   * every attempt inside (start, end], oldest first. A source with no rows maps to [].
   */
  samplesForWindow(environment: string, sources: readonly string[], window: WindowMs): Promise<Map<string, SampleResult[]>>;
  /** When the source's stored samples begin and end; null if it has none. */
  sampleSpan(environment: string, source: string): Promise<SampleSpan | null>;
}
