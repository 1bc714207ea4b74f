import type Database from 'better-sqlite3';
import type { AlertState } from '../../analyze/alert-state.js';
import type { GroupState } from '../../alert/dedup.js';
import type { DeliveryReason } from '../../alert/notification.js';
import type { Silence } from '../../alert/silence.js';
import type { AlertDelivery, AlertStore, OutboxItem, OutboxStatus } from '../alert-store.js';

interface OutboxRow {
  id: number;
  channel: string;
  created_ms: number;
  status: OutboxStatus;
  attempts: number;
  next_attempt_ms: number;
  last_reason: DeliveryReason | null;
  last_error: string | null;
  delivered_ms: number | null;
  body: string;
}

const item = (r: OutboxRow): OutboxItem => ({
  id: r.id,
  channel: r.channel,
  createdMs: r.created_ms,
  status: r.status,
  attempts: r.attempts,
  nextAttemptMs: r.next_attempt_ms,
  lastReason: r.last_reason,
  lastError: r.last_error,
  deliveredMs: r.delivered_ms,
  notification: JSON.parse(r.body),
});

interface SilenceRow { id: string; starts_ms: number; ends_ms: number; created_by: string; comment: string; matchers: string }
const silence = (r: SilenceRow): Silence => ({ id: r.id, startsMs: r.starts_ms, endsMs: r.ends_ms, createdBy: r.created_by, comment: r.comment, matchers: JSON.parse(r.matchers) });

