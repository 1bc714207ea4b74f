import { describe, expect, it } from 'vitest';
import type { CacheTarget } from '../src/optimize/cache-target.js';
import { applyPlan } from '../src/optimize/apply-plan.js';
import type { Plan, SettingChange } from '../src/optimize/proposal.js';
import { verifyApplied } from '../src/optimize/verify-applied.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';

/** An in-memory target for the orchestration core: settings in a map, scripted hit rates and write failures. */
function memoryTarget(options: { hitRate: number | null; failWrites: (changes: readonly SettingChange[]) => boolean }) {
  const values = new Map<string, string | number>([['maxmemory-policy', 'volatile-lru']]);
  const target: CacheTarget = {
    id: 'memory://cache',
    type: 'redis',
    inspect: async () => { throw new Error('not used'); },
    read: async (settings) => settings.map((s) => values.get(s.parameter) ?? null),
    write: async (changes) => {
      if (options.failWrites(changes)) throw new Error('connection reset');
      for (const c of changes) values.set(c.parameter, c.after);
    },
    measureHitRate: async () => options.hitRate,
    close: async () => {},
  };
  return { target, values };
}

const plan: Plan = {
  id: 'plan-1', environment: 'prod', createdAt: '2026-11-27T01:00:00.000Z', windowMs: 1000, notes: [],
  baselines: { 'memory://cache': { hitRate: 0.6, p99Ms: null } },
  proposals: [{ target: 'memory://cache', resource: '', parameter: 'maxmemory-policy', current: 'volatile-lru', proposed: 'allkeys-lru', evidence: {}, expectedEffect: '', risk: '' }],
};

describe('verification after an apply', () => {
  it('keeps a change whose hit rate held, and marks it verified', async () => {
    const { target, values } = memoryTarget({ hitRate: 0.9, failWrites: () => false });
    const { deps } = testOptimizerDeps('prod', [target]);
    const applied = await applyPlan({ ...deps, config: { ...deps.config, verifyWindow: 1 } }, plan, { confirm: true, by: 'test' });
    const [r] = await verifyApplied({ ...deps, config: { ...deps.config, verifyWindow: 1 } }, applied.records);
    expect(r).toMatchObject({ status: 'verified', verification: { before: { hitRate: 0.6 }, after: { hitRate: 0.9 }, regressed: false, reason: null } });
    expect(values.get('maxmemory-policy')).toBe('allkeys-lru');
  });

  it('records a failed automatic rollback and raises a high-severity notification', async () => {
    const { target, values } = memoryTarget({ hitRate: 0.2, failWrites: (changes) => changes[0]!.after === 'volatile-lru' });
    const { deps, notified } = testOptimizerDeps('prod', [target]);
    const applied = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    const [r] = await verifyApplied({ ...deps, config: { ...deps.config, verifyWindow: 1 } }, applied.records);
    expect(r!.status).toBe('applied');
    expect(r!.verification).toMatchObject({ regressed: true, reason: 'hit rate fell from 0.600 to 0.200' });
    expect(r!.reason).toMatch(/^regression \(hit rate fell from 0\.600 to 0\.200\), and the automatic rollback failed: .*connection reset; run perfpilot optimize rollback 1$/);
    expect(values.get('maxmemory-policy')).toBe('allkeys-lru');
    expect(notified.map((n) => [n.name, n.severity])).toEqual([['optimization_applied', 'low'], ['optimization_rollback_failed', 'high']]);
  });

  it('leaves a change applied when there is nothing to compare', async () => {
    const { target } = memoryTarget({ hitRate: null, failWrites: () => false });
    const { deps } = testOptimizerDeps('prod', [target]);
    const applied = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    const [r] = await verifyApplied({ ...deps, config: { ...deps.config, verifyWindow: 1 } }, applied.records);
    expect(r).toMatchObject({ status: 'applied', verification: { regressed: false, reason: 'no readings to compare' } });
  });
});
