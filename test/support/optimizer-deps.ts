import Database from 'better-sqlite3';
import type { NotifyEvent } from '../../src/alert/notifier.js';
import { createLogger } from '../../src/log.js';
import type { CacheTarget } from '../../src/optimize/cache-target.js';
import type { OptimizerDeps } from '../../src/optimize/optimizer-deps.js';
import { sqliteAuditStore } from '../../src/store/sqlite/audit-store.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../../src/store/sqlite/migrations/index.js';

/** Optimizer deps over an in-memory SQLite audit log, collecting notifications and progress. */
export function testOptimizerDeps(environment: string, targets: readonly CacheTarget[]) {
  const db = new Database(':memory:');
  migrate(db, MIGRATIONS);
  const notified: NotifyEvent[] = [];
  const progress: string[] = [];
  const deps = {
    environment,
    config: { cooldown: 3_600_000, verifyWindow: 2_000, regression: { hitRateDrop: 0.02, p99Increase: 0.2 } },
    targets: new Map(targets.map((t) => [t.id, t])),
    audit: sqliteAuditStore(db),
    notifier: { notify: async (e: NotifyEvent) => void notified.push(e) },
    logger: createLogger({ level: 'silent' }),
    collect: null,
    now: Date.now,
    progress: (line: string) => void progress.push(line),
  } satisfies OptimizerDeps;
  return { deps, notified, progress };
}
