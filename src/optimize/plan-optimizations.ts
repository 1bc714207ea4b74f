import type { WindowReadings } from './cache-target.js';
import { makePlan } from './make-plan.js';
import type { OptimizerDeps } from './optimizer-deps.js';
import type { Plan } from './proposal.js';

export interface PlanOptions {
  /** How long to watch each target's counters. */
  readonly windowMs: number;
  readonly signal?: AbortSignal;
}

/**
 * `perfpilot optimize plan`: reads the environment's last window from the store, inspects
 * every configured target over `windowMs` in parallel, and plans. Changes no target; keeps the
 * plan in the store by id, so that `optimize apply ID` and the API can apply it later.
 */
export async function planOptimizations(deps: OptimizerDeps, options: PlanOptions): Promise<Plan> {
  const startMs = deps.now();
  const snapshot = deps.collect
    ? await deps.collect(deps.environment, new Date(startMs - options.windowMs), new Date(startMs)).catch((err: unknown) => {
      deps.logger.warn({ err }, 'window readings unavailable for the plan');
      return null;
    })
    : null;
  const m = snapshot?.metrics ?? null;
  const readings: WindowReadings = {
    hitRate: m?.cache.hitRate ?? null,
    evictions: m?.cache.evictions ?? null,
    hostMemoryAvailableBytes: m?.resources.memory.available ?? null,
  };
  deps.progress?.(`inspecting ${deps.targets.size} target(s) over ${Math.round(options.windowMs / 1000)} s`);
  // The sources are watched over the same window as the targets, when the store has no samples of it.
  const watching = deps.watch?.(deps.environment, options.windowMs, options.signal).catch((err: unknown) => {
    deps.logger.warn({ err }, 'sources could not be watched for the plan');
    return null;
  }) ?? null;
  const evidence = await Promise.all([...deps.targets.values()].map((t) => t.inspect({ windowMs: options.windowMs, readings, signal: options.signal })));
  const watched = (await watching)?.metrics ?? null;
  const plan = makePlan({
    environment: deps.environment,
    evidence,
    windowMs: options.windowMs,
    p99Ms: (watched ?? m)?.application.responseTime.p99 ?? null,
    now: new Date(deps.now()),
  });
  await deps.audit.savePlan(plan);
  deps.logger.info({ planId: plan.id, proposals: plan.proposals.length, targets: deps.targets.size }, 'Cache optimization planned');
  return plan;
}
