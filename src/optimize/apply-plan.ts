import { PerfpilotError } from '../errors.js';
import type { OptimizationRecord } from '../store/audit-store.js';
import { redactSecrets } from '../util/redact.js';
import { groupByResource, inverse } from './group-changes.js';
import type { OptimizerDeps } from './optimizer-deps.js';
import type { Plan, SettingChange } from './proposal.js';
import { withOptimizerLock } from './with-optimizer-lock.js';

export interface ApplyOptions {
  /** False: a dry run that only says what would change (the CLI without --yes). */
  readonly confirm: boolean;
  /** Who asked, for the audit log: "cli:alice", "api". */
  readonly by: string;
}

export interface Refusal {
  readonly target: string;
  readonly reason: string;
}

/** What apply did (or would do). JSON-serializable. */
export interface ApplyResult {
  readonly planId: string;
  readonly dryRun: boolean;
  readonly changes: readonly { readonly target: string; readonly changes: readonly SettingChange[] }[];
  readonly refused: readonly Refusal[];
  /** The audit rows written, one per target. */
  readonly records: readonly OptimizationRecord[];
  /** Set when a write failed: everything already changed was put back. */
  readonly failure: { readonly target: string; readonly message: string } | null;
}

/**
 * Applies a plan's proposals, guarded: only configured targets, one change per target per
 * cooldown, never `noeviction`, and only while each setting still has the value the plan saw.
 * Serialized across processes. A failure midway restores everything already changed.
 * Resolves once every write is accepted: following a deployment (`settleApplied`) and
 * verification (`verifyApplied`) are separate, so an API call can answer at once.
 */
export async function applyPlan(deps: OptimizerDeps, plan: Plan, options: ApplyOptions): Promise<ApplyResult> {
  if (plan.environment !== deps.environment) {
    throw new PerfpilotError(`the plan is for environment ${plan.environment}, not ${deps.environment}`, { exitCode: 64, httpStatus: 400 });
  }
  if (!options.confirm) return { planId: plan.id, dryRun: true, ...(await screen(deps, plan)), records: [], failure: null };
  return withOptimizerLock(deps, async () => {
    const { changes, refused } = await screen(deps, plan);
    const records: OptimizationRecord[] = [];
    const written: { id: number; target: string; groups: SettingChange[][] }[] = [];
    for (const { target, changes: targetChanges } of changes) {
      const t = deps.targets.get(target)!;
      // A target that spreads its changes (CloudFront) stays `deploying` until `settleApplied` sees them in effect.
      const record = { kind: 'apply' as const, rollbackOf: null, environment: deps.environment, target, targetType: t.type,
        status: t.settle ? 'deploying' as const : 'applied' as const, atMs: deps.now(), by: options.by, changes: targetChanges, plan, reason: null, verification: null };
      const id = await deps.audit.appendOptimization(record);
      const entry = { id, target, groups: [] as SettingChange[][] };
      written.push(entry);
      for (const group of groupByResource(targetChanges)) {
        try {
          await t.write(group, deps.progress ?? (() => {}));
          entry.groups.push(group);
        } catch (err) {
          const message = redactSecrets((err as Error).message);
          await restore(deps, written, target, message);
          return { planId: plan.id, dryRun: false, changes, refused, records: await reread(deps, written), failure: { target, message } };
        }
      }
      records.push({ ...record, id });
    }
    for (const r of records) {
      deps.logger.info({ id: r.id, target: r.target, changes: r.changes, by: r.by, planId: plan.id }, 'Cache optimization completed');
      await deps.notifier?.notify({
        name: 'optimization_applied', environment: deps.environment, severity: 'low',
        summary: `${describeChanges(r.changes)} on ${r.target}`,
        labels: { target: r.target, optimization: String(r.id) },
        details: { by: r.by, plan: plan.id },
      });
    }
    return { planId: plan.id, dryRun: false, changes, refused, records, failure: null };
  });
}

/** Which proposals may be applied now, as changes with the values read from the target. */
async function screen(deps: OptimizerDeps, plan: Plan) {
  const refused: Refusal[] = [];
  const changes: { target: string; changes: SettingChange[] }[] = [];
  for (const target of new Set(plan.proposals.map((p) => p.target))) {
    const proposals = plan.proposals.filter((p) => p.target === target);
    const t = deps.targets.get(target);
    if (!t) { refused.push({ target, reason: 'not listed in optimize.targets' }); continue; }
    const last = await deps.audit.lastOptimizationAt(target);
    if (last !== null && deps.now() - last < deps.config.cooldown) {
      refused.push({ target, reason: `changed ${Math.round((deps.now() - last) / 60_000)} min ago; the cooldown is ${Math.round(deps.config.cooldown / 60_000)} min` });
      continue;
    }
    if (proposals.some((p) => p.parameter === 'maxmemory-policy' && p.proposed === 'noeviction')) {
      refused.push({ target, reason: 'perfpilot never sets noeviction' });
      continue;
    }
    const now = await t.read(proposals);
    const stale = proposals.filter((p, i) => String(now[i]) !== String(p.current));
    if (stale.length) {
      refused.push({ target, reason: `changed since the plan: ${stale.map((p) => `${p.resource ? `${p.resource} ` : ''}${p.parameter} is ${now[proposals.indexOf(p)]}, the plan saw ${p.current}`).join('; ')}` });
      continue;
    }
    changes.push({ target, changes: proposals.map((p) => ({ target, resource: p.resource, parameter: p.parameter, before: p.current, after: p.proposed })) });
  }
  return { changes, refused };
}

/** Puts back every group already written, newest first, and marks the audit rows. */
async function restore(deps: OptimizerDeps, written: { id: number; target: string; groups: SettingChange[][] }[], failedTarget: string, message: string): Promise<void> {
  for (const entry of [...written].reverse()) {
    let restoreError: string | null = null;
    for (const group of [...entry.groups].reverse()) {
      await deps.targets.get(entry.target)!.write(inverse(group), deps.progress ?? (() => {})).catch((err: unknown) => {
        restoreError = redactSecrets((err as Error).message);
      });
    }
    const failed = entry.target === failedTarget;
    const reason = `${failed ? `failed: ${message}` : `restored after ${failedTarget} failed: ${message}`}${restoreError ? `; restoring failed too: ${restoreError}` : ''}`;
    await deps.audit.updateOptimization(entry.id, { status: failed ? 'failed' : 'restored', reason });
    deps.logger.error({ id: entry.id, target: entry.target, reason }, 'Cache optimization failed');
    // Written and taken back again is a rollback the operators did not ask for; a failed restore needs them.
    if (entry.groups.length || restoreError) {
      await deps.notifier?.notify({
        name: restoreError ? 'optimization_rollback_failed' : 'optimization_restored', environment: deps.environment, severity: restoreError ? 'high' : 'medium',
        summary: `${entry.target}: ${reason}${restoreError ? `; check the target and set back by hand: ${describeChanges(inverse(entry.groups.flat()))}` : ''}`,
        labels: { target: entry.target, optimization: String(entry.id) },
      });
    }
  }
}

async function reread(deps: OptimizerDeps, written: { id: number }[]): Promise<OptimizationRecord[]> {
  const rows = await Promise.all(written.map((w) => deps.audit.getOptimization(w.id)));
  return rows.filter((r): r is OptimizationRecord => r !== null);
}

export function describeChanges(changes: readonly SettingChange[]): string {
  return changes.map((c) => `${c.resource ? `${c.resource} ` : ''}${c.parameter} ${c.before} → ${c.after}`).join(', ');
}
