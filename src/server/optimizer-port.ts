import { PerfpilotError } from '../errors.js';
import { applyPlan } from '../optimize/apply-plan.js';
import type { Progress } from '../optimize/cache-target.js';
import type { OptimizerDeps } from '../optimize/optimizer-deps.js';
import { planOptimizations } from '../optimize/plan-optimizations.js';
import type { Plan } from '../optimize/proposal.js';
import type { OptimizationRecord } from '../store/audit-store.js';
import { rollbackChange } from '../optimize/rollback-change.js';
import { redisTargetId } from '../optimize/targets/redis.js';
import { settleApplied } from '../optimize/settle-applied.js';
import { verifyApplied } from '../optimize/verify-applied.js';
import type { OptimizerPort } from './routes/optimize.js';

export interface OptimizerPortOptions {
  /**
   * How long a plan watches a target whose readings the store does not have. Default 60 s:
   * verification compares a 10 min reading with this baseline and rolls back on a hit-rate
   * drop of 0.02, and a baseline of N reads is off by up to 0.5/√N (one standard error), so
   * staying within 0.02 at three standard errors takes about 5,600 reads: 60 s of a Redis
   * serving 100 reads/s (3 s needed 1,900/s, so a quieter Redis could be rolled back for noise).
   */
  readonly planWindowMs?: number;
  /**
   * What `perfpilot start` keeps in the store, sampled every `intervalMs`: its readings over
   * `windowMs` (the analysis window, from after the previous plan's keyspace sample) are every
   * plan's p99 baseline, and the hit-rate baseline of the Redis at
   * `redisUrl` (the environment's redis source), which is then watched only 3 s.
   */
  readonly stored?: { readonly windowMs: number; readonly intervalMs: number; readonly redisUrl: string | null };
  /**
   * A plan older than this is made again when asked for the latest (sooner only after a change
   * was applied or rolled back). Default 5 min, the default analysis window: a plan sooner would
   * decide on mostly the same readings, while each plan's keyspace sample costs Redis up to 2
   * lookups per key, which it counts as hits (2,000 at the default 1,000 keys), so an open
   * dashboard adds at most 2,000 / 300 s ≈ 7 false lookups/s to the hit rate the redis source
   * shows. With a slow plan (a Redis the store does not sample), a plan up to 2 plan windows
   * older still answers at once while the next one is made.
   */
  readonly maxPlanAgeMs?: number;
  /** How many history rows to answer. */
  readonly historyLimit?: number;
}

/** The Redis the store samples is watched only for its config and keyspace sample. */
const SAMPLED_WATCH_MS = 3_000;

/**
 * The optimizer core behind the API. Plans are kept in the store by id (`planOptimizations`
 * saves them), so the dashboard can apply the plan it shows, also after a restart, and a plan
 * made by `perfpilot optimize plan` can be applied here. An apply answers once the targets
 * accepted the writes; following a CloudFront deployment (InProgress → Deployed, into the audit
 * row and to `progress`) and verification (which rolls back by itself on a regression) run in
 * the background.
 */
export function createOptimizerPort(deps: OptimizerDeps, options: OptimizerPortOptions = {}): OptimizerPort {
  const planWindowMs = options.planWindowMs ?? 60_000;
  const stored = options.stored
    ? { windowMs: options.stored.windowMs, intervalMs: options.stored.intervalMs, redisTarget: options.stored.redisUrl ? redisTargetId(options.stored.redisUrl) : null, watchMs: SAMPLED_WATCH_MS }
    : undefined;
  const maxPlanAgeMs = options.maxPlanAgeMs ?? 300_000;
  // A Redis the store does not sample makes every plan take planWindowMs.
  const slow = planWindowMs > SAMPLED_WATCH_MS && [...deps.targets.values()].some((t) => t.type === 'redis' && t.id !== stored?.redisTarget);
  let planning: Promise<Plan> | null = null;
  // A deployment in flight when perfpilot stopped is followed (and its change verified) from here.
  deps.audit.listOptimizations(options.historyLimit ?? 50, deps.environment)
    .then((rows) => follow(following(undefined), rows.filter((r) => r.status === 'deploying')))
    .catch((err: unknown) => deps.logger.error({ err }, 'Cache optimization follow-up failed'));

  const checkEnv = (environment: string) => {
    if (environment !== deps.environment) throw new PerfpilotError(`this perfpilot optimizes environment "${deps.environment}", not "${environment}"`, { httpStatus: 404 });
  };
  const makePlan = () => (planning ??= planOptimizations(deps, { windowMs: planWindowMs, ...(stored ? { stored } : {}) }).finally(() => { planning = null; }));

  return {
    async latestPlan(environment) {
      checkEnv(environment);
      const latest = await deps.audit.latestPlan(environment);
      if (latest && !(await changedSince(latest))) {
        const ageMs = deps.now() - Date.parse(latest.createdAt);
        if (ageMs < maxPlanAgeMs) return latest;
        // The dashboard waits for this answer: while a long watch makes the next plan, it is shown the previous one.
        if (slow && ageMs < maxPlanAgeMs + 2 * planWindowMs) {
          makePlan().catch((err: unknown) => deps.logger.warn({ err }, 'Cache optimization plan failed'));
          return latest;
        }
      }
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
      // Answered now; a CloudFront deployment (minutes) and the verification window follow here.
      if (result.records.length && !result.failure) follow(d, result.records);
      return result;
    },
    async rollback(id, by, progress) {
      const d = following(progress);
      const row = await rollbackChange(d, id, { by, reason: `rolled back by ${by}` });
      follow(d, [row]);
      return row;
    },
    async history(environment) {
      checkEnv(environment);
      return deps.audit.listOptimizations(options.historyLimit ?? 50, environment);
    },
  };

  /** In the background: deploying rows followed until in effect, then the applied changes verified. */
  function follow(d: OptimizerDeps, rows: readonly OptimizationRecord[]): void {
    if (rows.length === 0) return;
    settleApplied(d, rows)
      .then((settled) => verifyApplied(d, settled.filter((r) => r.kind === 'apply')))
      .catch((err: unknown) => deps.logger.error({ err, ids: rows.map((r) => r.id) }, 'Cache optimization follow-up failed'));
  }

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
