import type { LoadedConfigValues } from '../../config/load.js';

/** One metric the preset asks for. `id` is how its result is found again (never by position). */
export interface PlannedQuery {
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: readonly { readonly Name: string; readonly Value: string }[];
  /** "Sum", "Average" or an extended statistic such as "p99". */
  readonly stat: string;
  /** `window`: one datapoint over the whole window; `latest`: the newest datapoint (gauges). */
  readonly period: 'window' | 'latest';
}

/** One environment's resources, as configured under `dimensions`. */
export type EnvironmentDimensions = NonNullable<LoadedConfigValues['sources']['cloudwatch']>['dimensions'][string];

type Dims = Readonly<Record<string, string | undefined>>;

function dims(d: Dims): PlannedQuery['dimensions'] {
  return Object.entries(d).flatMap(([Name, Value]) => (Value === undefined ? [] : [{ Name, Value }]));
}

/**
 * The AWS preset: which CloudWatch metric fills which field, for one environment's resources.
 *
 * - API Gateway (`AWS/ApiGateway`): `Latency` p50/p90/p99 (ms) and `Count` Sum. The error rate is
 *   `5XXError` Average for REST APIs, which AWS documents as errors ÷ requests; for HTTP APIs,
 *   whose `5xx` is documented only as a number of errors, it is `5xx` Sum ÷ `Count` Sum.
 * - RDS/Aurora (`AWS/RDS`): `DatabaseConnections` (newest minute), `Deadlocks` (a per-second
 *   rate; Average × window seconds gives the count).
 * - ElastiCache (`AWS/ElastiCache`): `CacheHits`/`CacheMisses`/`Evictions` Sums over the window;
 *   `BytesUsedForCache` and `DatabaseMemoryUsagePercentage` (newest minute).
 * - EC2 (`AWS/EC2`) or ECS (`AWS/ECS`): `CPUUtilization` Average over the window.
 */
export function planQueries(d: EnvironmentDimensions): PlannedQuery[] {
  const plan: PlannedQuery[] = [];
  const add = (id: string, namespace: string, metricName: string, on: Dims, stat: string, period: PlannedQuery['period']) =>
    plan.push({ id, namespace, metricName, dimensions: dims(on), stat, period });
  if (d.apiGateway) {
    const api = d.apiGateway;
    const isHttpApi = 'ApiId' in api;
    for (const p of ['p50', 'p90', 'p99']) add(`api_${p}`, 'AWS/ApiGateway', 'Latency', api, p, 'window');
    add('api_errors', 'AWS/ApiGateway', isHttpApi ? '5xx' : '5XXError', api, isHttpApi ? 'Sum' : 'Average', 'window');
    add('api_count', 'AWS/ApiGateway', 'Count', api, 'Sum', 'window');
  }
  if (d.rds) {
    add('db_connections', 'AWS/RDS', 'DatabaseConnections', d.rds, 'Average', 'latest');
    add('db_deadlocks', 'AWS/RDS', 'Deadlocks', d.rds, 'Average', 'window');
  }
  if (d.elastiCache) {
    const c = d.elastiCache;
    add('cache_hits', 'AWS/ElastiCache', 'CacheHits', c, 'Sum', 'window');
    add('cache_misses', 'AWS/ElastiCache', 'CacheMisses', c, 'Sum', 'window');
    add('cache_evictions', 'AWS/ElastiCache', 'Evictions', c, 'Sum', 'window');
    add('cache_bytes', 'AWS/ElastiCache', 'BytesUsedForCache', c, 'Average', 'latest');
    add('cache_memory_pct', 'AWS/ElastiCache', 'DatabaseMemoryUsagePercentage', c, 'Average', 'latest');
  }
  if (d.ec2) {
    const ids = typeof d.ec2.InstanceId === 'string' ? [d.ec2.InstanceId] : d.ec2.InstanceId;
    ids.forEach((InstanceId, i) => add(`cpu_${i}`, 'AWS/EC2', 'CPUUtilization', { InstanceId }, 'Average', 'window'));
  }
  if (d.ecs) add('cpu_0', 'AWS/ECS', 'CPUUtilization', d.ecs, 'Average', 'window');
  return plan;
}
