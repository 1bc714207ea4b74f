import { describe, expect, it } from 'vitest';
import { makePlan } from '../src/optimize/make-plan.js';
import { planCloudFront, type CdnBehavior } from '../src/optimize/plan-cloudfront.js';
import { planElastiCache } from '../src/optimize/plan-elasticache.js';
import { planRedis, type RedisEvidence } from '../src/optimize/plan-redis.js';
import { judgeFrequencies, judgeIdleTimes } from '../src/optimize/sample-keyspace.js';
import { regression } from '../src/optimize/verify-applied.js';

const MiB = 1 << 20;
type Over = Omit<Partial<RedisEvidence>, 'window' | 'config'> & { window?: Partial<RedisEvidence['window']>; config?: Partial<RedisEvidence['config']> };
const redis = (over: Over = {}): RedisEvidence => ({
  type: 'redis',
  target: 'redis://127.0.0.1:6379',
  selfHosted: true,
  usedMemoryBytes: 100 * MiB,
  hostMemoryAvailableBytes: null,
  keyspace: { keys: 5000, sampled: 1000, withTtl: 100, skew: 'skewed', skewEvidence: { idleHorizonS: 1 } },
  ...over,
  config: { maxmemoryBytes: 100 * MiB, policy: 'volatile-lru', samples: 5, ...over.config },
  window: { hitRate: 0.04, reads: 100_000, evictedKeys: 0, rejectedWrites: 500, ...over.window },
});
const brief = (e: RedisEvidence) => planRedis(e).map((p) => [p.parameter, p.current, p.proposed]);

