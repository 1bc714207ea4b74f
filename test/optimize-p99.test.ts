import { createServer, type Server } from 'node:http';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectOnce } from '../src/collect/collect-once.js';
import { instrument, type Instrumentation } from '../src/instrument/index.js';
import { createLogger } from '../src/log.js';
import { applyPlan } from '../src/optimize/apply-plan.js';
import type { OptimizerDeps } from '../src/optimize/optimizer-deps.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { createRedisTarget } from '../src/optimize/targets/redis.js';
import { verifyApplied } from '../src/optimize/verify-applied.js';
import { createAppSource } from '../src/sources/app.js';
import { sqliteAuditStore } from '../src/store/sqlite/audit-store.js';
import { migrate } from '../src/store/sqlite/migrate.js';
import { MIGRATIONS } from '../src/store/sqlite/migrations/index.js';
import { closeServer, listen } from './support/listen.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { prefillCold, startWorkload, type Workload } from './support/zipf-workload.js';

const WORKLOAD = { universe: 20_000, valueBytes: 100, ttlShare: 0.1 };

/**
 * The p99 half of verification, measured: an instrumented service in this process answers
 * after `delayMs`, under steady load; with no `perfpilot start` filling a store, plan and verify
 * watch it themselves (the CLI's `watch`: collectOnce over the app source).
 */
describe.skipIf(missingProgram('redis-server') !== null)('verification compares a measured p99', () => {
  let redis: PrivateRedis;
  let workload: Workload;
  let perf: Instrumentation;
  let server: Server;
  let delayMs = 5;
  let loading = true;
  let load: Promise<void>;
  let deps: OptimizerDeps;

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
    await prefillCold(redis.client, WORKLOAD);
    workload = startWorkload(redis.client, WORKLOAD);
    perf = instrument({ service: 'shop', environment: 'test' });
    server = createServer((_req, res) => void setTimeout(() => res.end('ok'), delayMs));
    perf.attach(server);
    const base = await listen(server);
    const exporter = await perf.serve({ host: '127.0.0.1', port: 0 });
    load = (async () => {
      while (loading) await Promise.all(Array.from({ length: 4 }, () => fetch(`${base}/`).then((r) => r.text())));
    })();
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS);
    const target = createRedisTarget({ url: redis.url, rewrite: false, sample: { maxKeys: 300, budgetMs: 300 } });
    const app = createAppSource({ targets: [exporter.url] });
    deps = {
      environment: 'test',
      // The hit rate may fall a whole 1.0 without counting as a regression: only the p99 is judged here.
      config: { cooldown: 1, verifyWindow: 2_000, regression: { hitRateDrop: 1, p99Increase: 0.5 } },
      targets: new Map([[target.id, target]]),
      audit: sqliteAuditStore(db),
      notifier: null,
      logger: createLogger({ level: 'silent' }),
      collect: null,
      watch: (environment, durationMs) => collectOnce({ environment, sources: [app], durationMs }),
      now: Date.now,
    };
  });
  afterAll(async () => {
    loading = false;
    await load;
    await workload?.stop();
    for (const t of deps?.targets.values() ?? []) await t.close();
    await perf?.close();
    if (server?.listening) await closeServer(server);
    await redis?.stop();
  });

  it('takes the p99 baseline from the watched window and rolls back when p99 rises after the change', { timeout: 30_000 }, async () => {
    const plan = await planOptimizations(deps, { windowMs: 2_000 });
    const id = `redis://127.0.0.1:${redis.port}`;
    const before = plan.baselines[id]!.p99Ms!;
    expect(before).toBeGreaterThanOrEqual(5);
    expect(before).toBeLessThan(40);

    const applied = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(applied.records).toHaveLength(1);
    delayMs = 80;
    const [r] = await verifyApplied(deps, applied.records);
    delayMs = 5;
    expect(r!.verification!.after.p99Ms!).toBeGreaterThanOrEqual(80);
    expect(r!.verification!.regressed).toBe(true);
    expect(r!.status).toBe('rolled_back');
    expect(r!.reason).toMatch(/^regression after 2 s: p99 rose from \d+\.\d ms to \d+\.\d ms$/);
    expect(((await redis.client.config('GET', 'maxmemory-policy')) as string[])[1]).toBe('volatile-lru');
  });
});
