import type Database from 'better-sqlite3';
import type { Plan } from '../../optimize/proposal.js';
import type { AuditStore, OptimizationRecord, OptimizationStatus } from '../audit-store.js';

interface Row {
  id: number; kind: 'apply' | 'rollback'; rollback_of: number | null; environment: string; target: string; target_type: string;
  status: OptimizationStatus; at_ms: number; by: string; changes: string; plan: string | null; reason: string | null; verification: string | null;
}

/** Plans are made every few seconds by the dashboard; the audit rows keep a copy of any plan applied. */
const KEPT_PLANS = 200;

const fromRow = (r: Row): OptimizationRecord => ({
  id: r.id, kind: r.kind, rollbackOf: r.rollback_of, environment: r.environment, target: r.target, targetType: r.target_type,
  status: r.status, atMs: r.at_ms, by: r.by, changes: JSON.parse(r.changes), plan: r.plan === null ? null : JSON.parse(r.plan),
  reason: r.reason, verification: r.verification === null ? null : JSON.parse(r.verification),
});

/** The optimizer's audit log and lock (migration 003) and its plans (migration 004) in SQLite. */
export function sqliteAuditStore(db: Database.Database): AuditStore {
  const insert = db.prepare(`INSERT INTO optimizations (kind, rollback_of, environment, target, target_type, status, at_ms, by, changes, plan, reason, verification)
    VALUES (@kind, @rollbackOf, @environment, @target, @targetType, @status, @atMs, @by, @changes, @plan, @reason, @verification)`);
  const byId = db.prepare<[number], Row>('SELECT * FROM optimizations WHERE id = ?');
  const list = db.prepare<[string | null, string | null, number], Row>('SELECT * FROM optimizations WHERE ? IS NULL OR environment = ? ORDER BY at_ms DESC, id DESC LIMIT ?');
  const last = db.prepare<[string], { at: number | null }>(`SELECT MAX(at_ms) AS at FROM optimizations WHERE target = ? AND status <> 'failed'`);
  const lock = db.prepare(`INSERT INTO optimizer_lock (id, holder, until_ms) VALUES (1, @holder, @until)
    ON CONFLICT (id) DO UPDATE SET holder = @holder, until_ms = @until WHERE optimizer_lock.holder = @holder OR optimizer_lock.until_ms < @now`);
  const unlock = db.prepare('DELETE FROM optimizer_lock WHERE id = 1 AND holder = ?');
  const putPlan = db.prepare('INSERT OR REPLACE INTO optimization_plans (id, environment, created_ms, plan) VALUES (@id, @environment, @createdMs, @plan)');
  const trimPlans = db.prepare(`DELETE FROM optimization_plans WHERE id NOT IN (SELECT id FROM optimization_plans ORDER BY created_ms DESC, rowid DESC LIMIT ${KEPT_PLANS})`);
  const planById = db.prepare<[string], { plan: string }>('SELECT plan FROM optimization_plans WHERE id = ?');
  const newestPlan = db.prepare<[string], { plan: string }>('SELECT plan FROM optimization_plans WHERE environment = ? ORDER BY created_ms DESC, rowid DESC LIMIT 1');
  const savePlan = db.transaction((plan: Plan) => {
    putPlan.run({ id: plan.id, environment: plan.environment, createdMs: Date.parse(plan.createdAt), plan: JSON.stringify(plan) });
    trimPlans.run();
  });
  return {
    async appendOptimization(r) {
      const info = insert.run({
        ...r, changes: JSON.stringify(r.changes), plan: r.plan === null ? null : JSON.stringify(r.plan),
        verification: r.verification === null ? null : JSON.stringify(r.verification),
      });
      return Number(info.lastInsertRowid);
    },
    async updateOptimization(id, patch) {
      const sets: string[] = [];
      const values: Record<string, unknown> = { id };
      if (patch.status !== undefined) { sets.push('status = @status'); values.status = patch.status; }
      if (patch.reason !== undefined) { sets.push('reason = @reason'); values.reason = patch.reason; }
      if (patch.verification !== undefined) { sets.push('verification = @verification'); values.verification = JSON.stringify(patch.verification); }
      if (sets.length) db.prepare(`UPDATE optimizations SET ${sets.join(', ')} WHERE id = @id`).run(values);
    },
    async getOptimization(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : null;
    },
    async listOptimizations(limit, environment) {
      return list.all(environment ?? null, environment ?? null, limit).map(fromRow);
    },
    async lastOptimizationAt(target) {
      return last.get(target)?.at ?? null;
    },
    async tryLockOptimizer(holder, nowMs, leaseMs) {
      return lock.run({ holder, until: nowMs + leaseMs, now: nowMs }).changes === 1;
    },
    async unlockOptimizer(holder) {
      unlock.run(holder);
    },
    async savePlan(plan) {
      savePlan(plan);
    },
    async getPlan(id) {
      const row = planById.get(id);
      return row ? (JSON.parse(row.plan) as Plan) : null;
    },
    async latestPlan(environment) {
      const row = newestPlan.get(environment);
      return row ? (JSON.parse(row.plan) as Plan) : null;
    },
  };
}
