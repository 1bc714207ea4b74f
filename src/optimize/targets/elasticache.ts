import {
  DescribeCacheParametersCommand, ElastiCacheClient, ModifyCacheParameterGroupCommand, type Parameter,
} from '@aws-sdk/client-elasticache';
import { PerfpilotError } from '../../errors.js';
import { targetCall } from './target-call.js';
import type { CacheTarget, InspectOptions } from '../cache-target.js';
import { defaultGroupMessage, isDefaultParameterGroup, type CacheParameter, type ElastiCacheEvidence } from '../plan-elasticache.js';

/** The one method of the SDK client this target calls. */
export interface ElastiCacheSend {
  send: ElastiCacheClient['send'];
}

export interface ElastiCacheTargetOptions {
  readonly region: string;
  readonly endpoint: string | null;
  readonly parameterGroup: string;
  /** redis7, valkey8, …; shown in the message that refuses a default group. */
  readonly family?: string;
}

/**
 * An ElastiCache (Redis OSS or Valkey) custom parameter group: DescribeCacheParameters for the
 * current values, allowed values and change types; ModifyCacheParameterGroup to change them.
 * Default groups are refused: ElastiCache does not let anyone modify them.
 */
export function createElastiCacheTarget(options: ElastiCacheTargetOptions, client: ElastiCacheSend = new ElastiCacheClient({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) })): CacheTarget {
  const group = options.parameterGroup;
  const id = `elasticache:${options.region}/${group}`;
  const wrap = targetCall(id);

  async function parameters(): Promise<CacheParameter[]> {
    const out: CacheParameter[] = [];
    let marker: string | undefined;
    do {
      const page = await client.send(new DescribeCacheParametersCommand({ CacheParameterGroupName: group, Marker: marker }));
      out.push(...(page.Parameters ?? []).map(toParameter));
      marker = page.Marker;
    } while (marker);
    return out;
  }

  return {
    id,
    type: 'elasticache',
    inspect: (o: InspectOptions) => wrap('DescribeCacheParameters', async (): Promise<ElastiCacheEvidence> => ({
      type: 'elasticache',
      target: id,
      parameterGroup: group,
      family: options.family ?? null,
      parameters: isDefaultParameterGroup(group) ? [] : await parameters(),
      window: { hitRate: o.readings.hitRate, reads: null, evictedKeys: o.readings.evictions, rejectedWrites: null },
    })),
    read: (settings) => wrap('DescribeCacheParameters', async () => {
      const all = await parameters();
      return settings.map((s) => all.find((p) => p.name === s.parameter)?.value ?? null);
    }),
    write: (changes) => wrap('ModifyCacheParameterGroup', async () => {
      if (isDefaultParameterGroup(group)) throw new PerfpilotError(defaultGroupMessage(group, options.family ?? null), { exitCode: 78, httpStatus: 409 });
      if (changes.some((c) => c.parameter === 'maxmemory')) throw new PerfpilotError('maxmemory is fixed by the node type on ElastiCache', { exitCode: 65, httpStatus: 400 });
      await client.send(new ModifyCacheParameterGroupCommand({
        CacheParameterGroupName: group,
        ParameterNameValues: changes.map((c) => ({ ParameterName: c.parameter, ParameterValue: String(c.after) })),
      }));
    }),
    measureHitRate: async () => null,
    async close() {},
  };
}

function toParameter(p: Parameter): CacheParameter {
  return { name: p.ParameterName ?? '', value: p.ParameterValue ?? null, allowedValues: p.AllowedValues ?? null, changeType: p.ChangeType ?? null };
}
