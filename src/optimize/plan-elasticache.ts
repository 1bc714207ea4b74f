import { planRedis, type RedisWindow } from './plan-redis.js';
import type { PlanNote, Proposal } from './proposal.js';

/** One row of DescribeCacheParameters. */
export interface CacheParameter {
  readonly name: string;
  readonly value: string | null;
  /** e.g. "volatile-lru,allkeys-lru,…" or a range "1-". */
  readonly allowedValues: string | null;
  /** "immediate" or "requires-reboot". */
  readonly changeType: string | null;
}

/** What the ElastiCache planner decides from. */
export interface ElastiCacheEvidence {
  readonly type: 'elasticache';
  readonly target: string;
  readonly parameterGroup: string;
  readonly family: string | null;
  readonly parameters: readonly CacheParameter[];
  /** From the environment's snapshot (CloudWatch); ElastiCache gives no keyspace sample. */
  readonly window: RedisWindow;
}

/** Parameters perfpilot may change on ElastiCache; `maxmemory` is fixed by the node type there. */
const TUNABLE = ['maxmemory-policy', 'maxmemory-samples'];

/** Whether ElastiCache refuses to modify the group: every `default.*` group is read-only. */
export function isDefaultParameterGroup(name: string): boolean {
  return name.startsWith('default.');
}

/**
 * ElastiCache proposals: the Redis rules without maxmemory, kept only where the parameter
 * group allows the value. Pure.
 */
export function planElastiCache(e: ElastiCacheEvidence): { proposals: Proposal[]; notes: PlanNote[] } {
  if (isDefaultParameterGroup(e.parameterGroup)) {
    return { proposals: [], notes: [{ target: e.target, message: defaultGroupMessage(e.parameterGroup, e.family) }] };
  }
  const param = (name: string) => e.parameters.find((p) => p.name === name) ?? null;
  const number = (name: string) => {
    const v = param(name)?.value;
    return v === null || v === undefined || v === '' ? null : Number(v);
  };
  const proposals = planRedis({
    type: 'redis',
    target: e.target,
    selfHosted: false,
    config: { maxmemoryBytes: null, policy: param('maxmemory-policy')?.value ?? null, samples: number('maxmemory-samples') },
    usedMemoryBytes: null,
    hostMemoryAvailableBytes: null,
    window: e.window,
    keyspace: null,
  });
  const notes: PlanNote[] = [];
  const kept = proposals.flatMap((p): Proposal[] => {
    const row = param(p.parameter);
    if (!TUNABLE.includes(p.parameter) || row === null) return [];
    if (!allows(row.allowedValues, p.proposed)) {
      notes.push({ target: e.target, message: `${p.parameter}=${p.proposed} is not allowed by ${e.parameterGroup} (${row.allowedValues})` });
      return [];
    }
    const reboot = row.changeType === 'requires-reboot' ? '; takes effect only after the nodes reboot' : '';
    return [{ ...p, resource: e.parameterGroup, risk: `${p.risk}; applies to every cluster using ${e.parameterGroup}${reboot}` }];
  });
  return { proposals: kept, notes };
}

export function defaultGroupMessage(group: string, family: string | null): string {
  const f = family ?? '<family, e.g. redis7 or valkey8>';
  return `${group} is a default parameter group, which ElastiCache does not allow to be modified: create a custom group ` +
    `(aws elasticache create-cache-parameter-group --cache-parameter-group-name my-params --cache-parameter-group-family ${f} ` +
    `--description perfpilot), assign it to the cluster, and list that group in optimize.targets`;
}

/** AllowedValues is a comma-separated list or a numeric range such as "1-" or "1-64". */
function allows(allowed: string | null, value: string | number): boolean {
  if (allowed === null || allowed === '') return true;
  const range = /^(\d+)-(\d*)$/.exec(allowed);
  if (range) {
    const n = Number(value);
    return n >= Number(range[1]) && (range[2] === '' || n <= Number(range[2]));
  }
  return allowed.split(',').map((s) => s.trim()).includes(String(value));
}
