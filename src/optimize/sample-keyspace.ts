import type { AccessSkew, KeyspaceSample } from './plan-redis.js';
import type { Evidence } from './proposal.js';

/** The part of an ioredis client the sampler calls. */
export interface SamplerClient {
  call(command: string, ...args: (string | number)[]): Promise<unknown>;
  pipeline(commands: (string | number)[][]): { exec(): Promise<[Error | null, unknown][] | null> };
}

export interface SampleOptions {
  readonly maxKeys: number;
  readonly budgetMs: number;
  /** LFU policies keep access counters (OBJECT FREQ); the others keep idle times. */
  readonly lfu: boolean;
  /** Reads per second over the window just before, to judge idle times against. */
  readonly readsPerSecond: number | null;
  readonly now?: () => number;
}

/** Keyspace lookups Redis counted in INFO `keyspace_hits` / `keyspace_misses`. */
export interface Lookups {
  readonly hits: number;
  readonly misses: number;
}

/** The sample and what it cost. */
export interface KeyspaceSampleResult {
  readonly sample: KeyspaceSample;
  readonly commands: number;
  /**
   * The sample's own lookups: Redis counts every PTTL and OBJECT as a keyspace hit, or a miss
   * for a key gone since SCAN (measured on Redis 7.0: 1,000 keys add 2,000 hits). Whoever reads
   * the hit rate over a span that holds the sample subtracts them.
   */
  readonly lookups: Lookups;
  readonly elapsedMs: number;
}

const SCAN_COUNT = 100;

/**
 * Samples the keyspace at a bounded cost: SCAN with COUNT until `maxKeys` keys or
 * `budgetMs`, and per key one pipelined PTTL and one OBJECT FREQ (LFU policies) or
 * OBJECT IDLETIME. Keys that vanish between SCAN and the pipeline are skipped.
 */
export async function sampleKeyspace(client: SamplerClient, options: SampleOptions): Promise<KeyspaceSampleResult> {
  const now = options.now ?? Date.now;
  const started = now();
  const keys = Number(await client.call('DBSIZE'));
  let commands = 1;
  let cursor = '0';
  let withTtl = 0;
  let hits = 0;
  let misses = 0;
  const access: number[] = [];
  do {
    const [next, batch] = (await client.call('SCAN', cursor, 'COUNT', SCAN_COUNT)) as [string, string[]];
    commands++;
    cursor = next;
    const take = batch.slice(0, options.maxKeys - access.length);
    if (take.length === 0) continue;
    const replies = await client
      .pipeline(take.flatMap((k) => [['pttl', k], ['object', options.lfu ? 'FREQ' : 'IDLETIME', k]]))
      .exec();
    commands += take.length * 2;
    for (const [, reply] of replies ?? []) {
      if (isLookupMiss(reply)) misses++;
      else hits++;
    }
    for (let i = 0; i < take.length; i++) {
      const [ttlErr, ttl] = replies?.[2 * i] ?? [null, null];
      const [objErr, obj] = replies?.[2 * i + 1] ?? [null, null];
      if (ttlErr || objErr || ttl === -2 || obj === null) continue;
      if (Number(ttl) >= 0) withTtl++;
      access.push(Number(obj));
    }
  } while (cursor !== '0' && access.length < options.maxKeys && now() - started < options.budgetMs);
  const judged = options.lfu ? judgeFrequencies(access) : judgeIdleTimes(access, keys, options.readsPerSecond);
  return {
    sample: { keys, sampled: access.length, withTtl, skew: judged.skew, skewEvidence: judged.evidence },
    commands,
    lookups: { hits, misses },
    elapsedMs: now() - started,
  };
}

/**
 * Whether a PTTL or OBJECT reply was a keyspace miss: PTTL answers -2 and OBJECT null for a
 * missing key. Every other reply, an error too, came after the key was found (OBJECT FREQ
 * under a non-LFU policy looks the key up, then refuses), so Redis counted a hit.
 */
function isLookupMiss(reply: unknown): boolean {
  return reply === null || reply === -2;
}

/**
 * LFU counters are logarithmic. Access is skewed when the hottest tenth of the sample sits
 * well above the median: p90 ≥ 2 × (p50 + 1).
 */
export function judgeFrequencies(freqs: readonly number[]): { skew: AccessSkew; evidence: Evidence } {
  if (freqs.length < 20) return { skew: 'unknown', evidence: { lfuSampled: freqs.length } };
  const sorted = [...freqs].sort((a, b) => a - b);
  const p50 = sorted[Math.floor(sorted.length * 0.5)]!;
  const p90 = sorted[Math.floor(sorted.length * 0.9)]!;
  return { skew: p90 >= 2 * (p50 + 1) ? 'skewed' : 'even', evidence: { lfuFreqP50: p50, lfuFreqP90: p90 } };
}

/**
 * Idle times against what uniform access would give. With R reads/s over N keys, uniform
 * access touches a share 1 − e^(−R·T/N) of the keys within T seconds. Access is skewed when
 * the share of sampled keys touched within T is under half of that. T is about N/R seconds
 * (at least 1, the resolution of OBJECT IDLETIME), where uniform access would touch ~63%.
 */
export function judgeIdleTimes(idleSeconds: readonly number[], keys: number, readsPerSecond: number | null): { skew: AccessSkew; evidence: Evidence } {
  if (idleSeconds.length < 20 || readsPerSecond === null || readsPerSecond <= 0 || keys === 0) {
    return { skew: 'unknown', evidence: { idleSampled: idleSeconds.length, readsPerSecond } };
  }
  const horizonS = Math.max(1, Math.round(keys / readsPerSecond));
  const uniform = 1 - Math.exp(-(readsPerSecond * horizonS) / keys);
  const touched = idleSeconds.filter((s) => s < horizonS).length / idleSeconds.length;
  return {
    skew: touched < uniform / 2 ? 'skewed' : 'even',
    evidence: { idleHorizonS: horizonS, touchedRatio: Math.round(touched * 1000) / 1000, uniformTouchedRatio: Math.round(uniform * 1000) / 1000 },
  };
}
