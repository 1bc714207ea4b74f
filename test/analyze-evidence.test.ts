import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzePerformance } from '../src/analyze/analyze-performance.js';
import { evidenceFromSamples } from '../src/analyze/evidence.js';
import { createPostgresSource } from '../src/sources/postgres.js';
import { createRedisSource } from '../src/sources/redis.js';
import { PG_ADMIN_URL } from './support/postgres.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { snapshotWith } from './support/snapshots.js';

describe.skipIf(missingProgram('redis-server') !== null || missingProgram('psql') !== null)('evidence from real samples', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '64mb', 'maxmemory-policy': 'volatile-lru' });
    for (let i = 0; i < 30; i++) await redis.client.set(`plain:${i}`, 'v');
    for (let i = 0; i < 10; i++) await redis.client.set(`ttl:${i}`, 'v', 'EX', 600);
  });
  afterAll(async () => { await redis?.stop(); });

  it('reads maxmemory-policy and keys without TTL from Redis, max_connections from PostgreSQL', async () => {
    const redisSource = createRedisSource({ url: redis.url });
    const pgSource = createPostgresSource({ url: PG_ADMIN_URL, slowQueryMs: 500 });
    try {
      const signal = AbortSignal.timeout(5_000);
      const evidence = evidenceFromSamples({ redis: await redisSource.sample(signal), postgres: await pgSource.sample(signal) });
      expect(evidence.redis).toEqual({ maxmemoryPolicy: 'volatile-lru', keys: 40, expires: 10 });
      expect(evidence.postgres.maxConnections).toBeGreaterThan(0);

      const a = analyzePerformance(snapshotWith({ 'cache.hitRate': 0.5, 'database.connections': evidence.postgres.maxConnections! }), { evidence });
      expect(a.issues.map((i) => i.type)).toEqual(['low_cache_hit_rate', 'db_connections_near_max']);
      expect(a.recommendations.map((r) => r.type)).toEqual(['use_connection_pooling', 'fix_eviction_policy', 'set_key_ttls', 'review_cache_strategy']);
      expect(a.recommendations[1]!.description).toContain('maxmemory-policy volatile-lru while 30 keys have no TTL');
    } finally {
      await redisSource.close?.();
      await pgSource.close?.();
    }
  });
});
