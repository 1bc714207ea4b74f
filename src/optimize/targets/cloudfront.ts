import {
  CloudFrontClient, GetCachePolicyConfigCommand, GetDistributionCommand, GetDistributionConfigCommand, ListDistributionsCommand,
  ListTagsForResourceCommand, UpdateCachePolicyCommand, UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { PerfpilotError } from '../../errors.js';
import { targetCall } from './target-call.js';
import type { CacheTarget, InspectOptions, Progress } from '../cache-target.js';
import { cdnHitRate, type CloudWatchSend } from './cloudfront-hit-rate.js';
import { cachePolicyResource, type CachePolicyFacts, type CdnBehavior } from '../plan-cloudfront.js';
import type { Setting, SettingChange, SettingValue } from '../proposal.js';
import { sleep } from '../../util/sleep.js';
import {
  allBehaviors, checkTtls, findBehavior, isManaged, legacyTtls, legacyValue, parseResource, patternOf, policyTtls, policyValue, setLegacy, setPolicy,
} from './cloudfront-settings.js';

/** The one method of the SDK client this target calls. */
export interface CloudFrontSend {
  send: CloudFrontClient['send'];
}

export interface CloudFrontTargetOptions {
  readonly region: string;
  readonly endpoint: string | null;
  /** The tag that marks the environment's distributions. */
  readonly tag: { readonly key: string; readonly value: string };
  /** How long `settle` follows a distribution until it is Deployed (default 20 min); the change stands either way. */
  readonly deployTimeoutMs?: number;
  readonly pollMs?: number;
}

const ETAG_ATTEMPTS = 5;
const DEPLOY_TIMEOUT_MS = 20 * 60_000;
/** CloudFront's CloudWatch metrics are per minute and arrive minutes late: a plan reads at least the last hour. */
const HIT_RATE_LOOKBACK_MS = 3_600_000;

/**
 * The environment's CloudFront distributions: found with ListDistributions and
 * ListTagsForResource, changed with GetDistributionConfig + UpdateDistribution (IfMatch, with
 * a re-read on PreconditionFailed), or through the cache policy a behaviour uses. The hit rate
 * comes from CloudWatch (`cloudwatch` null: not asked, the hit rate is unknown).
 */
export function createCloudFrontTarget(
  options: CloudFrontTargetOptions,
  client: CloudFrontSend = new CloudFrontClient({ region: options.region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) }),
  // CloudFront publishes its metrics in us-east-1 whatever the distribution serves.
  cloudwatch: CloudWatchSend | null = new CloudWatchClient({ region: 'us-east-1', ...(options.endpoint ? { endpoint: options.endpoint } : {}) }),
): CacheTarget {
  const id = `cloudfront:${options.tag.key}=${options.tag.value}`;
  const wrap = targetCall(id);

  async function distributions(): Promise<string[]> {
    const ids: string[] = [];
    let marker: string | undefined;
    do {
      const page = (await client.send(new ListDistributionsCommand({ Marker: marker }))).DistributionList;
      for (const d of page?.Items ?? []) {
        const tags = (await client.send(new ListTagsForResourceCommand({ Resource: d.ARN! }))).Tags?.Items ?? [];
        if (tags.some((t) => t.Key === options.tag.key && t.Value === options.tag.value)) ids.push(d.Id!);
      }
      marker = page?.IsTruncated ? page.NextMarker : undefined;
    } while (marker);
    return ids;
  }

  async function policyFacts(policyId: string): Promise<CachePolicyFacts> {
    const c = (await client.send(new GetCachePolicyConfigCommand({ Id: policyId }))).CachePolicyConfig!;
    return {
      id: policyId, name: c.Name!, managed: isManaged(c),
      ttl: policyTtls(c),
      queryStringBehavior: c.ParametersInCacheKeyAndForwardedToOrigin?.QueryStringsConfig?.QueryStringBehavior ?? 'none',
    };
  }

  async function distributionUpdate(distributionId: string, changes: readonly SettingChange[], progress: Progress): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { DistributionConfig: config, ETag } = await client.send(new GetDistributionConfigCommand({ Id: distributionId }));
      for (const c of changes) setLegacy(findBehavior(config!, c.resource), c.parameter, c.after);
      for (const c of changes) checkTtls(c.resource, legacyTtls(findBehavior(config!, c.resource)));
      try {
        await client.send(new UpdateDistributionCommand({ Id: distributionId, IfMatch: ETag, DistributionConfig: config }));
        return;
      } catch (err) {
        if ((err as Error).name !== 'PreconditionFailed' || attempt >= ETAG_ATTEMPTS) throw err;
        progress(`${distributionId}: changed by someone else meanwhile (stale ETag); re-reading and retrying`);
      }
    }
  }

  /** Reports the distribution's status each time it changes until Deployed; false when the deadline came first. */
  async function waitDeployed(distributionId: string, deadlineMs: number, progress: Progress, signal?: AbortSignal): Promise<boolean> {
    let last = '';
    for (;;) {
      const status = (await client.send(new GetDistributionCommand({ Id: distributionId }), { abortSignal: signal })).Distribution?.Status ?? 'unknown';
      if (status !== last) progress(`${distributionId}: ${status}`);
      last = status;
      if (status === 'Deployed') return true;
      if (Date.now() > deadlineMs) {
        progress(`${distributionId}: still ${status} after ${Math.round((options.deployTimeoutMs ?? DEPLOY_TIMEOUT_MS) / 60_000)} min; the change is accepted and keeps deploying`);
        return false;
      }
      await sleep(options.pollMs ?? 10_000, signal);
    }
  }

  async function policyUpdate(policyId: string, changes: readonly SettingChange[], progress: Progress): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const { CachePolicyConfig: config, ETag } = await client.send(new GetCachePolicyConfigCommand({ Id: policyId }));
      if (isManaged(config!)) throw new PerfpilotError(`${config!.Name} is an AWS-managed cache policy; perfpilot never changes it`, { exitCode: 65, httpStatus: 409 });
      for (const c of changes) setPolicy(config!, c.parameter, c.after);
      checkTtls(cachePolicyResource(policyId), policyTtls(config!));
      try {
        await client.send(new UpdateCachePolicyCommand({ Id: policyId, IfMatch: ETag, CachePolicyConfig: config }));
        progress(`cache policy ${config!.Name} updated; every distribution using it redeploys`);
        return;
      } catch (err) {
        if ((err as Error).name !== 'PreconditionFailed' || attempt >= ETAG_ATTEMPTS) throw err;
        progress(`cache policy ${config!.Name}: stale ETag; re-reading and retrying`);
      }
    }
  }

  return {
    id,
    type: 'cloudfront',
    inspect: (o: InspectOptions) => wrap('inspect', async () => {
      const ids = await distributions();
      const endMs = Date.now();
      const cdn = cloudwatch
        ? await cdnHitRate(cloudwatch, ids, endMs - Math.max(o.windowMs, HIT_RATE_LOOKBACK_MS), endMs, endMs)
        : { hitRate: null, note: null };
      const behaviors: CdnBehavior[] = [];
      const policies = new Map<string, CachePolicyFacts>();
      for (const distributionId of ids) {
        const config = (await client.send(new GetDistributionConfigCommand({ Id: distributionId }))).DistributionConfig!;
        for (const b of allBehaviors(config)) {
          const pathPattern = patternOf(b);
          if (b.CachePolicyId) {
            if (!policies.has(b.CachePolicyId)) policies.set(b.CachePolicyId, await policyFacts(b.CachePolicyId));
            behaviors.push({ distributionId, pathPattern, legacy: null, cachePolicy: policies.get(b.CachePolicyId)! });
          } else {
            behaviors.push({ distributionId, pathPattern, legacy: { ttl: legacyTtls(b), queryString: b.ForwardedValues?.QueryString ?? false }, cachePolicy: null });
          }
        }
      }
      return { type: 'cloudfront' as const, target: id, distributionIds: ids, behaviors, hitRate: cdn.hitRate, hitRateNote: cdn.note };
    }),
    read: (settings: readonly Setting[]) => wrap('read', () => Promise.all(settings.map(async (s): Promise<SettingValue | null> => {
      const r = parseResource(s.resource);
      if (r.kind === 'policy') {
        const c = (await client.send(new GetCachePolicyConfigCommand({ Id: r.id }))).CachePolicyConfig!;
        return policyValue(c, s.parameter);
      }
      const config = (await client.send(new GetDistributionConfigCommand({ Id: r.id }))).DistributionConfig!;
      return legacyValue(findBehavior(config, s.resource), s.parameter);
    }))),
    write: (changes, progress) => wrap('update', async () => {
      const r = parseResource(changes[0]!.resource);
      if (r.kind === 'policy') await policyUpdate(r.id, changes, progress);
      else await distributionUpdate(r.id, changes, progress);
    }),
    // A changed distribution redeploys; a changed cache policy redeploys every distribution
    // using it, of which perfpilot follows the environment's.
    settle: (changes, progress, signal) => wrap('follow the deployment', async () => {
      const ids = new Set<string>();
      for (const c of changes) {
        const r = parseResource(c.resource);
        if (r.kind === 'policy') for (const d of await distributions()) ids.add(d);
        else ids.add(r.id);
      }
      const deadlineMs = Date.now() + (options.deployTimeoutMs ?? DEPLOY_TIMEOUT_MS);
      const deployed = await Promise.all([...ids].map((d) => waitDeployed(d, deadlineMs, progress, signal)));
      return deployed.every(Boolean);
    }),
    measureHitRate: (windowMs, signal) => wrap('measure the hit rate', async () => {
      if (!cloudwatch) return null;
      const startMs = Date.now();
      await sleep(windowMs, signal);
      const endMs = Date.now();
      return (await cdnHitRate(cloudwatch, await distributions(), startMs, endMs, endMs)).hitRate;
    }),
    async close() {},
  };
}
