import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { applyPlan } from '../src/optimize/apply-plan.js';
import type { OptimizerDeps } from '../src/optimize/optimizer-deps.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { rollbackChange } from '../src/optimize/rollback-change.js';
import { createRedisTarget } from '../src/optimize/targets/redis.js';
import { verifyApplied } from '../src/optimize/verify-applied.js';
import type { NotifyEvent } from '../src/alert/notifier.js';
import { sqliteAuditStore } from '../src/store/sqlite/audit-store.js';
import { migrate } from '../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations/index.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { prefillCold, startWorkload, type Workload } from './support/zipf-workload.js';

const WORKLOAD = { universe: 20_000, valueBytes: 100, ttlShare: 0.1 };

describe.skipIf(missingProgram('redis-server') !== null)('optimizer on a private Redis', () => {
  let redis: PrivateRedis;
  let workload: Workload;
  let deps: OptimizerDeps & { config: { cooldown: number; verifyWindow: number; regression: { hitRateDrop: number; p99Increase: number } } };
  const notified: NotifyEvent[] = [];
  const configGet = async (p: string) => ((await redis.client.config('GET', p)) as string[])[1];

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
    await prefillCold(redis.client, WORKLOAD);
    workload = startWorkload(redis.client, WORKLOAD);
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    const target = createRedisTarget({ url: redis.url, rewrite: false, sample: { maxKeys: 500, budgetMs: 500 } });
    deps = {
      environment: 'test',
      config: { cooldown: 3_600_000, verifyWindow: 2_000, regression: { hitRateDrop: 0.02, p99Increase: 0.2 } },
      targets: new Map([[target.id, target]]),
      audit: sqliteAuditStore(db),
      notifier: { notify: async (e) => void notified.push(e) },
      logger: createLogger({ level: 'silent' }),
      collect: null,
      now: Date.now,
    };
  });
  afterAll(async () => {
    await workload?.stop();
    for (const t of deps?.targets.values() ?? []) await t.close();
    await redis?.stop();
  });

  it('plans an allkeys policy from evidence, applies it, sees the hit rate rise, and rolls back exactly', async () => {
    const plan = await planOptimizations(deps, { windowMs: 2_000 });
    const id = `redis://127.0.0.1:${redis.port}`;
    const policy = plan.proposals.find((p) => p.parameter === 'maxmemory-policy')!;
    expect(policy).toMatchObject({ target: id, resource: '', current: 'volatile-lru' });
    // Zipfian access is skewed: few keys were touched within the idle horizon, far fewer than uniform access would touch.
    expect(policy.evidence.accessSkew).toBe('skewed');
    expect(policy.evidence.touchedRatio).toBeLessThan((policy.evidence.uniformTouchedRatio as number) / 2);
    expect(policy.proposed).toBe('allkeys-lfu');
    expect(plan.proposals.some((p) => p.proposed === 'noeviction')).toBe(false);
    expect(policy.evidence.rejectedWrites).toBeGreaterThan(0);
    expect(policy.evidence.keysWithTtlRatio).toBeLessThan(0.5);
    const before = plan.baselines[id]!.hitRate!;
    expect(before).toBeLessThan(0.5);
    expect(JSON.parse(JSON.stringify(plan))).toEqual(plan);

    const dry = await applyPlan(deps, plan, { confirm: false, by: 'test' });
    expect(dry.dryRun).toBe(true);
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');

    const applied = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(applied.failure).toBeNull();
    expect(applied.records).toHaveLength(1);
    expect(await configGet('maxmemory-policy')).toBe(policy.proposed);
    expect(notified.map((n) => n.name)).toEqual(['optimization_applied']);

    const again = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(again.records).toEqual([]);
    expect(again.refused[0]!.reason).toMatch(/cooldown/);

    const [verified] = await verifyApplied(deps, applied.records);
    expect(verified!.status).toBe('verified');
    expect(verified!.verification!.after.hitRate!).toBeGreaterThan(before + 0.2);

    const rollback = await rollbackChange(deps, applied.records[0]!.id, { by: 'test', reason: 'by hand' });
    expect(rollback.rollbackOf).toBe(applied.records[0]!.id);
    for (const c of applied.records[0]!.changes) expect(await configGet(c.parameter)).toBe(String(c.before));
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
    expect((await deps.audit.getOptimization(applied.records[0]!.id))!.status).toBe('rolled_back');
    expect(notified.map((n) => n.name)).toEqual(['optimization_applied', 'optimization_rolled_back']);
    await expect(rollbackChange(deps, applied.records[0]!.id, { by: 'test', reason: 'twice' })).rejects.toThrow(/rolled back/);
  });

  it('rolls back by itself when the hit rate regresses during verification', async () => {
    deps.config.cooldown = 1;
    const plan = await planOptimizations(deps, { windowMs: 2_000 });
    const policy = plan.proposals.find((p) => p.parameter === 'maxmemory-policy')!;
    expect(policy.current).toBe('volatile-lru');
    const applied = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(await configGet('maxmemory-policy')).toBe(policy.proposed);
    workload.mode = 'misses';
    const [result] = await verifyApplied(deps, applied.records);
    workload.mode = 'zipf';
    expect(result!.status).toBe('rolled_back');
    expect(result!.verification!.regressed).toBe(true);
    expect(result!.reason).toMatch(/^regression after 2 s: hit rate fell from/);
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
    const history = await deps.audit.listOptimizations(10);
    expect(history[0]).toMatchObject({ kind: 'rollback', rollbackOf: applied.records[0]!.id, by: 'verify' });
    const changes = applied.records[0]!.changes;
    expect(changes).toContainEqual({ target: policy.target, resource: '', parameter: 'maxmemory-policy', before: 'volatile-lru', after: policy.proposed });
    expect(history[0]!.changes).toEqual(changes.map((c) => ({ ...c, before: c.after, after: c.before })));
    for (const c of changes) expect(await configGet(c.parameter)).toBe(String(c.before));
  });

  it('takes a change back when CONFIG REWRITE fails (this redis-server has no config file)', async () => {
    const persisting = createRedisTarget({ url: redis.url, rewrite: true, sample: { maxKeys: 100, budgetMs: 100 } });
    const d = { ...deps, targets: new Map([[persisting.id, persisting]]) };
    try {
      const plan = await planOptimizations(d, { windowMs: 1_000 });
      expect(plan.proposals[0]).toMatchObject({ parameter: 'maxmemory-policy', current: 'volatile-lru' });
      const result = await applyPlan(d, plan, { confirm: true, by: 'test' });
      expect(result.failure!.message).toMatch(/CONFIG SET failed: .*config file/i);
      expect(result.records.map((r) => r.status)).toEqual(['failed']);
      expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
    } finally {
      await persisting.close();
    }
  });
});

