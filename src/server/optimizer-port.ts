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
 * The optimizer core behind the API. Plans are kept in memory by id so that the dashboard
 * can apply the plan it shows; after an apply, verification runs in the background (and
 * rolls back by itself on a regression), so the call returns at once.
 */
export function createOptimizerPort(deps: OptimizerDeps, options: OptimizerPortOptions = {}): OptimizerPort {
  const planWindowMs = options.planWindowMs ?? 3_000;
  const maxPlanAgeMs = options.maxPlanAgeMs ?? 30_000;
  const plans = new Map<string, Plan>();
  let latest: Plan | null = null;
  let planning: Promise<Plan> | null = null;

  const checkEnv = (environment: string) => {
    if (environment !== deps.environment) throw new PerfpilotError(`this perfpilot optimizes environment "${deps.environment}", not "${environment}"`, { httpStatus: 404 });
  };
  const makePlan = () => (planning ??= planOptimizations(deps, { windowMs: planWindowMs }).then((plan) => {
    plans.set(plan.id, plan);
    if (plans.size > 50) plans.delete(plans.keys().next().value!);
    latest = plan;
    return plan;
  }).finally(() => { planning = null; }));

  return {
    async latestPlan(environment) {
      checkEnv(environment);
      if (latest && deps.now() - Date.parse(latest.createdAt) < maxPlanAgeMs) return latest;
      return makePlan();
    },
    async plan(environment) {
      checkEnv(environment);
      return makePlan();
    },
    async apply(planId, by) {
      const plan = plans.get(planId);
      if (!plan) throw new PerfpilotError(`no plan ${planId} here; plans are kept in memory, ask for the latest plan again`, { httpStatus: 404 });
      const result = await applyPlan(deps, plan, { confirm: true, by });
      latest = null;
      if (result.records.length && !result.failure) {
        verifyApplied(deps, result.records).catch((err: unknown) => deps.logger.error({ err }, 'Cache optimization verification failed'));
      }
      return result;
    },
    async rollback(id, by) {
      const record = await rollbackChange(deps, id, { by, reason: `rolled back by ${by}` });
      latest = null;
      return record;
    },
    async history(environment) {
      checkEnv(environment);
      return (await deps.audit.listOptimizations(options.historyLimit ?? 50)).filter((r) => r.environment === environment);
    },
  };
}
