import type { Notifier } from '../alert/notifier.js';
import type { OptimizeConfig } from '../config/optimize.js';
import type { Logger } from '../log.js';
import type { PerformanceMetrics } from '../model/metrics.js';
import type { AuditStore } from '../store/audit-store.js';
import type { CacheTarget, Progress } from './cache-target.js';

/** Readings over a window from the rest of perfpilot, with each source's status; `collectPerformanceMetrics` fits. */
export type CollectWindow = (environment: string, start: Date, end: Date) => Promise<{
  readonly metrics: PerformanceMetrics;
  readonly sources?: Readonly<Record<string, { readonly status: string }>>;
}>;

/**
 * Samples the environment's sources over the next `windowMs` and reads that window, as
 * `perfpilot analyze` does without a running `perfpilot start`; `collectOnce` fits.
 */
export type WatchWindow = (environment: string, windowMs: number, signal?: AbortSignal) => Promise<{ readonly metrics: PerformanceMetrics }>;

/** Everything plan, apply, verify and rollback need; the composition root builds it. */
export interface OptimizerDeps {
  readonly environment: string;
  readonly config: Pick<OptimizeConfig, 'cooldown' | 'verifyWindow' | 'regression'>;
  /** Only the targets listed in optimize.targets, by id. */
  readonly targets: ReadonlyMap<string, CacheTarget>;
  readonly audit: AuditStore;
  readonly notifier: Pick<Notifier, 'notify'> | null;
  readonly logger: Logger;
  /** Store-backed window readings (p99, host memory); null when perfpilot has none. */
  readonly collect: CollectWindow | null;
  /**
   * Set when nothing fills the store (no `perfpilot start`): plan and verify then sample the
   * sources over their own windows, so the p99 they compare is measured, not missing.
   */
  readonly watch?: WatchWindow;
  readonly now: () => number;
  readonly progress?: Progress;
}
