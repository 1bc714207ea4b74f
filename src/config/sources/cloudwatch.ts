import { z } from 'zod';
import { DurationOrZeroMs } from '../rules.js';
import { RemoteCallOptions } from './remote.js';

const Id = z.string().min(1);

/** API Gateway: REST APIs are named by ApiName, HTTP APIs by ApiId; both by Stage. */
const ApiGateway = z.union([
  z.strictObject({ ApiName: Id, Stage: Id }),
  z.strictObject({ ApiId: Id, Stage: Id }),
]);
/** RDS: one instance, or an Aurora cluster. */
const Rds = z.union([z.strictObject({ DBInstanceIdentifier: Id }), z.strictObject({ DBClusterIdentifier: Id })]);
/** ElastiCache: a cache cluster (for Redis, one node such as "shop-001"), optionally one node of it. */
const ElastiCache = z.strictObject({ CacheClusterId: Id, CacheNodeId: Id.optional() });
/** EC2 instances (CPU averaged over those with data), or an ECS service. */
const Ec2 = z.strictObject({ InstanceId: z.union([Id, z.array(Id).min(1)]) });
const Ecs = z.strictObject({ ClusterName: Id, ServiceName: Id });

/** The AWS resources behind one environment. Each part is optional; a missing part leaves its fields null. */
export const CloudWatchDimensions = z.strictObject({
  apiGateway: ApiGateway.optional(),
  rds: Rds.optional(),
  elastiCache: ElastiCache.optional(),
  ec2: Ec2.optional(),
  ecs: Ecs.optional(),
}).refine((d) => !(d.ec2 && d.ecs), { message: 'set either ec2 or ecs, not both' });
export type CloudWatchDimensions = z.output<typeof CloudWatchDimensions>;

/**
 * `dimensions` is keyed by environment name (CloudWatch has no Environment dimension):
 *
 * ```yaml
 * cloudwatch:
 *   region: eu-west-1
 *   dimensions:
 *     prod:
 *       apiGateway: { ApiName: shop, Stage: prod }
 *       rds: { DBClusterIdentifier: shop-db }
 *       elastiCache: { CacheClusterId: shop-cache-001 }
 *       ecs: { ClusterName: shop, ServiceName: api }
 * ```
 * Credentials come from the standard AWS chain (environment, profile, SSO, instance role).
 */
export const CloudWatchSourceConfig = z.strictObject({
  region: z.string().default('us-east-1'),
  /** Another endpoint (a VPC endpoint, or an emulator); null for AWS's own. */
  endpoint: z.string().nullable().default(null),
  preset: z.enum(['aws']).default('aws'),
  dimensions: z.record(z.string(), CloudWatchDimensions).default({}),
  /**
   * How far back the window is moved before it is read (as cloudwatch_exporter's
   * `delay_seconds`): CloudWatch publishes a minute's datapoints one to a few minutes after it
   * ends, so the newest minutes of a window ending now read low (Count, Evictions, Deadlocks)
   * or empty. 3m covers the ~2 minutes AWS's 1-minute metrics take to appear, which all the
   * preset's metrics are (API Gateway, RDS, ElastiCache, ECS, EC2 detailed monitoring), while
   * keeping readings recent enough to alert on; cloudwatch_exporter's 10m default also covers
   * 5-minute metrics, which EC2 basic monitoring needs. "0s" reads the window as asked.
   */
  delay: DurationOrZeroMs.default(180_000),
  ...RemoteCallOptions,
});
export type CloudWatchSourceConfig = z.output<typeof CloudWatchSourceConfig>;
