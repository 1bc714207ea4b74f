import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/log.js';
import { applyPlan } from '../src/optimize/apply-plan.js';
import type { OptimizerDeps } from '../src/optimize/optimizer-deps.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { createRedisTarget } from '../src/optimize/targets/redis.js';
import { createOptimizerPort } from '../src/server/optimizer-port.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { prefillCold, startWorkload, type Workload } from './support/zipf-workload.js';

const WORKLOAD = { universe: 20_000, valueBytes: 100, ttlShare: 0.1 };

/**
 * Plans and the optimizer lock live in the store file: what one process (the server, the CLI)
 * made or holds, another one opening the same file sees. Each "process" here is its own SQLite
 * connection and its own Redis client.
 */
describe.skipIf(missingProgram('redis-server') !== null)('optimizer state shared through the store', () => {
  let redis: PrivateRedis;
  let workload: Workload;
  let dir: string;
  const opened: { store: Store; deps: OptimizerDeps }[] = [];
  const configGet = async (p: string) => ((await redis.client.config('GET', p)) as string[])[1];

  /** A new "process": its own connection to the store file and its own target client. */
  const open = (): OptimizerDeps => {
    const store = openSqliteStore(join(dir, 'perfpilot.db'));
    const target = createRedisTarget({ url: redis.url, rewrite: false, sample: { maxKeys: 300, budgetMs: 300 } });
    const deps: OptimizerDeps = {
      environment: 'test',
      // A cooldown of a second: the first test's change must not hold back the second's.
      // Verification never rolls back here (the rollback has its own tests).
      config: { cooldown: 1_000, verifyWindow: 500, regression: { hitRateDrop: 1, p99Increase: 1e9 } },
      targets: new Map([[target.id, target]]),
      audit: store,
      notifier: null,
      logger: createLogger({ level: 'silent' }),
      collect: null,
      now: Date.now,
    };
    opened.push({ store, deps });
    return deps;
  };
  const close = async (deps: OptimizerDeps) => {
    const i = opened.findIndex((o) => o.deps === deps);
    for (const t of deps.targets.values()) await t.close();
    await opened[i]!.store.close();
    opened.splice(i, 1);
  };

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
    await prefillCold(redis.client, WORKLOAD);
    workload = startWorkload(redis.client, WORKLOAD);
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-plans-'));
  });
  afterAll(async () => {
    await workload?.stop();
    for (const o of [...opened]) await close(o.deps);
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('applies by id a plan the API showed before a restart, then plans afresh', { timeout: 30_000 }, async () => {
    const first = open();
    const shown = await createOptimizerPort(first, { planWindowMs: 1_000 }).latestPlan('test');
    expect(shown!.proposals[0]).toMatchObject({ parameter: 'maxmemory-policy', current: 'volatile-lru' });
    await close(first);

    const restarted = open();
    const port = createOptimizerPort(restarted, { planWindowMs: 1_000 });
    expect(await port.latestPlan('test')).toEqual(shown);
    await expect(port.apply('plan-20000101T000000000Z', 'api')).rejects.toThrow(/^no plan plan-20000101T000000000Z: only the newest plans are kept/);
    const result = await port.apply(shown!.id, 'api');
    expect(result.failure).toBeNull();
    expect(result.records.map((r) => [r.by, r.plan?.id])).toEqual([['api', shown!.id]]);
    expect(await configGet('maxmemory-policy')).toBe(shown!.proposals[0]!.proposed);
    // The change makes the stored plan stale: the latest plan is made again, from the new settings.
    const next = await port.latestPlan('test');
    expect(next!.id).not.toBe(shown!.id);
    expect(next!.proposals.find((p) => p.parameter === 'maxmemory-policy')).toBeUndefined();
    await close(restarted);
  });

  it('serializes applies from two processes sharing the store: one change, the other refused by the cooldown', { timeout: 60_000 }, async () => {
    await redis.client.config('SET', 'maxmemory-policy', 'volatile-lru');
    const cli = open();
    const server = open();
    const plan = await planOptimizations(cli, { windowMs: 1_000 });
    expect(plan.proposals[0]).toMatchObject({ parameter: 'maxmemory-policy', current: 'volatile-lru' });
    const fromServer = await server.audit.getPlan(plan.id);
    expect(fromServer).toEqual(plan);
    const [a, b] = await Promise.all([applyPlan(cli, plan, { confirm: true, by: 'cli:me' }), applyPlan(server, fromServer!, { confirm: true, by: 'api' })]);
    expect([a.records.length, b.records.length].sort()).toEqual([0, 1]);
    expect([...a.refused, ...b.refused].map((r) => r.reason)).toEqual(['changed 0 min ago; the cooldown is 0 min']);
    const history = await server.audit.listOptimizations(10, 'test');
    expect(history.filter((r) => r.plan?.id === plan.id)).toHaveLength(1);
  });
});
