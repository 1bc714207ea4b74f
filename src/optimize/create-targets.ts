import type { OptimizeConfig, TargetConfig } from '../config/optimize.js';
import type { CacheTarget } from './cache-target.js';
import { createCloudFrontTarget } from './targets/cloudfront.js';
import { createElastiCacheTarget } from './targets/elasticache.js';
import { createRedisTarget } from './targets/redis.js';

/**
 * One adapter per entry of optimize.targets, by id: the only targets the optimizer may touch.
 * CloudFront distributions are the ones tagged `Environment` = the environment unless a tag is set.
 */
export function createTargets(config: Pick<OptimizeConfig, 'sample'> & { readonly targets: readonly TargetConfig[] }, environment: string): Map<string, CacheTarget> {
  const targets = new Map<string, CacheTarget>();
  for (const t of config.targets) {
    const target = t.type === 'redis'
      ? createRedisTarget({ url: t.url, rewrite: t.rewrite, sample: { maxKeys: config.sample.maxKeys, budgetMs: config.sample.budget } })
      : t.type === 'elasticache'
        ? createElastiCacheTarget({ region: t.region, endpoint: t.endpoint, parameterGroup: t.parameterGroup, ...(t.family ? { family: t.family } : {}) })
        : createCloudFrontTarget({ region: t.region, endpoint: t.endpoint, tag: t.tag ?? { key: 'Environment', value: environment } });
    targets.set(target.id, target);
  }
  return targets;
}
