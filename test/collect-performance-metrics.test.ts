import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/load.js';
import { sampleAll } from '../src/collect/sample-all.js';
import { collectPerformanceMetrics } from '../src/index.js';
import { createSources } from '../src/sources/create-sources.js';
import type { SampledSource } from '../src/sources/source.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';

describe.skipIf(missingProgram('redis-server') !== null)('collectPerformanceMetrics (library)', () => {
  let dir: string;
  let redis: PrivateRedis;
  let configFile: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'perfpilot-collect-'));
    redis = await startRedis();
    configFile = join(dir, 'perfpilot.yaml');
    await writeFile(configFile, [`store: { path: ${join(dir, 'perfpilot.db')} }`, 'sources:', '  host: false', `  redis: { url: "${redis.url}" }`].join('\n'));
  });
  afterAll(async () => {
    await redis.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('computes the window from stored samples, per environment, with nulls for what has no data', async () => {
    const { config } = await loadConfig({ file: configFile, probe: false });
    const { sources } = createSources(config);
    const sampled = sources.filter((s): s is SampledSource => s.kind === 'sampled');
    const store = openSqliteStore(config.store.path);
    await redis.client.set('k', 'v');
    const first = await sampleAll(sampled, 5_000);
    for (let i = 0; i < 9; i++) await redis.client.get('k');
    for (let i = 0; i < 3; i++) await redis.client.get(`nope:${i}`);
    const second = await sampleAll(sampled, 5_000);
    await store.appendSamples('shop', [...first, ...second]);
    await store.close();
    await Promise.all(sources.map((s) => s.close?.()));

    const start = new Date(first[0]!.atMs);
    const end = new Date(second[0]!.atMs);
    const snapshot = await collectPerformanceMetrics('shop', start, end, { configFile, env: {} });
    expect(snapshot.environment).toBe('shop');
    expect(snapshot.window).toEqual({ start: start.toISOString(), end: end.toISOString() });
    expect(snapshot.metrics.cache.hitRate).toBe(0.75);
    expect(snapshot.metrics.cache.missRate).toBe(0.25);
    expect(snapshot.metrics.resources.cpu.usage).toBeNull();
    expect(snapshot.sources.redis).toEqual({ status: 'ok' });
    expect(snapshot.sources.host).toEqual({ status: 'not_configured' });

    const other = await collectPerformanceMetrics('staging', start, end, { configFile, env: {} });
    expect(other.metrics.cache.hitRate).toBeNull();
    expect(other.sources.redis).toMatchObject({ status: 'error', reason: 'empty' });

    await expect(collectPerformanceMetrics('shop', end, start, { configFile, env: {} })).rejects.toThrow('the window must start before it ends');
  });
});
