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

/** The export job's reports: ~4.4 MB of keys without a TTL, more than the small cache holds. */
const REPORTS = 1100;
const REPORT_BYTES = 4096;

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
          // One transaction, so that no product is cached in between: the reports leave Redis
          // over its new limit with nothing volatile-lru may evict, and every write after it is
          // refused (OOM) until the policy changes.
          const tx = redis.multi().flushall();
          const body = 'r'.repeat(REPORT_BYTES);
          for (let i = 0; i < REPORTS; i++) tx.set(`report:${i}`, body);
          tx.config('SET', 'maxmemory', SMALL_MAXMEMORY);
          const replies = (await tx.exec()) ?? [];
          const failed = replies.find(([err]) => err !== null);
          if (failed) throw failed[0];
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
