import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisTarget } from '../src/optimize/targets/redis.js';
import { createOptimizerPort } from '../src/server/optimizer-port.js';
import { sleep } from '../src/util/sleep.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { halfHits } from './support/half-hits.js';
import { until } from './support/until.js';

/** Plans the server makes for the dashboard: where their hit-rate baseline, which verification compares against, comes from. */
describe.skipIf(missingProgram('redis-server') !== null)('server plan baselines', () => {
  let sampled: PrivateRedis;
  let other: PrivateRedis;
  let app: TestApp | null = null;

  beforeAll(async () => {
    [sampled, other] = await Promise.all([startRedis(), startRedis()]);
  });
  afterAll(async () => {
    await app?.stop();
    await Promise.all([sampled?.stop(), other?.stop()]);
  });

  it('takes the baseline of the Redis the redis source samples from the stored analysis window, watching it only 3 s', { timeout: 60_000 }, async () => {
    app = await startTestApp({
      environment: 'baseline',
      interval: '1s',
      window: '30s',
      sources: { host: false, redis: { url: sampled.url } },
      optimize: { targets: [{ type: 'redis', url: sampled.url }] },
      alerts: { channels: [{ name: 'ops', type: 'log' }] },
    });
    const reads = halfHits(sampled.client, 50);
    // Enough stored samples for a window of readings: the redis source reports a hit rate.
    await until(async () => (await (await fetch(`${app!.url}/api/v1/metrics?env=baseline`)).json()).metrics?.cache.hitRate != null, { timeoutMs: 15_000 });
    await sleep(5_000);
    // The plan's own watch now sees no reads at all: a baseline from it would be null.
    await reads.stop();

    const startMs = Date.now();
    const res = await fetch(`${app.url}/api/v1/optimize/plans`, { method: 'POST', headers: { authorization: `Bearer ${app.token}`, 'content-type': 'application/json' }, body: '{}' });
    const elapsedMs = Date.now() - startMs;
    expect(res.status).toBe(200);
    const { plan } = await res.json();
    const baseline = plan.baselines[`redis://127.0.0.1:${sampled.port}`];
    expect(baseline.hitRate).toBeCloseTo(0.5, 2);
    expect(baseline.p99Ms).toBeNull(); // no application source here
    expect(plan.windowMs).toBe(3_000);
    expect(elapsedMs).toBeLessThan(10_000);
  });

  it('watches a Redis the store does not sample for the whole plan window, takes its baseline from that watch, and shows the last plan meanwhile', { timeout: 60_000 }, async () => {
    const target = createRedisTarget({ url: other.url, rewrite: false, sample: { maxKeys: 100, budgetMs: 200 } });
    const { deps } = testOptimizerDeps('baseline', [target]);
    // The redis source samples the other Redis; a shorter plan window than the 60 s default keeps the test short.
    const port = createOptimizerPort(deps, { planWindowMs: 4_000, maxPlanAgeMs: 500, stored: { windowMs: 30_000, intervalMs: 1_000, redisUrl: sampled.url } });
    const reads = halfHits(other.client, 50);
    try {
      const startMs = Date.now();
      const plan = await port.plan('baseline');
      expect(Date.now() - startMs).toBeGreaterThanOrEqual(4_000);
      expect(plan.windowMs).toBe(4_000);
      expect(plan.baselines[target.id]!.hitRate).toBeCloseTo(0.5, 2);

      // The dashboard asks for the latest plan: past its age it gets the last one at once, and the next follows.
      await sleep(600);
      const askedMs = Date.now();
      expect((await port.latestPlan('baseline'))!.id).toBe(plan.id);
      expect(Date.now() - askedMs).toBeLessThan(1_000);
      await until(async () => (await deps.audit.latestPlan('baseline'))!.id !== plan.id, { timeoutMs: 10_000, message: 'no next plan made in the background' });
    } finally {
      await reads.stop();
      await target.close();
    }
  });
});
