import type { PerformanceMetrics } from '../model/metrics.js';
import type { WindowReadings } from './cache-target.js';
import { makePlan, type StoredBaseline } from './make-plan.js';
import type { OptimizerDeps } from './optimizer-deps.js';
import type { Plan } from './proposal.js';

export interface PlanOptions {
  /** How long to watch each target's counters. */
  readonly windowMs: number;
  /**
   * Set where `perfpilot start` keeps the store filled (the server). The store's readings are
   * read over `windowMs` before now (the analysis window) for every target, starting no sooner
   * than `intervalMs` (the sources' sampling interval) after the previous plan. The Redis the
   * environment's redis source samples (`redisTarget`) is watched only `watchMs` (its config
   * and keyspace sample need no longer), and its baseline is the stored window's hit rate and
   * p99 when the source has readings there (only right after a start has it none: the short
   * watch is the baseline then); every other target is watched the plan's `windowMs`.
   */
  readonly stored?: { readonly windowMs: number; readonly intervalMs: number; readonly redisTarget: string | null; readonly watchMs: number };
  readonly signal?: AbortSignal;
}

/**
 * `perfpilot optimize plan`: reads the environment's last window from the store, inspects every configured target over `windowMs` in parallel, and
 * plans. Changes no target; keeps the plan in the store by id, so that `optimize apply ID` and
 * the API can apply it later.
 */
export async function planOptimizations(deps: OptimizerDeps, options: PlanOptions): Promise<Plan> {
  const startMs = deps.now();
  const readingsWindowMs = options.stored?.windowMs ?? options.windowMs;
  const readWindow = async (fromMs: number) => (deps.collect
    ? deps.collect(deps.environment, new Date(fromMs), new Date(startMs)).catch((err: unknown) => {
      deps.logger.warn({ err }, 'window readings unavailable for the plan');
      return null;
    })
    : null);
  const snapshot = await readWindow(startMs - readingsWindowMs);
  const m = snapshot?.metrics ?? null;
  const readings: WindowReadings = {
    hitRate: m?.cache.hitRate ?? null,
    evictions: m?.cache.evictions ?? null,
    hostMemoryAvailableBytes: m?.resources.memory.available ?? null,
  };
  // The previous plan's keyspace sample (2 lookups per key, counted as hits by Redis and so by
  // the redis source) ended before that plan was saved. A window's readings run from the last
  // sample at or before its start, so the hit-rate baseline is read from one interval after that
  // plan: none of its lookups are in it. (Right after a plan there is no such reading, and the
  // short watch, which leaves the sample out itself, is the baseline.)
  const previous = options.stored && snapshot ? await deps.audit.latestPlan(deps.environment) : null;
  const sinceMs = previous && options.stored ? Date.parse(previous.createdAt) + options.stored.intervalMs : -Infinity;
  const hitRateSnapshot = sinceMs > startMs - readingsWindowMs ? (sinceMs < startMs ? await readWindow(sinceMs) : null) : snapshot;
  const stored = options.stored && snapshot && hitRateSnapshot ? storedBaseline(deps, options.stored.redisTarget, hitRateSnapshot, snapshot.metrics.application.responseTime.p99) : null;
  const windowOf = (targetId: string) => (targetId === options.stored?.redisTarget ? options.stored.watchMs : options.windowMs);
  const watchedMs = Math.max(0, ...[...deps.targets.keys()].map(windowOf));
  deps.progress?.(`inspecting ${deps.targets.size} target(s) over ${Math.round(watchedMs / 1000)} s`);
  // The sources are watched over the same window as the targets, when the store has no samples of it.
  const watching = deps.watch?.(deps.environment, options.windowMs, options.signal).catch((err: unknown) => {
    deps.logger.warn({ err }, 'sources could not be watched for the plan');
    return null;
  }) ?? null;
  const evidence = await Promise.all([...deps.targets.values()].map((t) => t.inspect({ windowMs: windowOf(t.id), readings, signal: options.signal })));
  const watched = (await watching)?.metrics ?? null;
  const plan = makePlan({
    environment: deps.environment,
    evidence,
    windowMs: watchedMs,
    p99Ms: (watched ?? m)?.application.responseTime.p99 ?? null,
    stored,
    now: new Date(deps.now()),
  });
  await deps.audit.savePlan(plan);
  deps.logger.info({ planId: plan.id, proposals: plan.proposals.length, targets: deps.targets.size, storedBaseline: stored?.target ?? null }, 'Cache optimization planned');
  return plan;
}

/**
 * The stored hit rate and the analysis window's p99 as the baseline of the Redis the redis
 * source samples, when the source has readings there: it needs two samples for them, so they span at least one interval
 * (10 s by default) and, once perfpilot has run that long, the whole analysis window.
 */
function storedBaseline(deps: OptimizerDeps, redisTarget: string | null, snapshot: { readonly metrics: PerformanceMetrics; readonly sources?: Readonly<Record<string, { readonly status: string }>> }, p99Ms: number | null): StoredBaseline | null {
  if (!redisTarget || !deps.targets.has(redisTarget)) return null;
  if (snapshot.sources?.redis?.status !== 'ok' || snapshot.metrics.cache.hitRate === null) return null;
  return { target: redisTarget, hitRate: snapshot.metrics.cache.hitRate, p99Ms };
}
