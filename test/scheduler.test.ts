import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzePerformance } from '../src/analyze/analyze-performance.js';
import { ORIGINAL_RULES } from '../src/analyze/rules.js';
import { createCollectPerformanceMetrics } from '../src/collect/collect-performance-metrics.js';
import { createScheduler, type SchedulerOptions } from '../src/collect/scheduler.js';
import { createLogger } from '../src/log.js';
import type { SampledSource } from '../src/sources/source.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { sleep } from '../src/util/sleep.js';

/** A fake source (the scheduler is the unit under test): `sample` runs `work`; the reading is its value as the hit rate. */
function fakeSource(name: string, work: (signal: AbortSignal) => Promise<number>): SampledSource<number> & { calls: number; maxConcurrent: number } {
  let running = 0;
  const source = {
    kind: 'sampled' as const,
    name,
    calls: 0,
    maxConcurrent: 0,
    async sample(signal: AbortSignal) {
      source.calls++;
      running++;
      source.maxConcurrent = Math.max(source.maxConcurrent, running);
      try {
        return await work(signal);
      } finally {
        running--;
      }
    },
    readings(_baseline: unknown, samples: readonly { data: number }[]) {
      return { metrics: { cache: { hitRate: samples.at(-1)!.data } } };
    },
  };
  return source;
}

describe('scheduler', () => {
  let dir: string;
  let store: Store;
  let lines: string[];
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-scheduler-'));
    store = openSqliteStore(join(dir, 'perfpilot.db'));
    lines = [];
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  function scheduler(sources: SampledSource[], overrides: Partial<SchedulerOptions> = {}) {
    const logger = createLogger({ level: 'debug', destination: { write: (s: string) => void lines.push(s) } });
    return createScheduler({
      environment: 'test',
      sources,
      store,
      collect: createCollectPerformanceMetrics({ samples: store, sources }),
      analyze: (snapshot) => analyzePerformance(snapshot, { rules: ORIGINAL_RULES }),
      logger,
      intervalMs: 50,
      windowMs: 60_000,
      retentionMs: 86_400_000,
      sourceTimeoutMs: 2_000,
      ...overrides,
    });
  }
  const logged = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const storedRows = async (source: string) => (await store.samplesForWindow('test', [source], { startMs: 0, endMs: Date.now() + 1 })).get(source)!;

  it('never overlaps cycles: ticks that find one in flight are skipped, and every attempt is stored', async () => {
    const slow = fakeSource('slow', async () => { await sleep(200); return 0.9; });
    const s = scheduler([slow]);
    s.start();
    await sleep(900);
    await s.stop();
    expect(slow.maxConcurrent).toBe(1);
    expect(slow.calls).toBeGreaterThanOrEqual(2);
    expect(s.skippedTicks).toBeGreaterThan(0);
    expect(await storedRows('slow')).toHaveLength(slow.calls);
  });

  it('times out a hanging source without holding up the others, and stores both attempts', async () => {
    const fast = fakeSource('fast', async () => 0.5);
    const hanging = fakeSource('hanging', () => new Promise<number>(() => undefined));
    const s = scheduler([fast, hanging], { sourceTimeoutMs: 300 });
    const startedMs = Date.now();
    const result = await s.runCycle();
    const [a, b] = result!.attempts;
    expect(a).toMatchObject({ source: 'fast', ok: true, data: 0.5 });
    expect(b).toMatchObject({ source: 'hanging', ok: false, reason: 'timeout', message: 'source hanging timed out after 300 ms' });
    // The fast source was recorded when it answered, before the hanging one's timeout fired.
    expect(a!.atMs - startedMs).toBeLessThan(b!.atMs - startedMs);
    expect((await storedRows('fast')).map((r) => r.ok)).toEqual([true]);
    expect((await storedRows('hanging')).map((r) => r.ok)).toEqual([false]);
    expect(result!.analysis?.environment).toBe('test');
  });

  it('stop() waits for the cycle in flight, whose samples and analysis are then stored', async () => {
    const slow = fakeSource('redis', async () => { await sleep(300); return 0.5; });
    const s = scheduler([slow], { intervalMs: 60_000 });
    s.start();
    await sleep(50);
    await s.stop();
    expect(await storedRows('redis')).toHaveLength(1);
    const analysis = await store.latestAnalysis('test');
    expect(analysis?.issues.map((i) => i.type)).toEqual(['low_cache_hit_rate']);
    expect((await store.latestSnapshot('test'))?.metrics.cache.hitRate).toBe(0.5);
  });

  it('stop(waitMs) gives up on a cycle that outlasts it, and says so', async () => {
    const hanging = fakeSource('hanging', () => new Promise<number>(() => undefined));
    const s = scheduler([hanging], { intervalMs: 60_000, sourceTimeoutMs: 5_000 });
    s.start();
    await sleep(50);
    await s.stop(200);
    // Returned before the cycle did: its attempt (a timeout after 5 s) is not stored yet.
    expect(await storedRows('hanging')).toEqual([]);
    expect(logged().find((m) => m.msg === 'The cycle in flight did not finish in time; stopping without it')).toMatchObject({ environment: 'test', waitMs: 200 });
  });

  it('logs each collection and analysis with the environment, and a failing source with its error, password removed', async () => {
    let fail = true;
    const flaky = fakeSource('redis', async () => {
      if (fail) throw Object.assign(new Error('connect ECONNREFUSED redis://app:hunter2@10.0.0.5:6379'), { code: 'ECONNREFUSED' });
      return 0.95;
    });
    const s = scheduler([flaky]);
    await s.runCycle();
    fail = false;
    await s.runCycle();
    const msgs = logged();
    expect(msgs.filter((m) => m.msg === 'Performance metrics collected').map((m) => [m.environment, m.sources])).toEqual([['test', { redis: 'error' }], ['test', { redis: 'ok' }]]);
    expect(msgs.filter((m) => m.msg === 'Performance analysis completed').map((m) => m.environment)).toEqual(['test', 'test']);
    const failure = msgs.find((m) => m.msg === 'Source failed')!;
    expect(failure).toMatchObject({ environment: 'test', source: 'redis', reason: 'network' });
    expect(String(failure.message)).toContain('redis://app:***@10.0.0.5:6379');
    expect(lines.join('\n')).not.toContain('hunter2');
    expect((await store.recentEvents(10)).map((e) => e.kind)).toEqual(['source_recovered', 'source_failed']);
  });

  it('enforces retention while it runs', async () => {
    const now = Date.now();
    await store.appendSamples('test', [{ source: 'redis', atMs: now - 90_000_000, ok: true, data: 0.9 }, { source: 'redis', atMs: now - 1_000, ok: true, data: 0.9 }]);
    const s = scheduler([fakeSource('redis', async () => 0.9)]);
    await s.runCycle();
    const rows = await storedRows('redis');
    expect(rows.map((r) => r.atMs).filter((t) => t < now - 86_400_000)).toEqual([]);
    expect(rows).toHaveLength(2);
  });
  it('runs a full GC at the end of a cycle at most every 30 s, between cycles', async () => {
    let clockMs = Date.now();
    const start = clockMs;
    const at: number[] = [];
    let cycles = 0;
    const s = scheduler([fakeSource('redis', async () => { cycles++; return 0.9; })], {
      now: () => clockMs,
      fullGc: () => at.push(clockMs - start),
    });
    for (let i = 0; i < 7; i++) {
      clockMs += 10_000;
      await s.runCycle();
    }
    expect(cycles).toBe(7);
    expect(at).toEqual([30_000, 60_000]);
  });
});
