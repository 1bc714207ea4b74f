import type Database from 'better-sqlite3';
import type { SampleResult } from '../../collect/sample-all.js';
import type { FailureReason } from '../../model/snapshot.js';
import type { SampleStore } from '../sample-store.js';

interface SampleRow {
  readonly source: string;
  readonly at_ms: number;
  readonly ok: number;
  readonly data: string | null;
  readonly message: string | null;
  readonly reason: string | null;
}

function toResult(row: SampleRow): SampleResult {
  return row.ok
    ? { source: row.source, atMs: row.at_ms, ok: true, data: row.data === null ? null : JSON.parse(row.data) }
    : { source: row.source, atMs: row.at_ms, ok: false, message: row.message ?? '', reason: (row.reason ?? 'bad_response') as FailureReason };
}

export function sqliteSampleStore(db: Database.Database): SampleStore {
  const insert = db.prepare('INSERT INTO samples (environment, source, at_ms, ok, data, message, reason) VALUES (?, ?, ?, ?, ?, ?, ?)');
  const insertAll = db.transaction((environment: string, attempts: readonly SampleResult[]) => {
    for (const a of attempts) {
      if (a.ok) insert.run(environment, a.source, a.atMs, 1, JSON.stringify(a.data ?? null), null, null);
      else insert.run(environment, a.source, a.atMs, 0, null, a.message, a.reason);
    }
  });
  const baseline = db.prepare<[string, string, number], SampleRow>(
    'SELECT source, at_ms, ok, data, message, reason FROM samples WHERE environment = ? AND source = ? AND ok = 1 AND at_ms <= ? ORDER BY at_ms DESC LIMIT 1',
  );
  const inside = db.prepare<[string, string, number, number], SampleRow>(
    'SELECT source, at_ms, ok, data, message, reason FROM samples WHERE environment = ? AND source = ? AND at_ms > ? AND at_ms <= ? ORDER BY at_ms',
  );
  const first = db.prepare<[string, string], { at_ms: number }>('SELECT at_ms FROM samples WHERE environment = ? AND source = ? ORDER BY at_ms LIMIT 1');
  const last = db.prepare<[string, string], { at_ms: number }>('SELECT at_ms FROM samples WHERE environment = ? AND source = ? ORDER BY at_ms DESC LIMIT 1');

  return {
    async appendSamples(environment, attempts) {
      insertAll(environment, attempts);
    },
    async samplesForWindow(environment, sources, window) {
      const out = new Map<string, SampleResult[]>();
      db.transaction(() => {
        for (const source of sources) {
          const base = baseline.get(environment, source, window.startMs);
          const rows = inside.all(environment, source, window.startMs, window.endMs);
          out.set(source, (base ? [base, ...rows] : rows).map(toResult));
        }
      })();
      return out;
    },
    async sampleSpan(environment, source) {
      const a = first.get(environment, source);
      const b = last.get(environment, source);
      return a && b ? { firstMs: a.at_ms, lastMs: b.at_ms } : null;
    },
  };
}
