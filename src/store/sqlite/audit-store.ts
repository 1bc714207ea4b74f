import type Database from 'better-sqlite3';
import type { AuditStore, OptimizationRecord, OptimizationStatus } from '../audit-store.js';

interface Row {
  id: number; kind: 'apply' | 'rollback'; rollback_of: number | null; environment: string; target: string; target_type: string;
  status: OptimizationStatus; at_ms: number; by: string; changes: string; plan: string | null; reason: string | null; verification: string | null;
}

const fromRow = (r: Row): OptimizationRecord => ({
  id: r.id, kind: r.kind, rollbackOf: r.rollback_of, environment: r.environment, target: r.target, targetType: r.target_type,
  status: r.status, atMs: r.at_ms, by: r.by, changes: JSON.parse(r.changes), plan: r.plan === null ? null : JSON.parse(r.plan),
  reason: r.reason, verification: r.verification === null ? null : JSON.parse(r.verification),
});

/** The optimizer's audit log and lock in SQLite (migration 003). */
export function sqliteAuditStore(db: Database.Database): AuditStore {
  const insert = db.prepare(`INSERT INTO optimizations (kind, rollback_of, environment, target, target_type, status, at_ms, by, changes, plan, reason, verification)
    VALUES (@kind, @rollbackOf, @environment, @target, @targetType, @status, @atMs, @by, @changes, @plan, @reason, @verification)`);
  const byId = db.prepare<[number], Row>('SELECT * FROM optimizations WHERE id = ?');
  const list = db.prepare<[string | null, string | null, number], Row>('SELECT * FROM optimizations WHERE ? IS NULL OR environment = ? ORDER BY at_ms DESC, id DESC LIMIT ?');
  const last = db.prepare<[string], { at: number | null }>(`SELECT MAX(at_ms) AS at FROM optimizations WHERE target = ? AND status <> 'failed'`);
  const lock = db.prepare(`INSERT INTO optimizer_lock (id, holder, until_ms) VALUES (1, @holder, @until)
    ON CONFLICT (id) DO UPDATE SET holder = @holder, until_ms = @until WHERE optimizer_lock.holder = @holder OR optimizer_lock.until_ms < @now`);
  const unlock = db.prepare('DELETE FROM optimizer_lock WHERE id = 1 AND holder = ?');
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
  };
}