describe.skipIf(missingProgram('redis-server') !== null)('optimizer on a private Redis read uniformly', () => {
  let redis: PrivateRedis;
  let reading = true;
  let reads: Promise<void>;

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
    const written = await prefillCold(redis.client, WORKLOAD);
    // Every key in memory read equally often: no hot set, recency is all there is to go by.
    const first = WORKLOAD.universe - written;
    reads = (async () => {
      while (reading) {
        const keys = Array.from({ length: 200 }, () => `item:${first + Math.floor(Math.random() * written)}`);
        await redis.client.mget(...keys);
      }
    })();
  });
  afterAll(async () => {
    reading = false;
    await reads;
    await redis?.stop();
  });

  it('proposes allkeys-lru when access is even, from the idle times it sampled', async () => {
    const target = createRedisTarget({ url: redis.url, rewrite: false, sample: { maxKeys: 500, budgetMs: 500 } });
    try {
      const { deps } = testOptimizerDeps('test', [target]);
      const plan = await planOptimizations(deps, { windowMs: 2_000 });
      const policy = plan.proposals.find((p) => p.parameter === 'maxmemory-policy')!;
      expect(policy).toMatchObject({ current: 'volatile-lru', proposed: 'allkeys-lru', evidence: { accessSkew: 'even', rejectedWrites: 0 } });
      expect(policy.evidence.touchedRatio).toBeGreaterThanOrEqual((policy.evidence.uniformTouchedRatio as number) / 2);
    } finally {
      await target.close();
    }
  });
});
