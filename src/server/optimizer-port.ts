import { PerfpilotError } from '../errors.js';
import { applyPlan } from '../optimize/apply-plan.js';
import type { Progress } from '../optimize/cache-target.js';
import type { OptimizerDeps } from '../optimize/optimizer-deps.js';
import { planOptimizations } from '../optimize/plan-optimizations.js';
import type { Plan } from '../optimize/proposal.js';
import { rollbackChange } from '../optimize/rollback-change.js';
import { settleApplied } from '../optimize/settle-applied.js';
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
 * made by `perfpilot optimize plan` can be applied here. An apply answers once the targets
 * accepted the writes; following a CloudFront deployment (InProgress → Deployed, into the audit
 * row and to `progress`) and verification (which rolls back by itself on a regression) run in
 * the background.
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
    async apply(planId, by, progress) {
      const plan = await deps.audit.getPlan(planId);
      if (!plan) throw new PerfpilotError(`no plan ${planId}: only the newest plans are kept; ask for the latest plan again`, { httpStatus: 404 });
      const d = following(progress);
      const result = await applyPlan(d, plan, { confirm: true, by });
      if (result.records.length && !result.failure) {
        // Answered now; a CloudFront deployment (minutes) and the verification window follow here.
        settleApplied(d, result.records)
          .then((rows) => verifyApplied(d, rows))
          .catch((err: unknown) => deps.logger.error({ err, planId }, 'Cache optimization follow-up failed'));
      }
      return result;
    },
    async rollback(id, by, progress) {
      const d = following(progress);
      const row = await rollbackChange(d, id, { by, reason: `rolled back by ${by}` });
      if (row.status === 'deploying') settleApplied(d, [row]).catch((err: unknown) => deps.logger.error({ err, id: row.id }, 'Cache optimization follow-up failed'));
      return row;
    },
    async history(environment) {
      checkEnv(environment);
      return deps.audit.listOptimizations(options.historyLimit ?? 50, environment);
    },
  };

  /** The deps with each progress line logged and passed on (the route publishes it as a live event). */
  function following(progress: Progress | undefined): OptimizerDeps {
    return {
      ...deps,
      progress: (line) => {
        deps.logger.info({ line }, 'Cache optimization progress');
        progress?.(line);
      },
    };
  }

  /** A plan made before the last change (by any process sharing the store) no longer describes the targets. */
  async function changedSince(plan: Plan): Promise<boolean> {
    const [last] = await deps.audit.listOptimizations(1, plan.environment);
    return last !== undefined && last.atMs >= Date.parse(plan.createdAt);
  }
}
