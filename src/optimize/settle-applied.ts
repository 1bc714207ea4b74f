import type { OptimizationRecord } from '../store/audit-store.js';
import { redactSecrets } from '../util/redact.js';
import type { OptimizerDeps } from './optimizer-deps.js';

/**
 * Follows `deploying` rows (changes a target spreads over minutes, as CloudFront does) until
 * they are in effect. Each state the target reports ("E2ABC: InProgress", "E2ABC: Deployed")
 * is written into the row's reason, then passed to `deps.progress`, so history and anyone
 * following progress see InProgress → Deployed; the row then becomes `applied`, ready for
 * `verifyApplied`. A row rolled back meanwhile is left alone. Other rows pass through.
 * Returns the rows as they are now.
 *
 * @example
 * const applied = await applyPlan(deps, plan, { confirm: true, by: 'api' });
 * const settled = await settleApplied(deps, applied.records); // CloudFront rows: deploying → applied
 * await verifyApplied(deps, settled);
 */
export async function settleApplied(deps: OptimizerDeps, records: readonly OptimizationRecord[], signal?: AbortSignal): Promise<OptimizationRecord[]> {
  return Promise.all(records.map(async (r) => {
    if (r.status === 'deploying') await settleOne(deps, r, signal);
    return (await deps.audit.getOptimization(r.id)) ?? r;
  }));
}

async function settleOne(deps: OptimizerDeps, r: OptimizationRecord, signal?: AbortSignal): Promise<void> {
  // The latest state per resource ("E2ABC: …" keyed by "E2ABC"), after the row's own reason (a rollback's why).
  const states = new Map<string, string>();
  const reason = () => [r.reason, ...states.values()].filter((x): x is string => x !== null).join('; ');
  const stillDeploying = async () => (await deps.audit.getOptimization(r.id))?.status === 'deploying';
  let updates = Promise.resolve();
  const report = (line: string) => {
    const colon = line.indexOf(': ');
    states.set(colon > 0 ? line.slice(0, colon) : line, line);
    const now = reason();
    // In order, and each row update before the line goes out, so whoever hears it reads the new state.
    updates = updates.then(async () => {
      if (await stillDeploying()) await deps.audit.updateOptimization(r.id, { reason: now });
      deps.progress?.(line);
    }).catch((err: unknown) => deps.logger.warn({ err, id: r.id }, 'deployment progress not recorded'));
  };
  const target = deps.targets.get(r.target);
  let outcome: string;
  try {
    const inEffect = target?.settle ? await target.settle(r.changes, report, signal) : true;
    outcome = inEffect ? 'deployed' : 'accepted and still deploying; verified as it is';
  } catch (err) {
    // The write was accepted; only following it failed, so the change stands and is verified as it is.
    outcome = `deployment not followed: ${redactSecrets((err as Error).message)}`;
    states.set('', outcome);
  }
  await updates;
  if (!(await stillDeploying())) return;
  await deps.audit.updateOptimization(r.id, { status: 'applied', reason: reason() || null });
  deps.logger.info({ id: r.id, target: r.target, outcome }, 'Cache optimization deployed');
  deps.progress?.(`${r.target}: ${outcome}`);
}
