import type { OptimizeConfig } from '../config/optimize.js';
import type { OptimizationRecord, Verification } from '../store/audit-store.js';
import type { OptimizerDeps } from './optimizer-deps.js';
import { redactSecrets } from '../util/redact.js';
import type { Baseline } from './proposal.js';
import { rollbackChange } from './rollback-change.js';
import { settleApplied } from './settle-applied.js';

type Thresholds = OptimizeConfig['regression'];

/**
 * Whether `after` is a regression from `before`: the hit rate fell by more than
 * `hitRateDrop`, or p99 grew by more than `p99Increase` of itself. Pure; null readings
 * are not compared. Returns the reason, or null.
 */
export function regression(before: Baseline, after: Baseline, t: Thresholds): string | null {
  const reasons: string[] = [];
  if (before.hitRate !== null && after.hitRate !== null && after.hitRate < before.hitRate - t.hitRateDrop) {
    reasons.push(`hit rate fell from ${before.hitRate.toFixed(3)} to ${after.hitRate.toFixed(3)}`);
  }
  if (before.p99Ms !== null && after.p99Ms !== null && after.p99Ms > before.p99Ms * (1 + t.p99Increase)) {
    reasons.push(`p99 rose from ${before.p99Ms.toFixed(1)} ms to ${after.p99Ms.toFixed(1)} ms`);
  }
  return reasons.length ? reasons.join('; ') : null;
}

/**
 * Watches the verification window after an apply, compares each change's target with its
 * baseline from the plan, and rolls a regressed change back by itself, recording why. Only
 * rows still `applied` are verified (one rolled back or deploying meanwhile is returned as
 * it is), and a rollback by hand during the window wins over the verdict.
 */
export async function verifyApplied(deps: OptimizerDeps, records: readonly OptimizationRecord[], signal?: AbortSignal): Promise<OptimizationRecord[]> {
  const current = await Promise.all(records.map(async (r) => (await deps.audit.getOptimization(r.id)) ?? r));
  const due = current.filter((r) => r.status === 'applied');
  if (due.length === 0) return current;
  const windowMs = deps.config.verifyWindow;
  const startMs = deps.now();
  deps.progress?.(`verifying for ${Math.round(windowMs / 1000)} s`);
  const [hitRates, watched] = await Promise.all([
    Promise.all(due.map(async (r) => (await deps.targets.get(r.target)?.measureHitRate(windowMs, signal).catch(() => null)) ?? null)),
    deps.watch?.(deps.environment, windowMs, signal).catch(() => null) ?? null,
  ]);
  const snapshot = watched ?? (deps.collect ? await deps.collect(deps.environment, new Date(startMs), new Date(deps.now())).catch(() => null) : null);
  const verified = new Map<number, OptimizationRecord>();
  for (const [i, r] of due.entries()) {
    if ((await deps.audit.getOptimization(r.id))?.status !== 'applied') continue;
    const before = r.plan?.baselines[r.target] ?? { hitRate: null, p99Ms: null };
    const after: Baseline = {
      hitRate: hitRates[i] ?? (r.targetType === 'elasticache' ? snapshot?.metrics.cache.hitRate ?? null : null),
      p99Ms: snapshot?.metrics.application.responseTime.p99 ?? null,
    };
    const reason = regression(before, after, deps.config.regression);
    const comparable = (before.hitRate !== null && after.hitRate !== null) || (before.p99Ms !== null && after.p99Ms !== null);
    const verification: Verification = { atMs: deps.now(), before, after, regressed: reason !== null, reason: reason ?? (comparable ? null : 'no readings to compare') };
    await deps.audit.updateOptimization(r.id, { verification, ...(comparable && !reason ? { status: 'verified' as const } : {}) });
    let outcome = comparable ? 'verified' : 'kept; no readings to compare';
    if (reason) {
      outcome = `regressed (${reason}); rolled back`;
      await rollbackChange(deps, r.id, { by: 'verify', reason: `regression after ${Math.round(windowMs / 1000)} s: ${reason}` })
        .then((row) => settleApplied(deps, [row], signal))
        .catch(async (err: unknown) => {
          // Rolled back meanwhile (by hand, or by another perfpilot verifying it too): nothing failed.
          if ((await deps.audit.getOptimization(r.id))?.status === 'rolled_back') return;
          outcome = `regressed (${reason}); the automatic rollback failed`;
          const message = `regression (${reason}), and the automatic rollback failed: ${redactSecrets((err as Error).message)}; run perfpilot optimize rollback ${r.id}`;
          await deps.audit.updateOptimization(r.id, { reason: message });
          deps.logger.error({ id: r.id, target: r.target }, message);
          await deps.notifier?.notify({ name: 'optimization_rollback_failed', environment: deps.environment, severity: 'high', summary: `${r.target}: ${message}`, labels: { target: r.target, optimization: String(r.id) } });
        });
    }
    deps.logger.info({ id: r.id, target: r.target, verification }, reason ? 'Cache optimization regressed' : 'Cache optimization verified');
    deps.progress?.(`${r.target}: ${outcome}`);
    verified.set(r.id, (await deps.audit.getOptimization(r.id))!);
  }
  return current.map((r) => verified.get(r.id) ?? r);
}
