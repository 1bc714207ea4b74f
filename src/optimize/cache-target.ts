import type { CloudFrontEvidence } from './plan-cloudfront.js';
import type { ElastiCacheEvidence } from './plan-elasticache.js';
import type { RedisEvidence } from './plan-redis.js';
import type { Setting, SettingChange, SettingValue } from './proposal.js';

export type TargetEvidence = RedisEvidence | ElastiCacheEvidence | CloudFrontEvidence;
export type TargetType = TargetEvidence['type'];

/** Readings from the rest of perfpilot (the environment's snapshot) a target may use. */
export interface WindowReadings {
  readonly hitRate: number | null;
  readonly evictions: number | null;
  readonly hostMemoryAvailableBytes: number | null;
}

export interface InspectOptions {
  /** How long to watch counters for; 0 reads them once. */
  readonly windowMs: number;
  readonly readings: WindowReadings;
  readonly signal?: AbortSignal;
}

/** Called with one line of progress, e.g. "E1ABC: InProgress". */
export type Progress = (message: string) => void;

/**
 * One cache the optimizer may change. Each adapter (Redis, ElastiCache, CloudFront) is one
 * file in `targets/`; the planner and the apply/verify/rollback steps see only this.
 */
export interface CacheTarget {
  /** Stable and free of credentials: it names the target in plans and the audit log. */
  readonly id: string;
  readonly type: TargetType;
  /** Gathers what the planner needs, at a bounded cost. */
  inspect(options: InspectOptions): Promise<TargetEvidence>;
  /** The current values of settings, in order; null for one the target does not have. */
  read(settings: readonly Setting[]): Promise<(SettingValue | null)[]>;
  /** Writes changes that share one resource, as one update where the target allows it; resolves once the target accepted them. */
  write(changes: readonly SettingChange[], progress: Progress): Promise<void>;
  /**
   * Waits until accepted changes are in effect, for a target that takes minutes to spread them
   * (CloudFront: each affected distribution Deployed), reporting each state as it changes.
   * Resolves true when they are, false when it stopped waiting (they stand and keep spreading).
   * Targets whose writes take effect at once have none.
   */
  settle?(changes: readonly SettingChange[], progress: Progress, signal?: AbortSignal): Promise<boolean>;
  /** The hit rate over the next `windowMs` as the target itself counts it; null when it cannot. */
  measureHitRate(windowMs: number, signal?: AbortSignal): Promise<number | null>;
  close(): Promise<void>;
}
