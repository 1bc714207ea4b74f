import { Redis } from 'ioredis';
import type { Shop } from './shop-service.js';
import { sleep } from '../util/sleep.js';

/** One step of the demo's story. */
export interface ScenarioStep {
  readonly atMs: number;
  readonly name: string;
  readonly description: string;
  run(): Promise<void>;
}

/** The cache before the trouble: large enough, with a latent `volatile-lru` policy. */
export const INITIAL_REDIS = { maxmemory: '64mb', 'maxmemory-policy': 'volatile-lru' } as const;
const SMALL_MAXMEMORY = '4mb';

/**
 * Fills the cache with TTL-less keys (a nightly export job writing reports into it) until
 * Redis refuses writes: under `volatile-lru` nothing without a TTL can be evicted.
 */
async function fillWithReports(redis: Redis): Promise<number> {
  const body = 'r'.repeat(4096);
  for (let i = 0; i < 10_000; i++) {
    try {
      await redis.set(`report:${i}`, body);
    } catch {
      return i;
    }
  }
  return 10_000;
}

/**
 * The story the demo tells, one step per `phaseMs`: a healthy baseline, then slow queries
 * (the search loses its index), then a cache that is too small with the wrong eviction
 * policy. The optimizer's plan then proposes the fix the dashboard can apply.
 */
export function demoScenario(shop: Shop, redisUrl: string, phaseMs: number): ScenarioStep[] {
  return [
    {
      atMs: 0,
      name: 'baseline',
      description: 'the shop under load; the cache is large enough',
      run: async () => undefined,
    },
    {
      atMs: phaseMs,
      name: 'slow queries',
      description: 'product search loses its index: each search takes 600 ms in PostgreSQL',
      run: async () => {
        shop.slowSearch = true;
      },
    },
    {
      atMs: 2 * phaseMs,
      name: 'cache too small, wrong policy',
      description: `maxmemory drops to ${SMALL_MAXMEMORY}, the policy stays volatile-lru, and an export job fills the cache with keys that have no TTL`,
      run: async () => {
        const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
        try {
          await redis.flushall();
          await redis.config('SET', 'maxmemory', SMALL_MAXMEMORY);
          await fillWithReports(redis);
        } finally {
          redis.disconnect();
        }
      },
    },
  ];
}

/** Runs each step at its time; `onStep` hears about each one. Stops early when `signal` aborts. */
export async function runScenario(steps: readonly ScenarioStep[], onStep: (step: ScenarioStep) => void, signal: AbortSignal): Promise<void> {
  const startMs = Date.now();
  for (const step of steps) {
    const waitMs = step.atMs - (Date.now() - startMs);
    if (waitMs > 0) {
      await sleep(waitMs, signal).catch(() => {});
    }
    if (signal.aborted) return;
    await step.run();
    onStep(step);
  }
}
