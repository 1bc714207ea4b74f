import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { collectOnce } from '../src/collect/collect-once.js';
import { failureReason } from '../src/sources/failure-reason.js';
import { createHostSource } from '../src/sources/host.js';
import { createRedisSource, redisReadings, type RedisSample } from '../src/sources/redis.js';
import type { SampledSource } from '../src/sources/source.js';
import { missingProgram } from './support/require.js';
import { waitForPort } from './support/ports.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';

const signal = new AbortController().signal;
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

async function setUp(args: Record<string, string> = {}): Promise<{ redis: PrivateRedis; source: SampledSource<RedisSample> }> {
  const started = await startRedis(args);
  // stop() once only: the support helper waits for a second 'exit' after a SIGKILL.
  let stopped: Promise<void> | null = null;
  const redis = { ...started, stop: () => (stopped ??= started.stop()) };
  const source = createRedisSource({ url: redis.url });
  cleanup.push(() => redis.stop(), async () => source.close?.());
  return { redis, source };
}

/** Reads and returns the window's readings between two samples, at 0 and 1000 ms. */
function between(first: RedisSample, last: RedisSample) {
  return redisReadings({ atMs: 0, data: first }, [{ atMs: 1000, data: last }]).metrics.cache!;
}

describe.skipIf(missingProgram('redis-server') !== null)('redis source', () => {
  it('gives the hit rate of the window only, not of the lifetime', async () => {
    const { redis, source } = await setUp();
    await redis.client.set('warm', 'x');
    for (let i = 0; i < 40; i++) await redis.client.get(`missing-before-${i}`);
    await redis.client.get('warm');
    const first = await source.sample(signal);
    expect(first.keyspaceMisses).toBe(40);
    await redis.client.mset('a', '1', 'b', '2', 'c', '3');
    for (const key of ['a', 'b', 'c', 'a', 'nope', 'b', 'c', 'gone']) await redis.client.get(key);
    const last = await source.sample(signal);
    const cache = between(first, last);
    expect(cache.hitRate).toBe(0.75);
    expect(cache.missRate).toBe(0.25);
    expect(cache.evictions).toBe(0);
    expect(cache.memory?.available).toBeNull(); // maxmemory 0: no limit
    expect(cache.memory?.used).toBe(last.usedMemoryBytes);
    expect(last.keys).toBe(4);
    expect(last.expires).toBe(0);
  });

  it('has no hit rate for a window without reads (null, not 0)', async () => {
    const { source } = await setUp();
    const first = await source.sample(signal);
    const last = await source.sample(signal);
    expect(between(first, last).hitRate).toBeNull();
  });

  it('counts evictions under a small maxmemory with allkeys-lru, and the memory left', async () => {
    const { redis, source } = await setUp({ maxmemory: '4mb', 'maxmemory-policy': 'allkeys-lru', 'maxmemory-samples': '7' });
    const first = await source.sample(signal);
    expect(first).toMatchObject({ maxmemoryBytes: 4 * 1024 * 1024, maxmemoryPolicy: 'allkeys-lru', maxmemorySamples: 7, evictedKeys: 0 });
    const written = 600;
    const value = 'v'.repeat(10_000);
    for (let i = 0; i < written; i += 50) {
      await redis.client.mset(...Array.from({ length: 50 }, (_, j) => [`key:${i + j}`, value]).flat());
    }
    const last = await source.sample(signal);
    const kept = await redis.client.dbsize();
    const cache = between(first, last);
    expect(cache.evictions).toBeGreaterThan(0);
    expect(cache.evictions).toBe(written - kept);
    expect(cache.memory?.available).toBe(Math.max(0, 4 * 1024 * 1024 - last.usedMemoryBytes!));
    expect(last.usedMemoryBytes).toBeLessThanOrEqual(4 * 1024 * 1024 + 512 * 1024);
  });

  it('reads a restart as counters starting again from 0, never negative', () => {
    const sample = (runId: string, hits: number, misses: number, evicted: number): RedisSample => ({
      runId, keyspaceHits: hits, keyspaceMisses: misses, evictedKeys: evicted, usedMemoryBytes: 10, maxmemoryBytes: 0,
      maxmemoryPolicy: 'noeviction', maxmemorySamples: 5, keys: 0, expires: 0,
    });
    const cache = between(sample('old', 900, 100, 50), sample('new', 3, 1, 2));
    expect(cache).toMatchObject({ hitRate: 0.75, missRate: 0.25, evictions: 2 });
  });

  it('when Redis stops mid-run: cache readings null with an error, other sections intact', async () => {
    const { redis, source } = await setUp();
    await redis.client.get('x');
    const host = createHostSource();
    const stopping = new Promise<void>((resolve) => setTimeout(() => redis.stop().then(resolve), 400));
    const snapshot = await collectOnce({ environment: 'test', sources: [host, source], durationMs: 1_200, timeoutMs: 2_000 });
    await stopping;
    expect(snapshot.sources.redis).toMatchObject({ status: 'error', reason: 'network' });
    expect(snapshot.sources.host).toEqual({ status: 'ok' });
    expect(snapshot.metrics.cache).toEqual({ hitRate: null, missRate: null, evictions: null, memory: { used: null, available: null } });
    expect(snapshot.metrics.resources.cpu.usage).toEqual(expect.any(Number));
    expect(snapshot.metrics.resources.memory.available).toBeGreaterThan(0);
  });

  it('says why it cannot connect, and reads a Redis that comes back as a restart', async () => {
    const { redis, source } = await setUp();
    await redis.client.set('k', 'v');
    await redis.client.get('k');
    const first = await source.sample(signal);
    await redis.stop();
    const down = await source.sample(signal).then(() => null, (e: unknown) => e);
    expect(down).not.toBeNull();
    expect(failureReason(down)).toBe('network');
    const again = spawn('redis-server', ['--port', String(redis.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    cleanup.push(async () => {
      again.kill('SIGKILL');
    });
    await waitForPort(redis.port);
    let last: RedisSample | null = null;
    for (let i = 0; i < 40 && !last; i++) {
      last = await source.sample(signal).catch(() => null);
      if (!last) await new Promise((r) => setTimeout(r, 100));
    }
    expect(last?.runId).not.toBe(first.runId);
    expect(between(first, last!)).toMatchObject({ hitRate: null, evictions: 0 });
  });
});
