import type Database from 'better-sqlite3';
import type { EventStore, PerfpilotEvent } from '../event-store.js';

export function sqliteEventStore(db: Database.Database): EventStore {
  const insert = db.prepare('INSERT INTO events (at_ms, kind, environment, body) VALUES (?, ?, ?, ?)');
  const recent = db.prepare<[number], { at_ms: number; kind: string; environment: string | null; body: string }>(
    'SELECT at_ms, kind, environment, body FROM events ORDER BY at_ms DESC, id DESC LIMIT ?',
  );
  return {
    async appendEvent(event) {
      insert.run(event.atMs, event.kind, event.environment, JSON.stringify(event.body));
    },
    async recentEvents(limit) {
      return recent.all(limit).map((r): PerfpilotEvent => ({ atMs: r.at_ms, kind: r.kind, environment: r.environment, body: JSON.parse(r.body) }));
    },
  };
}
