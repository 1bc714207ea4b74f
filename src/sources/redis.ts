import { counterDelta } from './counter-delta.js';
import { infoNumber, keyspaceTotals, parseInfo } from './redis/parse-info.js';
import { openRespConnection, type RespConnection, type RespValue } from './redis/resp-connection.js';
import { SourceError, type SampledSource, type SourceReadings, type TimedSample } from './source.js';

/** One INFO reading. The optimizer and the rules read the configuration fields from it. */
export interface RedisSample {
  /** Changes when Redis restarts: its counters start again from 0. */
  readonly runId: string | null;
  readonly keyspaceHits: number | null;
  readonly keyspaceMisses: number | null;
  readonly evictedKeys: number | null;
  readonly usedMemoryBytes: number | null;
  /** 0 = no limit. */
  readonly maxmemoryBytes: number | null;
  readonly maxmemoryPolicy: string | null;
  /** From CONFIG GET; null where CONFIG is disabled (managed Redis). */
  readonly maxmemorySamples: number | null;
  /** Keys and keys with a TTL, over all databases. */
  readonly keys: number;
  readonly expires: number;
}

export interface RedisSourceOptions {
  readonly url: string;
}

/**
 * Redis, from INFO over one connection kept open between samples (opened again by the sample
 * after a failure). Hit and miss rates and evictions come from counter deltas over the window,
 * never from lifetime totals; memory is the last sample's.
 *
 * @example createRedisSource({ url: 'redis://127.0.0.1:6379' })
 */
export function createRedisSource(options: RedisSourceOptions): SampledSource<RedisSample> {
  let connection: Promise<RespConnection> | null = null;
  return {
    kind: 'sampled',
    name: 'redis',
    async sample(signal) {
      const opening = (connection ??= openRespConnection(options.url, 2_000));
      let open: RespConnection | null = null;
      const onAbort = () => open?.close();
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        open = await opening;
        const [info, samples] = await open.send([['INFO'], ['CONFIG', 'GET', 'maxmemory-samples']]);
        if (typeof info !== 'string') throw info instanceof Error ? info : new SourceError('INFO gave no text', 'bad_response');
        // CONFIG is often disabled on managed Redis: maxmemory-samples is then unknown.
        return redisSample(info, Array.isArray(samples) ? samples : null);
      } catch (err) {
        if (connection === opening && (open === null || open.closed)) connection = null;
        throw err;
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    readings: redisReadings,
    async close() {
      const open = connection;
      connection = null;
      (await open?.catch(() => null))?.close();
    },
  };
}

function redisSample(infoText: string, configReply: readonly RespValue[] | null): RedisSample {
  const info = parseInfo(infoText);
  const samples = configReply?.length === 2 ? Number(configReply[1]) : NaN;
  return {
    runId: info.get('run_id') ?? null,
    keyspaceHits: infoNumber(info, 'keyspace_hits'),
    keyspaceMisses: infoNumber(info, 'keyspace_misses'),
    evictedKeys: infoNumber(info, 'evicted_keys'),
    usedMemoryBytes: infoNumber(info, 'used_memory'),
    maxmemoryBytes: infoNumber(info, 'maxmemory'),
    maxmemoryPolicy: info.get('maxmemory_policy') ?? null,
    maxmemorySamples: Number.isFinite(samples) ? samples : null,
    ...keyspaceTotals(info),
  };
}

/** Pure: hit rate, miss rate and evictions over the window; memory at its end. */
export function redisReadings(baseline: TimedSample<RedisSample> | null, samples: readonly TimedSample<RedisSample>[]): SourceReadings {
  const last = samples.at(-1)?.data;
  if (!last) return { metrics: {} };
  const used = last.usedMemoryBytes;
  const max = last.maxmemoryBytes;
  const memory = { used, available: used !== null && max ? Math.max(0, max - used) : null };
  if (!baseline) return { metrics: { cache: { memory } } };
  // After a restart the counters began again at 0: the growth since is the reading itself.
  const before = baseline.data.runId === last.runId ? baseline.data : { keyspaceHits: 0, keyspaceMisses: 0, evictedKeys: 0 };
  const hits = counterDelta(before.keyspaceHits, last.keyspaceHits);
  const misses = counterDelta(before.keyspaceMisses, last.keyspaceMisses);
  const reads = hits !== null && misses !== null ? hits + misses : null;
  return {
    metrics: {
      cache: {
        hitRate: reads ? hits! / reads : null,
        missRate: reads ? misses! / reads : null,
        evictions: counterDelta(before.evictedKeys, last.evictedKeys),
        memory,
      },
    },
  };
}
