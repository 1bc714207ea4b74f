import type Database from 'better-sqlite3';
import type { Analysis } from '../../analyze/analysis.js';
import type { AnalysisStore } from '../analysis-store.js';

export function sqliteAnalysisStore(db: Database.Database): AnalysisStore {
  const insert = db.prepare('INSERT INTO analyses (environment, at_ms, status, body) VALUES (?, ?, ?, ?)');
  const latest = db.prepare<[string], { body: string }>('SELECT body FROM analyses WHERE environment = ? ORDER BY at_ms DESC, id DESC LIMIT 1');
  return {
    async saveAnalysis(analysis) {
      insert.run(analysis.environment, Date.parse(analysis.analyzedAt), analysis.status, JSON.stringify(analysis));
    },
    async latestAnalysis(environment) {
      const row = latest.get(environment);
      return row ? (JSON.parse(row.body) as Analysis) : null;
    },
  };
}