describe('Redis planner', () => {
  it('replaces a volatile policy when most keys have no TTL, by access skew', () => {
    expect(brief(redis())).toEqual([['maxmemory-policy', 'volatile-lru', 'allkeys-lfu']]);
    expect(brief(redis({ keyspace: { keys: 10, sampled: 10, withTtl: 1, skew: 'even', skewEvidence: {} } }))).toEqual([['maxmemory-policy', 'volatile-lru', 'allkeys-lru']]);
    expect(brief(redis({ keyspace: { keys: 10, sampled: 10, withTtl: 9, skew: 'skewed', skewEvidence: {} } }))).toEqual([]);
    // Not full yet (no rejected writes, 50 of 100 MiB used): nothing refuses writes, nothing to change.
    expect(brief(redis({ usedMemoryBytes: 50 * MiB, window: { rejectedWrites: 0 } }))).toEqual([]);
    expect(brief(redis({ usedMemoryBytes: 95 * MiB, window: { rejectedWrites: 0 } }))).toEqual([['maxmemory-policy', 'volatile-lru', 'allkeys-lfu']]);
    // No memory limit: Redis never evicts, so the policy does not matter.
    expect(brief(redis({ config: { maxmemoryBytes: 0 } }))).toEqual([]);
    const [p] = planRedis(redis());
    expect(p!.evidence).toMatchObject({ keysWithTtlRatio: 0.1, rejectedWrites: 500, hitRate: 0.04, accessSkew: 'skewed', idleHorizonS: 1 });
    expect(p!.expectedEffect).toMatch(/^only 10% of keys have a TTL, so volatile-lru can evict almost nothing and acts like noeviction \(500 writes rejected/);
  });

  it('moves off noeviction only on rejected writes, and never proposes noeviction', () => {
    expect(brief(redis({ config: { policy: 'noeviction' } }))).toEqual([['maxmemory-policy', 'noeviction', 'allkeys-lfu']]);
    expect(brief(redis({ config: { policy: 'noeviction' }, window: { rejectedWrites: 0 } }))).toEqual([]);
    const plan = makePlan({ environment: 'e', evidence: [redis({ config: { policy: 'allkeys-lru' } })], windowMs: 1000, p99Ms: null, now: new Date(0) });
    expect(plan.proposals.some((p) => p.proposed === 'noeviction')).toBe(false);
  });

  it('tunes samples and maxmemory only while evicting with a low hit rate, maxmemory only self-hosted with memory to spare', () => {
    const evicting: Over = { config: { policy: 'allkeys-lru' }, window: { hitRate: 0.5, evictedKeys: 5000 }, hostMemoryAvailableBytes: 1000 * MiB };
    expect(brief(redis(evicting))).toEqual([['maxmemory-policy', 'allkeys-lru', 'allkeys-lfu'], ['maxmemory-samples', 5, 10], ['maxmemory', 100 * MiB, 200 * MiB]]);
    expect(brief(redis({ ...evicting, hostMemoryAvailableBytes: 200 * MiB }))).toContainEqual(['maxmemory', 100 * MiB, 150 * MiB]);
    expect(brief(redis({ ...evicting, selfHosted: false })).map(([p]) => p)).not.toContain('maxmemory');
    expect(brief(redis({ ...evicting, hostMemoryAvailableBytes: null })).map(([p]) => p)).not.toContain('maxmemory');
    expect(brief(redis({ ...evicting, window: { hitRate: 0.95, evictedKeys: 5000 } }))).toEqual([['maxmemory', 100 * MiB, 200 * MiB]]);
    expect(brief(redis({ ...evicting, window: { hitRate: 0.95, evictedKeys: 500 } }))).toEqual([]);
    expect(brief(redis({ ...evicting, window: { hitRate: null, reads: null, evictedKeys: null, rejectedWrites: null } }))).toEqual([]);
  });
});

describe('access skew', () => {
  it('compares idle times with what uniform access would touch', () => {
    const skewed = [...Array(90).fill(100), ...Array(10).fill(0)];
    expect(judgeIdleTimes(skewed, 1000, 1000)).toEqual({ skew: 'skewed', evidence: { idleHorizonS: 1, touchedRatio: 0.1, uniformTouchedRatio: 0.632 } });
    expect(judgeIdleTimes([...Array(70).fill(0), ...Array(30).fill(5)], 1000, 1000).skew).toBe('even');
    expect(judgeIdleTimes(skewed, 1000, null).skew).toBe('unknown');
    expect(judgeIdleTimes([0, 1], 1000, 1000).skew).toBe('unknown');
  });
  it('reads LFU counters on a log scale', () => {
    expect(judgeFrequencies([...Array(80).fill(1), ...Array(20).fill(30)])).toEqual({ skew: 'skewed', evidence: { lfuFreqP50: 1, lfuFreqP90: 30 } });
    expect(judgeFrequencies(Array(100).fill(5)).skew).toBe('even');
  });
});

describe('ElastiCache planner', () => {
  const params = (policy: string, group = 'app') => ({
    type: 'elasticache' as const, target: `elasticache:us-east-1/${group}`, parameterGroup: group, family: 'redis7',
    parameters: [
      { name: 'maxmemory-policy', value: policy, allowedValues: 'volatile-lru,allkeys-lru,allkeys-lfu', changeType: 'immediate' },
      { name: 'maxmemory-samples', value: '3', allowedValues: '1-64', changeType: 'requires-reboot' },
    ],
    window: { hitRate: 0.5, reads: null, evictedKeys: 1000, rejectedWrites: null },
  });
  it('keeps allowed changes, notes reboots and sharing, and refuses default groups', () => {
    const { proposals } = planElastiCache(params('allkeys-lru'));
    expect(proposals.map((p) => [p.resource, p.parameter, p.current, p.proposed])).toEqual([['app', 'maxmemory-samples', 3, 10]]);
    expect(proposals[0]!.risk).toMatch(/applies to every cluster using app; takes effect only after the nodes reboot$/);
    const refused = planElastiCache(params('allkeys-lru', 'default.redis7'));
    expect(refused.proposals).toEqual([]);
    expect(refused.notes[0]!.message).toMatch(/create a custom group/);
  });
});

describe('CloudFront planner', () => {
  const legacy = (id: string, def: number, max: number): CdnBehavior => ({ distributionId: id, pathPattern: '*', legacy: { ttl: { min: 0, default: def, max }, queryString: true }, cachePolicy: null });
  it('lengthens short default TTLs keeping Min ≤ Default ≤ Max, and touches query strings only on a known low hit rate', () => {
    const e = { type: 'cloudfront' as const, target: 'cf', distributionIds: ['A', 'B'], behaviors: [legacy('A', 0, 600), legacy('B', 86_400, 31_536_000)], hitRate: null, hitRateNote: null };
    expect(planCloudFront(e).proposals.map((p) => [p.resource, p.parameter, p.current, p.proposed])).toEqual([
      ['distribution/A/behavior/*', 'DefaultTTL', 0, 86_400], ['distribution/A/behavior/*', 'MaxTTL', 600, 86_400],
    ]);
    expect(planCloudFront({ ...e, hitRate: 0.3 }).proposals.map((p) => [p.resource, p.parameter, p.proposed])).toContainEqual(['distribution/B/behavior/*', 'QueryString', 0]);
    expect(planCloudFront({ ...e, hitRate: 0.9 }).proposals.map((p) => p.parameter)).not.toContain('QueryString');
    const unknown = planCloudFront({ ...e, hitRateNote: 'the CDN hit rate is unknown: no CacheHitRate' });
    expect(unknown.proposals.map((p) => p.parameter)).not.toContain('QueryString');
    expect(unknown.notes).toEqual([{ target: 'cf', message: 'the CDN hit rate is unknown: no CacheHitRate; query strings stay in the cache key' }]);
  });
});

describe('verification', () => {
  const t = { hitRateDrop: 0.02, p99Increase: 0.2 };
  it('flags a hit-rate drop or a p99 rise beyond the thresholds, and ignores missing readings', () => {
    expect(regression({ hitRate: 0.9, p99Ms: 100 }, { hitRate: 0.89, p99Ms: 119 }, t)).toBeNull();
    expect(regression({ hitRate: 0.9, p99Ms: 100 }, { hitRate: 0.85, p99Ms: 121 }, t)).toBe('hit rate fell from 0.900 to 0.850; p99 rose from 100.0 ms to 121.0 ms');
    expect(regression({ hitRate: null, p99Ms: null }, { hitRate: 0, p99Ms: 5000 }, t)).toBeNull();
  });
});
