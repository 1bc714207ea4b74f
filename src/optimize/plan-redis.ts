import type { Evidence, Proposal } from './proposal.js';

/** How concentrated access is, from the keyspace sample. */
export type AccessSkew = 'skewed' | 'even' | 'unknown';

/** A bounded sample of the keyspace (see `sampleKeyspace`). */
export interface KeyspaceSample {
  /** DBSIZE of the sampled database. */
  readonly keys: number;
  readonly sampled: number;
  readonly withTtl: number;
  readonly skew: AccessSkew;
  /** How the skew was judged (OBJECT FREQ or OBJECT IDLETIME figures). */
  readonly skewEvidence: Evidence;
}

/** Readings over the plan's window (from counter deltas); null when not available. */
export interface RedisWindow {
  /** keyspace hits ÷ (hits + misses). */
  readonly hitRate: number | null;
  /** keyspace hits + misses. */
  readonly reads: number | null;
  readonly evictedKeys: number | null;
  /** Writes refused with OOM (errorstat_OOM). */
  readonly rejectedWrites: number | null;
}

/** What the Redis planner decides from. Pure data; `inspect` of a Redis target gathers it. */
export interface RedisEvidence {
  readonly type: 'redis';
  readonly target: string;
  /** False on ElastiCache, where maxmemory is fixed by the node type. */
  readonly selfHosted: boolean;
  readonly config: { readonly maxmemoryBytes: number | null; readonly policy: string | null; readonly samples: number | null };
  readonly usedMemoryBytes: number | null;
  /** MemAvailable of the host Redis runs on, when perfpilot can see it. */
  readonly hostMemoryAvailableBytes: number | null;
  readonly window: RedisWindow;
  readonly keyspace: KeyspaceSample | null;
}

const LOW_HIT_RATE = 0.8;
const TARGET_SAMPLES = 10;
/** used_memory ÷ maxmemory from which memory counts as full. */
const FULL_RATIO = 0.9;
/** Evictions per read above which more memory is worth proposing. */
const HIGH_EVICTION_RATIO = 0.01;

const EVICT_ANY_KEY_RISK =
  'keys without a TTL become evictable: if the application keeps data it cannot rebuild in this Redis (sessions, locks, queues), it can lose it';

/**
 * Redis proposals from evidence: the eviction policy, maxmemory-samples and (self-hosted
 * only) maxmemory. Pure. Never proposes `noeviction`.
 */
export function planRedis(e: RedisEvidence): Proposal[] {
  return [proposePolicy(e), proposeSamples(e), proposeMaxmemory(e)].filter((p): p is Proposal => p !== null);
}

function base(e: RedisEvidence) {
  const hitRate = e.window.hitRate;
  const ttlRatio = e.keyspace && e.keyspace.sampled > 0 ? e.keyspace.withTtl / e.keyspace.sampled : null;
  return {
    hitRate,
    ttlRatio,
    facts: {
      hitRate: round(hitRate),
      evictedKeys: e.window.evictedKeys,
      rejectedWrites: e.window.rejectedWrites,
      keysSampled: e.keyspace?.sampled ?? null,
      keysWithTtlRatio: round(ttlRatio),
      accessSkew: e.keyspace?.skew ?? 'unknown',
      ...(e.keyspace?.skewEvidence ?? {}),
    } satisfies Evidence,
  };
}

