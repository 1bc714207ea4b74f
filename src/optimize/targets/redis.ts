import { readFile } from 'node:fs/promises';
import { Redis } from 'ioredis';
import { PerfpilotError } from '../../errors.js';
import { counterDelta } from '../../sources/counter-delta.js';
import { parseMeminfo } from '../../sources/host/proc-files.js';
import { infoNumber, parseInfo } from '../../sources/redis/parse-info.js';
import { redactSecrets } from '../../util/redact.js';
import type { CacheTarget, InspectOptions } from '../cache-target.js';
import type { RedisEvidence } from '../plan-redis.js';
import { sampleKeyspace, type Lookups, type SamplerClient } from '../sample-keyspace.js';
import { sleep } from '../../util/sleep.js';

/** The part of an ioredis client this target calls. */
export interface RedisTargetClient extends SamplerClient {
  disconnect(): void;
}

export interface RedisTargetOptions {
  readonly url: string;
  /** CONFIG REWRITE after each change, so it survives a restart. */
  readonly rewrite: boolean;
  readonly sample: { readonly maxKeys: number; readonly budgetMs: number };
}

/** "redis://127.0.0.1:6379/0": the URL without credentials, which names the target. */
export function redisTargetId(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}:${u.port || '6379'}${u.pathname.length > 1 ? u.pathname : ''}`;
}

/** Connects on the first command; connection errors surface from that command. */
function connect(url: string): RedisTargetClient {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 2_000 });
  client.on('error', () => {});
  return client;
}

/** A counters reading: INFO, with the OOM rejections from errorstats. */
async function counters(client: RedisTargetClient) {
  const info = parseInfo(String(await client.call('INFO')));
  const oom = /count=(\d+)/.exec(info.get('errorstat_OOM') ?? '');
  return { info, hits: infoNumber(info, 'keyspace_hits'), misses: infoNumber(info, 'keyspace_misses'), evicted: infoNumber(info, 'evicted_keys'), oom: oom ? Number(oom[1]) : 0 };
}

type Counters = Awaited<ReturnType<typeof counters>> & { readonly own: Lookups };

/** Hits and misses between two readings, without the target's own lookups (its keyspace samples). */
function readsBetween(before: Counters, after: Counters): { hits: number | null; misses: number | null } {
  const hits = counterDelta(before.hits, after.hits);
  const misses = counterDelta(before.misses, after.misses);
  return {
    hits: hits === null ? null : Math.max(0, hits - (after.own.hits - before.own.hits)),
    misses: misses === null ? null : Math.max(0, misses - (after.own.misses - before.own.misses)),
  };
}

/**
 * A self-hosted Redis: reads with INFO and CONFIG GET, changes with one atomic CONFIG SET
 * (and CONFIG REWRITE when configured).
 *
 * @example createRedisTarget({ url: 'redis://127.0.0.1:6379', rewrite: false, sample: { maxKeys: 1000, budgetMs: 500 } })
 */
export function createRedisTarget(options: RedisTargetOptions, client: RedisTargetClient = connect(options.url)): CacheTarget {
  const id = redisTargetId(options.url);
  const host = new URL(options.url).hostname;
  const local = host === '127.0.0.1' || host === 'localhost' || host === '[::1]';
  const wrap = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      throw new PerfpilotError(`${id}: ${what} failed: ${redactSecrets((err as Error).message)}`, { cause: err });
    }
  };
  // Every keyspace lookup of this target's samples so far, and the sample in progress. A
  // reading waits for that sample to end, then sends INFO at once on the same connection, so
  // Redis has counted exactly the lookups in `own` by then: a later sample queues behind INFO.
  const own = { hits: 0, misses: 0 };
  let sampling: Promise<unknown> = Promise.resolve();
  const readCounters = async (): Promise<Counters> => {
    for (let pending = sampling; ; pending = sampling) {
      await pending;
      if (pending === sampling) break;
    }
    const ownNow = { ...own };
    return { ...(await counters(client)), own: ownNow };
  };
  const sample = (o: Parameters<typeof sampleKeyspace>[1]) => {
    const run = sampleKeyspace(client, o).then((r) => {
      own.hits += r.lookups.hits;
      own.misses += r.lookups.misses;
      return r;
    });
    sampling = run.catch(() => {});
    return run;
  };
  const configGet = async (parameter: string): Promise<string | null> => {
    const reply = (await client.call('CONFIG', 'GET', parameter)) as string[];
    return reply.length >= 2 ? reply[1]! : null;
  };

  return {
    id,
    type: 'redis',
    inspect: (o: InspectOptions) => wrap('inspect', async (): Promise<RedisEvidence> => {
      const before = await readCounters();
      await sleep(o.windowMs, o.signal);
      const after = await readCounters();
      const { hits, misses } = readsBetween(before, after);
      const reads = hits !== null && misses !== null ? hits + misses : null;
      const policy = after.info.get('maxmemory_policy') ?? null;
      // Sampled after the window, so its lookups are not in the plan's hit rate; `own` keeps them
      // out of any other window of this target's (a verification measuring meanwhile).
      const { sample: keyspace } = await sample({
        maxKeys: options.sample.maxKeys,
        budgetMs: options.sample.budgetMs,
        lfu: policy?.endsWith('-lfu') ?? false,
        readsPerSecond: reads !== null && o.windowMs > 0 ? reads / (o.windowMs / 1000) : null,
      });
      const samples = await configGet('maxmemory-samples');
      // perfpilot's host readings describe Redis's host only when Redis runs here; a remote
      // Redis's spare memory is unknown, so no maxmemory proposal is made for it.
      const hostAvailable = local ? o.readings.hostMemoryAvailableBytes ?? parseMeminfo(await readFile('/proc/meminfo', 'utf8')).available : null;
      return {
        type: 'redis',
        target: id,
        selfHosted: true,
        config: { maxmemoryBytes: infoNumber(after.info, 'maxmemory'), policy, samples: samples === null ? null : Number(samples) },
        usedMemoryBytes: infoNumber(after.info, 'used_memory'),
        hostMemoryAvailableBytes: hostAvailable,
        window: { hitRate: reads ? hits! / reads : null, reads, evictedKeys: counterDelta(before.evicted, after.evicted), rejectedWrites: counterDelta(before.oom, after.oom) },
        keyspace,
      };
    }),
    read: (settings) => wrap('CONFIG GET', () => Promise.all(settings.map((s) => configGet(s.parameter)))),
    write: (changes, progress) => wrap('CONFIG SET', async () => {
      await client.call('CONFIG', 'SET', ...changes.flatMap((c) => [c.parameter, String(c.after)]));
      if (options.rewrite) {
        // All or nothing: a change that cannot be persisted is taken back before failing.
        await client.call('CONFIG', 'REWRITE').catch(async (err: unknown) => {
          await client.call('CONFIG', 'SET', ...changes.flatMap((c) => (c.before === null ? [] : [c.parameter, String(c.before)])));
          throw err;
        });
      }
      progress(`${id}: ${changes.map((c) => `${c.parameter} ${c.before} → ${c.after}`).join(', ')}`);
    }),
    measureHitRate: (windowMs, signal) => wrap('INFO', async () => {
      const before = await readCounters();
      await sleep(windowMs, signal);
      const after = await readCounters();
      const { hits, misses } = readsBetween(before, after);
      return hits !== null && misses !== null && hits + misses > 0 ? hits / (hits + misses) : null;
    }),
    async close() {
      client.disconnect();
    },
  };
}
