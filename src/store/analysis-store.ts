import type { Analysis } from '../analyze/analysis.js';

/** Every analysis the scheduler made. */
export interface AnalysisStore {
  saveAnalysis(analysis: Analysis): Promise<void>;
  /** The most recent analysis; null if none. */
  latestAnalysis(environment: string): Promise<Analysis | null>;
}
