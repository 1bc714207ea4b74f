import { PerfpilotError } from '../errors.js';
import type { OptimizationRecord } from '../store/audit-store.js';
import { describeChanges } from './apply-plan.js';
import { groupByResource, inverse } from './group-changes.js';
import type { OptimizerDeps } from './optimizer-deps.js';
import { withOptimizerLock } from './with-optimizer-lock.js';

export interface RollbackOptions {
  readonly by: string;
  readonly reason: string;
}

/**
 * `perfpilot optimize rollback ID`: writes back the exact values from before change ID,
 * records a rollback row and marks the change rolled back. Not subject to the cooldown.
 * Returns the rollback row, `deploying` on a target that spreads changes (follow it with
 * `settleApplied`).
 */
export async function rollbackChange(deps: OptimizerDeps, id: number, options: RollbackOptions): Promise<OptimizationRecord> {
  // Checked under the lock: two rollbacks at once (the API and an automatic one) must not both pass.
  return withOptimizerLock(deps, async () => {
    const record = await deps.audit.getOptimization(id);
    if (!record || record.environment !== deps.environment) throw new PerfpilotError(`no optimization ${id} in environment ${deps.environment}`, { exitCode: 66, httpStatus: 404 });
    if (record.kind !== 'apply') throw new PerfpilotError(`optimization ${id} is itself a rollback (of ${record.rollbackOf})`, { exitCode: 65, httpStatus: 409 });
    // A deploying change can be taken back too: CloudFront accepts an update while it deploys.
    if (record.status !== 'deploying' && record.status !== 'applied' && record.status !== 'verified') {
      throw new PerfpilotError(`optimization ${id} is ${record.status.replace('_', ' ')}; there is nothing to roll back`, { exitCode: 65, httpStatus: 409 });
    }
    const target = deps.targets.get(record.target);
    if (!target) throw new PerfpilotError(`${record.target} is no longer listed in optimize.targets`, { exitCode: 78, httpStatus: 409 });
    const undo = inverse(record.changes);
    for (const group of groupByResource(undo)) await target.write(group, deps.progress ?? (() => {}));
    const row = {
      kind: 'rollback' as const, rollbackOf: id, environment: deps.environment, target: record.target, targetType: record.targetType,
      status: target.settle ? 'deploying' as const : 'applied' as const, atMs: deps.now(), by: options.by, changes: undo, plan: null, reason: options.reason, verification: null,
    };
    const rollbackId = await deps.audit.appendOptimization(row);
    await deps.audit.updateOptimization(id, { status: 'rolled_back', reason: options.reason });
    deps.logger.warn({ id, rollbackId, target: record.target, changes: undo, by: options.by, reason: options.reason }, 'Cache optimization rolled back');
    await deps.notifier?.notify({
      name: 'optimization_rolled_back', environment: deps.environment, severity: 'medium',
      summary: `rolled back optimization ${id} on ${record.target}: ${describeChanges(undo)} (${options.reason})`,
      labels: { target: record.target, optimization: String(id) },
      details: { by: options.by, reason: options.reason },
    });
    return { ...row, id: rollbackId };
  });
}
