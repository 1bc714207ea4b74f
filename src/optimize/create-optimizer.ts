import type { Notifier } from '../alert/notifier.js';
import type { OptimizeConfig, TargetConfig } from '../config/optimize.js';
import type { Logger } from '../log.js';
import type { AuditStore } from '../store/audit-store.js';
import type { Progress } from './cache-target.js';
import { createTargets } from './create-targets.js';
import type { CollectWindow, OptimizerDeps } from './optimizer-deps.js';

/** The optimizer's dependencies, plus closing the targets' clients. */
export interface Optimizer extends OptimizerDeps {
  close(): Promise<void>;
}

export interface CreateOptimizerOptions {
  readonly environment: string;
  readonly config: Omit<OptimizeConfig, 'targets'> & { readonly targets: readonly TargetConfig[] };
  readonly audit: AuditStore;
  readonly logger: Logger;
  readonly collect: CollectWindow | null;
  readonly notifier: Pick<Notifier, 'notify'> | null;
  readonly now?: () => number;
  readonly progress?: Progress;
}

/**
 * Builds the optimizer from `optimize:`: one target adapter per configured target, nothing
 * else. Pass it to `planOptimizations`, `applyPlan`, `verifyApplied`, `rollbackChange`.
 *
 * @example
 * const optimizer = createOptimizer({ environment: 'prod', config: config.optimize, audit: store, logger, collect, notifier });
 * const plan = await planOptimizations(optimizer, { windowMs: 300_000 });
 * await applyPlan(optimizer, plan, { confirm: false, by: 'api' }); // a dry run
 */
export function createOptimizer(options: CreateOptimizerOptions): Optimizer {
  const targets = createTargets(options.config, options.environment);
  return {
    environment: options.environment,
    config: options.config,
    targets,
    audit: options.audit,
    notifier: options.notifier,
    logger: options.logger,
    collect: options.collect,
    now: options.now ?? Date.now,
    ...(options.progress ? { progress: options.progress } : {}),
    async close() {
      await Promise.allSettled([...targets.values()].map((t) => t.close()));
    },
  };
}
