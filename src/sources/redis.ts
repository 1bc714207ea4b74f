import type { Logger } from '../log.js';
import { redactSecrets } from '../util/redact.js';
import { counterDelta } from './counter-delta.js';
import { infoNumber, keyspaceTotals, parseInfo } from './redis/parse-info.js';
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

/** The part of an ioredis client this source calls. */
interface RedisClient {
  readonly status: string;
  connect(): Promise<void>;
  info(): Promise<string>;
  config(op: 'GET', parameter: string): Promise<unknown>;
  disconnect(): void;
}

export interface RedisSourceOptions {
  readonly url: string;
  readonly logger?: Logger;
}

/**
 * Redis, from INFO over one connection kept open between samples (it reconnects by itself).
 * Hit and miss rates and evictions come from counter deltas over the window, never from
 * lifetime totals; memory is the last sample's.
 *
 * @example createRedisSource({ url: 'redis://127.0.0.1:6379' })
 */
export function createRedisSource(options: RedisSourceOptions): SampledSource<RedisSample> {
  let lastError: Error | null = null;
  // ioredis is imported only when a Redis source exists, starting now so the first sample's timeout does not pay for it.
  const clientLoaded = import('ioredis').then(({ Redis }) => {
    const client: RedisClient & { on(event: 'error' | 'ready', listener: (err: Error) => void): unknown } = new Redis(options.url, {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      connectTimeout: 2_000,
      retryStrategy: (times) => Math.min(times * 250, 2_000),
    });
    client.on('error', (err) => {
      if (err.message !== lastError?.message) options.logger?.debug({ err }, 'Redis connection error');
      lastError = err;
    });
    // A failure reported later is about the connection that is up now, not an earlier one.
    client.on('ready', () => {
      lastError = null;
    });
    return client;
  });
  clientLoaded.catch(() => undefined); // a failed import is reported by the first sample
  return {
    kind: 'sampled',
    name: 'redis',
    async sample() {
      const client = await clientLoaded;
      try {
        if (client.status === 'wait' || client.status === 'end') {
          await client.connect();
        } else if (client.status !== 'ready') {
          throw new SourceError(`not connected (${client.status})`, 'network');
        }
        const [info, samples] = await Promise.all([client.info(), client.config('GET', 'maxmemory-samples').catch(() => null)]);
        return redisSample(info, samples);
      } catch (err) {
        throw connectionFailure(lastError ?? err);
      }
    },
    readings: redisReadings,
    async close() {
      (await clientLoaded.catch(() => null))?.disconnect();
    },
  };
}

/**
 * The error that says why: ioredis rejects with a bare "Connection is closed." while its
 * 'error' event carried the cause (ECONNREFUSED, WRONGPASS…). Errors with a code or a Redis
 * reply pass through to be classified; the rest are a lost connection.
 */
function connectionFailure(err: unknown): unknown {
  if (err instanceof SourceError) return err;
  const e = err as { code?: unknown; name?: unknown; message?: unknown } | null;
  if (typeof e?.code === 'string' || e?.name === 'ReplyError') return err;
  return new SourceError(redactSecrets(`Redis connection lost: ${String(e?.message ?? err)}`), 'network', { cause: err });
}

function redisSample(infoText: string, configReply: unknown): RedisSample {
  const info = parseInfo(infoText);
  const samples = Array.isArray(configReply) && configReply.length === 2 ? Number(configReply[1]) : NaN;
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
