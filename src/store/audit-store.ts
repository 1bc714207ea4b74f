import type { Baseline, Plan, SettingChange } from '../optimize/proposal.js';

/**
 * deploying: written and accepted, still spreading (a CloudFront distribution InProgress);
 * applied: written and kept (verification pending or skipped); verified: kept after the
 * verification window; rolled_back: undone later (by verification or by hand); restored:
 * undone because another part of the same apply failed; failed: the write itself failed.
 */
export type OptimizationStatus = 'deploying' | 'applied' | 'verified' | 'rolled_back' | 'restored' | 'failed';

/** Before and after readings, and the verdict. */
export interface Verification {
  readonly atMs: number;
  readonly before: Baseline;
  readonly after: Baseline;
  readonly regressed: boolean;
  readonly reason: string | null;
}

/** One row of the optimizer's audit log: the changes made to one target at one time. */
export interface OptimizationRecord {
  readonly id: number;
  /** A rollback row points at the apply row it undid with `rollbackOf`. */
  readonly kind: 'apply' | 'rollback';
  readonly rollbackOf: number | null;
  readonly environment: string;
  readonly target: string;
  readonly targetType: string;
  readonly status: OptimizationStatus;
  readonly atMs: number;
  /** Who asked: "cli:alice", "api", "verify". */
  readonly by: string;
  readonly changes: readonly SettingChange[];
  readonly plan: Plan | null;
  readonly reason: string | null;
  readonly verification: Verification | null;
}

export type NewOptimizationRecord = Omit<OptimizationRecord, 'id'>;

export interface AuditStore {
  appendOptimization(record: NewOptimizationRecord): Promise<number>;
  updateOptimization(id: number, patch: { status?: OptimizationStatus; reason?: string | null; verification?: Verification }): Promise<void>;
  getOptimization(id: number): Promise<OptimizationRecord | null>;
  /** The newest first; only `environment`'s when given. */
  listOptimizations(limit: number, environment?: string): Promise<OptimizationRecord[]>;
  /** When a change (apply or rollback) was last written to the target; null if never. */
  lastOptimizationAt(target: string): Promise<number | null>;
  /**
   * Takes the one optimizer lock for `holder` unless another holder has it and its lease
   * (until `nowMs + leaseMs` when taken) has not run out. Serializes applies across processes.
   */
  tryLockOptimizer(holder: string, nowMs: number, leaseMs: number): Promise<boolean>;
  unlockOptimizer(holder: string): Promise<void>;
  /**
   * Keeps a plan by id, so that an id shown by the API, the dashboard or the CLI can be applied
   * later, from any process sharing the store and after a restart. Only the newest plans are kept.
   */
  savePlan(plan: Plan): Promise<void>;
  getPlan(id: string): Promise<Plan | null>;
  /** The environment's newest plan; null if none. */
  latestPlan(environment: string): Promise<Plan | null>;
}
