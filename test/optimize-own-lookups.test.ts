import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sampleKeyspace, type SamplerClient } from '../src/optimize/sample-keyspace.js';
import { createRedisTarget } from '../src/optimize/targets/redis.js';
import { sleep } from '../src/util/sleep.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { halfHits } from './support/half-hits.js';
import { until } from './support/until.js';

/** The defaults of optimize.sample. */
const SAMPLE = { maxKeys: 1_000, budgetMs: 500 };
const NO_READINGS = { hitRate: null, evictions: null, hostMemoryAvailableBytes: null };

async function lookups(client: Redis): Promise<{ hits: number; misses: number }> {
  const stats = String(await client.info('stats'));
  const read = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(stats)![1]);
  return { hits: read('keyspace_hits'), misses: read('keyspace_misses') };
}

/**
 * Redis counts every PTTL and OBJECT IDLETIME of the optimizer's keyspace sample as a keyspace
 * hit (a miss for a key gone since SCAN). The hit rate a plan reports, the baseline it keeps
 * for verification and verification's own reading must leave them out, and an open dashboard
 * must not have plans made (and sampled) every few seconds.
 */
describe.skipIf(missingProgram('redis-server') !== null)("the optimizer's own keyspace lookups", () => {
  let redis: PrivateRedis;
  let app: TestApp | null = null;

  beforeAll(async () => {
    redis = await startRedis();
    const fill = redis.client.pipeline();
    for (let i = 0; i < 3_000; i++) fill.set(`key:${i}`, 'v');
    await fill.exec();
  });
  afterEach(async () => {
    await app?.stop();
    app = null;
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('a plan at the default sample size adds 2,000 keyspace hits, and the sampler reports exactly what Redis counted, misses too', async () => {
    const target = createRedisTarget({ url: redis.url, rewrite: false, sample: SAMPLE });
    try {
      const before = await lookups(redis.client);
      await target.inspect({ windowMs: 0, readings: NO_READINGS });
      const after = await lookups(redis.client);
      expect({ hits: after.hits - before.hits, misses: after.misses - before.misses }).toEqual({ hits: 2_000, misses: 0 });
    } finally {
      await target.close();
    }

    // Keys deleted between SCAN and the pipeline: their PTTL and OBJECT are misses.
    const deleted: string[] = [];
    const client: SamplerClient = {
      async call(command, ...args) {
        const reply = await redis.client.call(command, ...args);
        if (command === 'SCAN') {
          const gone = (reply as [string, string[]])[1].slice(0, 7);
          if (gone.length) await redis.client.del(...gone);
          deleted.push(...gone);
        }
        return reply;
      },
      pipeline: (commands) => redis.client.pipeline(commands),
    };
    const before = await lookups(redis.client);
    const result = await sampleKeyspace(client, { maxKeys: 300, budgetMs: 10_000, lfu: false, readsPerSecond: null });
    const after = await lookups(redis.client);
    expect(deleted.length).toBeGreaterThan(0);
    expect(result.lookups).toEqual({ hits: after.hits - before.hits, misses: after.misses - before.misses });
    expect(result.lookups.misses).toBe(2 * deleted.length);
  });

  it("verification's reading on a target leaves out the samples that target's plans take meanwhile", async () => {
    const target = createRedisTarget({ url: redis.url, rewrite: false, sample: SAMPLE });
    const reads = halfHits(redis.client, 20);
    try {
      await sleep(200);
      const before = await lookups(redis.client);
      const measuring = target.measureHitRate(3_000);
      // Two plans' samples during the window: 4,000 lookups Redis counts as hits.
      await sleep(500);
      const first = await target.inspect({ windowMs: 0, readings: NO_READINGS });
      await sleep(200);
      // A plan's own window, right after the other plan's sample: 50 % too.
      const second = await target.inspect({ windowMs: 1_000, readings: NO_READINGS });
      const hitRate = await measuring;
      expect(second.type === 'redis' && second.window.hitRate).toBeCloseTo(0.5, 2);
      const after = await lookups(redis.client);
      expect(first.type === 'redis' && first.keyspace?.sampled).toBe(1_000);
      // The raw counters do hold the samples: the test would see them if they were not taken out.
      const raw = (after.hits - before.hits) / (after.hits - before.hits + after.misses - before.misses);
      expect(raw).toBeGreaterThan(0.52);
      expect(hitRate).toBeCloseTo(0.5, 2);
    } finally {
      await reads.stop();
      await target.close();
    }
  });

  it("a server plan's hit-rate baseline equals the workload's 50 % though an earlier plan sampled 1,000 keys inside the analysis window", { timeout: 60_000 }, async () => {
    app = await startTestApp({
      environment: 'own',
      interval: '1s',
      window: '30s',
      sources: { host: false, redis: { url: redis.url } },
      optimize: { targets: [{ type: 'redis', url: redis.url }] },
      alerts: { channels: [{ name: 'ops', type: 'log' }] },
    });
    const reads = halfHits(redis.client, 20);
    const plan = async () => {
      const res = await fetch(`${app!.url}/api/v1/optimize/plans`, { method: 'POST', headers: { authorization: `Bearer ${app!.token}`, 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(200);
      return (await res.json()).plan;
    };
    try {
      await until(async () => (await (await fetch(`${app!.url}/api/v1/metrics?env=own`)).json()).metrics?.cache.hitRate != null, { timeoutMs: 15_000 });
      await sleep(3_000);
      const first = await plan();
      expect(first.proposals.length + first.notes.length).toBeGreaterThan(0);
      // The redis source now holds the first plan's 2,000 sampled "hits" in its 30 s window.
      await sleep(5_000);
      const second = await plan();
      const id = `redis://127.0.0.1:${redis.port}`;
      expect(second.baselines[id].hitRate).toBeCloseTo(0.5, 2);
      // Right after a plan the store has no reading without its sample: the 3 s watch is the baseline.
      const third = await plan();
      expect(third.baselines[id].hitRate).toBeCloseTo(0.5, 2);
    } finally {
      await reads.stop();
    }
  });

  it('a dashboard polling the latest plan every second for 35 s has one plan made, and one sample taken', { timeout: 60_000 }, async () => {
    app = await startTestApp({
      environment: 'poll',
      interval: '1s',
      window: '30s',
      sources: { host: false, redis: { url: redis.url } },
      optimize: { targets: [{ type: 'redis', url: redis.url }] },
      alerts: { channels: [{ name: 'ops', type: 'log' }] },
    });
    const before = await lookups(redis.client);
    const ids = new Set<string>();
    const startMs = Date.now();
    while (Date.now() - startMs < 35_000) {
      const res = await fetch(`${app.url}/api/v1/optimize/plans/latest?env=poll`);
      expect(res.status).toBe(200);
      ids.add((await res.json()).plan.id);
      await sleep(1_000);
    }
    const after = await lookups(redis.client);
    // Plans are kept 5 min (the default analysis window); the old 30 s made two here.
    expect(ids.size).toBe(1);
    // Nothing else reads this Redis's keys: the only lookups are that one plan's sample.
    expect(after.hits - before.hits).toBe(2 * SAMPLE.maxKeys);
    expect(after.misses - before.misses).toBe(0);
  });
});