/** The AlertStore on the shared SQLite database (migration 002). */
export function sqliteAlertStore(db: Database.Database): AlertStore {
  const putState = db.prepare('INSERT OR REPLACE INTO alert_states (environment, fingerprint, rule, phase, updated_ms, body) VALUES (?, ?, ?, ?, ?, ?)');
  const putGroup = db.prepare('INSERT OR REPLACE INTO alert_groups (key, body) VALUES (?, ?)');
  const dropGroup = db.prepare('DELETE FROM alert_groups WHERE key = ?');
  const enqueue = db.prepare('INSERT INTO outbox (channel, created_ms, status, next_attempt_ms, body) VALUES (?, ?, \'pending\', ?, ?)');
  const link = db.prepare('INSERT OR IGNORE INTO outbox_alerts (outbox_id, fingerprint) VALUES (?, ?)');
  const heads = db.prepare<[], OutboxRow>(`SELECT o.* FROM outbox o JOIN (SELECT MIN(id) AS id FROM outbox WHERE status = 'pending' GROUP BY channel) h ON h.id = o.id ORDER BY o.id`);
  const addAttempt = db.prepare('INSERT INTO deliveries (outbox_id, at_ms, outcome, reason, error) VALUES (?, ?, ?, ?, ?)');
  const delivered = db.prepare(`UPDATE outbox SET status = 'delivered', attempts = attempts + 1, delivered_ms = ? WHERE id = ?`);
  const retry = db.prepare(`UPDATE outbox SET attempts = attempts + 1, next_attempt_ms = ?, last_reason = ?, last_error = ? WHERE id = ?`);
  const failed = db.prepare(`UPDATE outbox SET status = 'failed', attempts = attempts + 1, last_reason = ?, last_error = ? WHERE id = ?`);
  const addSilence = db.prepare('INSERT INTO silences (id, starts_ms, ends_ms, created_by, comment, matchers) VALUES (?, ?, ?, ?, ?, ?)');
  const expire = db.prepare('UPDATE silences SET ends_ms = ? WHERE id = ? AND ends_ms > ?');
  // The reads the router makes every pass, prepared once like the writes.
  const allStates = db.prepare<[], { body: string }>('SELECT body FROM alert_states ORDER BY environment, rule');
  const envStates = db.prepare<[string], { body: string }>('SELECT body FROM alert_states WHERE environment = ? ORDER BY rule');
  const groups = db.prepare<[], { body: string }>('SELECT body FROM alert_groups');
  const allOutbox = db.prepare<[number], OutboxRow>('SELECT * FROM outbox ORDER BY id DESC LIMIT ?');
  const channelOutbox = db.prepare<[string, number], OutboxRow>('SELECT * FROM outbox WHERE channel = ? ORDER BY id DESC LIMIT ?');
  const allSilences = db.prepare<[], SilenceRow>('SELECT * FROM silences ORDER BY starts_ms DESC');
  const activeSilences = db.prepare<[number, number], SilenceRow>('SELECT * FROM silences WHERE starts_ms <= ? AND ends_ms > ? ORDER BY starts_ms DESC');

  const commit = db.transaction((change: Parameters<AlertStore['commitAlerts']>[0]) => {
    for (const s of change.states) putState.run(s.environment, s.fingerprint, s.rule, s.phase, s.updatedAtMs, JSON.stringify(s));
    for (const g of change.groups) putGroup.run(g.key, JSON.stringify(g));
    for (const key of change.droppedGroups) dropGroup.run(key);
    for (const n of change.outbox) {
      const id = Number(enqueue.run(n.channel, change.atMs, change.atMs, JSON.stringify(n)).lastInsertRowid);
      for (const a of n.alerts) link.run(id, a.fingerprint);
    }
  });
  const record = db.transaction((id: number, a: Parameters<AlertStore['recordDelivery']>[1]) => {
    if (a.outcome === 'delivered') {
      addAttempt.run(id, a.atMs, a.outcome, null, null);
      delivered.run(a.atMs, id);
    } else {
      addAttempt.run(id, a.atMs, a.outcome, a.reason, a.error);
      if (a.outcome === 'retry') retry.run(a.nextAttemptMs, a.reason, a.error, id);
      else failed.run(a.reason, a.error, id);
    }
  });

  return {
    async alertStates(environment) {
      const rows = environment === undefined ? allStates.all() : envStates.all(environment);
      return rows.map((r): AlertState => JSON.parse(r.body));
    },
    async groupStates() {
      return groups.all().map((r): GroupState => JSON.parse(r.body));
    },
    async commitAlerts(change) {
      commit(change);
    },
    async outboxHeads() {
      return heads.all().map(item);
    },
    async recordDelivery(id, attempt) {
      record(id, attempt);
    },
    async alertDeliveries(fingerprints) {
      if (fingerprints.length === 0) return [];
      const rows = db.prepare(`
        SELECT a.fingerprint, o.channel, o.id, o.status, o.attempts, o.last_reason, o.last_error, o.delivered_ms
        FROM outbox_alerts a JOIN outbox o ON o.id = a.outbox_id
        WHERE a.fingerprint IN (${fingerprints.map(() => '?').join(',')})
          AND o.id = (SELECT MAX(o2.id) FROM outbox_alerts a2 JOIN outbox o2 ON o2.id = a2.outbox_id WHERE a2.fingerprint = a.fingerprint AND o2.channel = o.channel)
        ORDER BY a.fingerprint, o.channel`).all(...fingerprints) as { fingerprint: string; channel: string; id: number; status: OutboxStatus; attempts: number; last_reason: DeliveryReason | null; last_error: string | null; delivered_ms: number | null }[];
      return rows.map((r): AlertDelivery => ({ fingerprint: r.fingerprint, channel: r.channel, outboxId: r.id, status: r.status, attempts: r.attempts, lastReason: r.last_reason, lastError: r.last_error, deliveredMs: r.delivered_ms }));
    },
    async outboxItems(options = {}) {
      const limit = options.limit ?? 100;
      const rows = options.channel === undefined ? allOutbox.all(limit) : channelOutbox.all(options.channel, limit);
      return rows.map(item);
    },
    async addSilence(s) {
      addSilence.run(s.id, s.startsMs, s.endsMs, s.createdBy, s.comment, JSON.stringify(s.matchers));
    },
    async silences(options = {}) {
      const rows = options.activeAtMs === undefined ? allSilences.all() : activeSilences.all(options.activeAtMs, options.activeAtMs);
      return rows.map(silence);
    },
    async expireSilence(id, nowMs) {
      return expire.run(nowMs, id, nowMs).changes > 0;
    },
  };
}