function proposePolicy(e: RedisEvidence): Proposal | null {
  const policy = e.config.policy;
  const max = e.config.maxmemoryBytes;
  // Without a memory limit (maxmemory 0) Redis never evicts, whatever the policy says.
  if (policy === null || max === 0) return null;
  const { hitRate, ttlRatio, facts } = base(e);
  const skew = e.keyspace?.skew ?? 'unknown';
  const allkeys = skew === 'skewed' ? 'allkeys-lfu' : 'allkeys-lru';
  const why = skew === 'skewed'
    ? 'access is skewed to a few hot keys, which allkeys-lfu keeps'
    : skew === 'even' ? 'access follows recency, which allkeys-lru keeps' : 'allkeys-lru is the safe choice while access skew is unknown';
  const rejected = e.window.rejectedWrites ?? 0;
  const evicting = (e.window.evictedKeys ?? 0) > 0;
  const low = hitRate !== null && hitRate < LOW_HIT_RATE;
  const make = (proposed: string, effect: string, risk: string): Proposal =>
    ({ target: e.target, resource: '', parameter: 'maxmemory-policy', current: policy, proposed, evidence: facts, expectedEffect: effect, risk });

  // Only once memory is (nearly) full does a policy that can evict almost nothing start refusing writes.
  const full = rejected > 0 || (max !== null && e.usedMemoryBytes !== null && e.usedMemoryBytes >= FULL_RATIO * max);
  if (policy.startsWith('volatile-') && ttlRatio !== null && ttlRatio < 0.5 && full) {
    return make(allkeys,
      `only ${pct(ttlRatio)} of keys have a TTL, so ${policy} can evict almost nothing and acts like noeviction` +
      `${rejected > 0 ? ` (${rejected} writes rejected with OOM in the window)` : ''}; ${allkeys} makes room for new writes and ${why}`,
      EVICT_ANY_KEY_RISK);
  }
  if (policy === 'noeviction' && rejected > 0) {
    return make(allkeys, `${rejected} writes were rejected with OOM in the window; ${allkeys} evicts instead, and ${why}`, EVICT_ANY_KEY_RISK);
  }
  if (!evicting || !low) return null;
  if (policy === 'allkeys-random' || (policy === 'allkeys-lru' && skew === 'skewed') || (policy === 'allkeys-lfu' && skew === 'even')) {
    return make(allkeys, `the hit rate is ${pct(hitRate)} while keys are being evicted; ${why}`,
      'the change of policy takes effect gradually as keys are evicted; the hit rate may dip while the new policy settles');
  }
  return null;
}

function proposeSamples(e: RedisEvidence): Proposal | null {
  const { hitRate, facts } = base(e);
  const samples = e.config.samples;
  if (samples === null || samples >= TARGET_SAMPLES) return null;
  if ((e.window.evictedKeys ?? 0) === 0 || hitRate === null || hitRate >= LOW_HIT_RATE) return null;
  return {
    target: e.target, resource: '', parameter: 'maxmemory-samples', current: samples, proposed: TARGET_SAMPLES,
    evidence: { ...facts, maxmemorySamples: samples },
    expectedEffect: `evictions pick among ${TARGET_SAMPLES} sampled keys instead of ${samples}, closer to true LRU/LFU, so fewer hot keys are evicted`,
    risk: 'slightly more CPU per eviction',
  };
}

function proposeMaxmemory(e: RedisEvidence): Proposal | null {
  const max = e.config.maxmemoryBytes;
  const avail = e.hostMemoryAvailableBytes;
  const { reads, evictedKeys } = e.window;
  if (!e.selfHosted || max === null || max === 0 || avail === null || reads === null || evictedKeys === null) return null;
  if (reads === 0 || evictedKeys / reads < HIGH_EVICTION_RATIO) return null;
  const extra = Math.min(max, Math.floor(avail / 4));
  if (extra < 1 << 20) return null;
  const proposed = max + extra;
  return {
    target: e.target, resource: '', parameter: 'maxmemory', current: max, proposed,
    evidence: { ...base(e).facts, evictionsPerRead: round(evictedKeys / reads), maxmemoryBytes: max, hostMemoryAvailableBytes: avail },
    expectedEffect: `${mib(extra)} more cache memory (${mib(max)} → ${mib(proposed)}): fewer evictions and more hits`,
    risk: `Redis may use ${mib(extra)} more of the host's memory (${mib(avail)} available now); leave headroom for fork during persistence`,
  };
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1000) / 1000;
}
function pct(x: number | null): string {
  return x === null ? 'unknown' : `${Math.round(x * 100)}%`;
}
function mib(bytes: number): string {
  return `${Math.round(bytes / 1048576)} MiB`;
}
