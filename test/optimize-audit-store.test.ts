import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import type { NewOptimizationRecord } from '../src/store/audit-store.js';
import { sqliteAuditStore } from '../src/store/sqlite/audit-store.js';
import { migrate } from '../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations/index.js';

const store = () => {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS);
  return sqliteAuditStore(db);
};
const row = (over: Partial<NewOptimizationRecord> = {}): NewOptimizationRecord => ({
  kind: 'apply', rollbackOf: null, environment: 'e', target: 'redis://h:6379', targetType: 'redis', status: 'applied', atMs: 1000, by: 'cli:me',
  changes: [{ target: 'redis://h:6379', resource: '', parameter: 'maxmemory-policy', before: 'volatile-lru', after: 'allkeys-lru' }],
  plan: null, reason: null, verification: null, ...over,
});

describe('SQLite audit store', () => {
  it('round-trips records, updates them, lists newest first, and times the cooldown from non-failed changes', async () => {
    const s = store();
    const a = await s.appendOptimization(row());
    const b = await s.appendOptimization(row({ atMs: 5000, status: 'failed', reason: 'boom' }));
    await s.updateOptimization(a, { status: 'verified', verification: { atMs: 2000, before: { hitRate: 0.1, p99Ms: null }, after: { hitRate: 0.8, p99Ms: null }, regressed: false, reason: null } });
    expect(await s.getOptimization(a)).toEqual({ ...row(), id: a, status: 'verified', verification: { atMs: 2000, before: { hitRate: 0.1, p99Ms: null }, after: { hitRate: 0.8, p99Ms: null }, regressed: false, reason: null } });
    const c = await s.appendOptimization(row({ environment: 'other', atMs: 100 }));
    expect((await s.listOptimizations(10)).map((r) => r.id)).toEqual([b, a, c]);
    expect((await s.listOptimizations(10, 'e')).map((r) => r.id)).toEqual([b, a]);
    expect((await s.listOptimizations(1)).map((r) => r.id)).toEqual([b]);
    expect(await s.lastOptimizationAt('redis://h:6379')).toBe(1000);
    expect(await s.lastOptimizationAt('other')).toBeNull();
    expect(await s.getOptimization(999)).toBeNull();
  });

  it('keeps plans by id, answers the newest per environment, and keeps only the newest 200', async () => {
    const s = store();
    const plan = (id: string, environment: string, atMs: number) => ({
      id, environment, createdAt: new Date(atMs).toISOString(), windowMs: 1000, baselines: { 'redis://h:6379': { hitRate: 0.5, p99Ms: null } }, notes: [],
      proposals: [{ target: 'redis://h:6379', resource: '', parameter: 'maxmemory-policy', current: 'volatile-lru', proposed: 'allkeys-lfu', evidence: { hitRate: 0.5, skew: null }, expectedEffect: 'e', risk: 'r' }],
    });
    await s.savePlan(plan('plan-a', 'e', 1000));
    await s.savePlan(plan('plan-b', 'e', 2000));
    await s.savePlan(plan('plan-c', 'other', 3000));
    expect(await s.getPlan('plan-a')).toEqual(plan('plan-a', 'e', 1000));
    expect(await s.getPlan('plan-x')).toBeNull();
    expect((await s.latestPlan('e'))!.id).toBe('plan-b');
    expect((await s.latestPlan('other'))!.id).toBe('plan-c');
    expect(await s.latestPlan('none')).toBeNull();
    for (let i = 0; i < 200; i++) await s.savePlan(plan(`plan-n${i}`, 'e', 10_000 + i));
    expect(await s.getPlan('plan-a')).toBeNull();
    expect(await s.getPlan('plan-c')).toBeNull();
    expect(await s.getPlan('plan-n0')).not.toBeNull();
    expect((await s.latestPlan('e'))!.id).toBe('plan-n199');
  });

  it('lets one holder take the lock until it lets go or its lease runs out', async () => {
    const s = store();
    expect(await s.tryLockOptimizer('a', 0, 100)).toBe(true);
    expect(await s.tryLockOptimizer('b', 50, 100)).toBe(false);
    expect(await s.tryLockOptimizer('a', 50, 100)).toBe(true);
    expect(await s.tryLockOptimizer('b', 151, 100)).toBe(true);
    await s.unlockOptimizer('a');
    expect(await s.tryLockOptimizer('a', 160, 100)).toBe(false);
    await s.unlockOptimizer('b');
    expect(await s.tryLockOptimizer('a', 160, 100)).toBe(true);
  });
});
