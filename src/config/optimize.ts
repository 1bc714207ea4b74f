import { z } from 'zod';
import { DurationMs, urlWith } from './duration.js';

const Endpoint = urlWith('http', 'https').nullable().default(null);

/** A self-hosted Redis: CONFIG GET/SET, and CONFIG REWRITE only when `rewrite` is set. */
export const RedisTargetConfig = z.strictObject({
  type: z.literal('redis'),
  url: urlWith('redis', 'rediss'),
  rewrite: z.boolean().default(false),
});

/** An ElastiCache custom parameter group (Redis OSS or Valkey). */
export const ElastiCacheTargetConfig = z.strictObject({
  type: z.literal('elasticache'),
  region: z.string().min(1),
  endpoint: Endpoint,
  parameterGroup: z.string().min(1),
  family: z.string().regex(/^(redis|valkey)\d/, 'expected a Redis OSS or Valkey family such as "redis7" or "valkey8"').optional(),
});

/** The CloudFront distributions carrying the tag (by default `Environment` = the environment). */
export const CloudFrontTargetConfig = z.strictObject({
  type: z.literal('cloudfront'),
  region: z.string().default('us-east-1'),
  endpoint: Endpoint,
  tag: z.strictObject({ key: z.string().min(1), value: z.string().min(1) }).optional(),
});

export const TargetConfig = z.discriminatedUnion('type', [RedisTargetConfig, ElastiCacheTargetConfig, CloudFrontTargetConfig]);
export type TargetConfig = z.output<typeof TargetConfig>;

/** What counts as a regression when a change is verified. */
export const RegressionConfig = z.strictObject({
  /** The hit rate may fall by at most this much (absolute, 0–1). */
  hitRateDrop: z.number().min(0).max(1).default(0.02),
  /** p99 may grow by at most this fraction of its value before the change. */
  p99Increase: z.number().min(0).default(0.2),
});

/** `optimize:`. The only targets the optimizer may ever touch are listed here. */
export const OptimizeConfig = z.strictObject({
  targets: z.array(TargetConfig).default([]),
  /** At most one change per target within this period. */
  cooldown: DurationMs.default(3_600_000),
  /** How long to watch after a change before comparing. */
  verifyWindow: DurationMs.default(600_000),
  regression: RegressionConfig.prefault({}),
  /** Bounds on the keyspace sample a Redis plan takes. */
  sample: z.strictObject({
    maxKeys: z.number().int().positive().default(1000),
    budget: DurationMs.default(500),
  }).prefault({}),
});
export type OptimizeConfig = z.output<typeof OptimizeConfig>;
