import type Database from 'better-sqlite3';
import type { Snapshot } from '../../model/snapshot.js';
import type { SnapshotStore } from '../snapshot-store.js';

export function sqliteSnapshotStore(db: Database.Database): SnapshotStore {
  const insert = db.prepare('INSERT INTO snapshots (environment, start_ms, end_ms, body) VALUES (?, ?, ?, ?)');
  const latest = db.prepare<[string], { body: string }>('SELECT body FROM snapshots WHERE environment = ? ORDER BY end_ms DESC, id DESC LIMIT 1');
  return {
    async saveSnapshot(snapshot) {
      insert.run(snapshot.environment, Date.parse(snapshot.window.start), Date.parse(snapshot.window.end), JSON.stringify(snapshot));
    },
    async latestSnapshot(environment) {
      const row = latest.get(environment);
      return row ? (JSON.parse(row.body) as Snapshot) : null;
    },
  };
}
