import { PerfpilotError } from '../errors.js';
import { applyPlan } from '../optimize/apply-plan.js';
import type { OptimizerDeps } from '../optimize/optimizer-deps.js';
import { planOptimizations } from '../optimize/plan-optimizations.js';
import type { Plan } from '../optimize/proposal.js';
import { rollbackChange } from '../optimize/rollback-change.js';
import { verifyApplied } from '../optimize/verify-applied.js';
import type { OptimizerPort } from './routes/optimize.js';

export interface OptimizerPortOptions {
  /** How long a plan watches the targets' counters. */
  readonly planWindowMs?: number;
  /** A plan older than this is made again when asked for the latest. */
  readonly maxPlanAgeMs?: number;
  /** How many history rows to answer. */
  readonly historyLimit?: number;
}

/**
 * The optimizer core behind the API. Plans are kept in the store by id (`planOptimizations`
 * saves them), so the dashboard can apply the plan it shows, also after a restart, and a plan
 * made by `perfpilot optimize plan` can be applied here. After an apply, verification runs in
 * the background (and rolls back by itself on a regression), so the call returns at once.
 */
export function createOptimizerPort(deps: OptimizerDeps, options: OptimizerPortOptions = {}): OptimizerPort {
  const planWindowMs = options.planWindowMs ?? 3_000;
  const maxPlanAgeMs = options.maxPlanAgeMs ?? 30_000;
  let planning: Promise<Plan> | null = null;

  const checkEnv = (environment: string) => {
    if (environment !== deps.environment) throw new PerfpilotError(`this perfpilot optimizes environment "${deps.environment}", not "${environment}"`, { httpStatus: 404 });
  };
  const makePlan = () => (planning ??= planOptimizations(deps, { windowMs: planWindowMs }).finally(() => { planning = null; }));

  return {
    async latestPlan(environment) {
      checkEnv(environment);
      const latest = await deps.audit.latestPlan(environment);
      if (latest && deps.now() - Date.parse(latest.createdAt) < maxPlanAgeMs && !(await changedSince(latest))) return latest;
      return makePlan();
    },
    async plan(environment) {
      checkEnv(environment);
      return makePlan();
    },
    async apply(planId, by) {
      const plan = await deps.audit.getPlan(planId);
      if (!plan) throw new PerfpilotError(`no plan ${planId}: only the newest plans are kept; ask for the latest plan again`, { httpStatus: 404 });
      const result = await applyPlan(deps, plan, { confirm: true, by });
      if (result.records.length && !result.failure) {
        verifyApplied(deps, result.records).catch((err: unknown) => deps.logger.error({ err }, 'Cache optimization verification failed'));
      }
      return result;
    },
    rollback: (id, by) => rollbackChange(deps, id, { by, reason: `rolled back by ${by}` }),
    async history(environment) {
      checkEnv(environment);
      return deps.audit.listOptimizations(options.historyLimit ?? 50, environment);
    },
  };

  /** A plan made before the last change (by any process sharing the store) no longer describes the targets. */
  async function changedSince(plan: Plan): Promise<boolean> {
    const [last] = await deps.audit.listOptimizations(1, plan.environment);
    return last !== undefined && last.atMs >= Date.parse(plan.createdAt);
  }
}
