import type { ChildProcess } from 'node:child_process';
import {
  CloudFrontClient, CreateDistributionWithTagsCommand, GetDistributionConfigCommand, type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { CloudWatchClient, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../src/optimize/apply-plan.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { rollbackChange } from '../src/optimize/rollback-change.js';
import { settleApplied } from '../src/optimize/settle-applied.js';
import { createCloudFrontTarget } from '../src/optimize/targets/cloudfront.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { freePort } from './support/ports.js';
import { startProgram } from './support/program.js';
import { missingProgram } from './support/require.js';

function distribution(ref: string, defaultTtl: number, maxTtl: number, queryString = false): DistributionConfig {
  return {
    CallerReference: ref, Comment: `site ${ref}`, Enabled: true,
    Origins: { Quantity: 1, Items: [{ Id: 'origin', DomainName: `${ref}.origin.example.com`, CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }] },
    DefaultCacheBehavior: {
      TargetOriginId: 'origin', ViewerProtocolPolicy: 'redirect-to-https', MinTTL: 0, DefaultTTL: defaultTtl, MaxTTL: maxTtl,
      ForwardedValues: { QueryString: queryString, Cookies: { Forward: 'none' } },
    },
  };
}

describe.skipIf(missingProgram('moto_server') !== null)('CloudFront target against moto_server', () => {
  let moto: ChildProcess;
  let client: CloudFrontClient;
  let cloudwatch: CloudWatchClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const port = await freePort();
    moto = await startProgram('moto_server', ['-p', String(port)], port, { timeoutMs: 30_000 });
    const endpoint = `http://127.0.0.1:${port}`;
    client = new CloudFrontClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    cloudwatch = new CloudWatchClient({ region: 'us-east-1', endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    for (const [name, env, ttl, max, qs] of [['prodA', 'prod', 0, 600, false], ['prodB', 'prod', 60, 31_536_000, true], ['staging', 'staging', 0, 600, true]] as const) {
      const r = await client.send(new CreateDistributionWithTagsCommand({ DistributionConfigWithTags: {
        DistributionConfig: distribution(name, ttl, max, qs), Tags: { Items: [{ Key: 'Environment', Value: env }, { Key: 'team', Value: 'web' }] },
      } }));
      ids[name] = r.Distribution!.Id!;
    }
  });
  afterAll(() => {
    moto?.kill('SIGKILL');
  });
  const newTarget = () => createCloudFrontTarget({ region: 'us-east-1', endpoint: null, tag: { key: 'Environment', value: 'prod' }, pollMs: 10 }, client, cloudwatch);

  const config = async (id: string) => (await client.send(new GetDistributionConfigCommand({ Id: id }))).DistributionConfig!;

  it('changes only the tagged environment, keeps the rest of each config, and rolls back exactly', async () => {
    const target = newTarget();
    const { deps, notified, progress } = testOptimizerDeps('prod', [target]);
    const before = { prodA: await config(ids.prodA!), prodB: await config(ids.prodB!), staging: await config(ids.staging!) };

    const plan = await planOptimizations(deps, { windowMs: 0 });
    const summary = plan.proposals.map((p) => [p.resource, p.parameter, p.current, p.proposed]);
    expect(summary).toEqual([
      [`distribution/${ids.prodA}/behavior/*`, 'DefaultTTL', 0, 86_400],
      [`distribution/${ids.prodA}/behavior/*`, 'MaxTTL', 600, 86_400],
      [`distribution/${ids.prodB}/behavior/*`, 'DefaultTTL', 60, 86_400],
    ]);
    // No CacheHitRate in CloudWatch yet (CloudFront's additional metrics off): query strings are left alone, and the plan says why.
    expect(plan.baselines[target.id]!.hitRate).toBeNull();
    expect(plan.notes).toContainEqual({ target: target.id, message: expect.stringMatching(/^the CDN hit rate is unknown: CloudWatch has no CacheHitRate .*; query strings stay in the cache key$/) });

    const result = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(result.failure).toBeNull();
    expect(result.records.map((r) => [r.target, r.status])).toEqual([['cloudfront:Environment=prod', 'deploying']]);
    const [settled] = await settleApplied(deps, result.records);
    expect(progress).toContain(`${ids.prodA}: Deployed`);
    expect(settled!.status).toBe('applied');
    expect(settled!.reason).toContain(`${ids.prodB}: Deployed`);
    expect(notified).toHaveLength(1);

    const after = { prodA: await config(ids.prodA!), prodB: await config(ids.prodB!), staging: await config(ids.staging!) };
    expect(after.staging).toEqual(before.staging);
    expect(after.prodA).toEqual({ ...before.prodA, DefaultCacheBehavior: { ...before.prodA.DefaultCacheBehavior, DefaultTTL: 86_400, MaxTTL: 86_400 } });
    expect(after.prodB).toEqual({ ...before.prodB, DefaultCacheBehavior: { ...before.prodB.DefaultCacheBehavior, DefaultTTL: 86_400 } });

    const rollback = await rollbackChange(deps, result.records[0]!.id, { by: 'test', reason: 'by hand' });
    const [rolledBack] = await settleApplied(deps, [rollback]);
    expect([rollback.status, rolledBack!.status, rolledBack!.reason]).toEqual(['deploying', 'applied', expect.stringMatching(/^by hand; /)]);
    expect(await config(ids.prodA!)).toEqual(before.prodA);
    expect(await config(ids.prodB!)).toEqual(before.prodB);
    expect(await config(ids.staging!)).toEqual(before.staging);
  });

  it('drops query strings from the cache key when CloudWatch shows a low hit rate for the tagged distributions', async () => {
    const atMs = Date.now() - 120_000;
    const put = (distribution: string, hitPct: number, requests: number) => cloudwatch.send(new PutMetricDataCommand({
      Namespace: 'AWS/CloudFront',
      MetricData: [['CacheHitRate', hitPct], ['Requests', requests]].map(([name, value]) => ({
        MetricName: name as string, Value: value as number, Timestamp: new Date(atMs),
        Dimensions: [{ Name: 'DistributionId', Value: distribution }, { Name: 'Region', Value: 'Global' }],
      })),
    }));
    await put(ids.prodA!, 90, 3000);
    await put(ids.prodB!, 40, 1000);
    // Another environment's distribution must not weigh in: it would pull the rate to ~0.
    await put(ids.staging!, 0, 1_000_000);

    const target = newTarget();
    const { deps } = testOptimizerDeps('prod', [target]);
    const before = { prodA: await config(ids.prodA!), prodB: await config(ids.prodB!), staging: await config(ids.staging!) };
    const plan = await planOptimizations(deps, { windowMs: 0 });
    const expected = (0.9 * 3000 + 0.4 * 1000) / 4000;
    expect(plan.baselines[target.id]!.hitRate).toBeCloseTo(expected, 6);
    const qs = plan.proposals.filter((p) => p.parameter === 'QueryString');
    expect(qs.map((p) => [p.resource, p.current, p.proposed])).toEqual([[`distribution/${ids.prodB}/behavior/*`, 1, 0]]);
    expect(qs[0]!.evidence.cdnHitRate).toBeCloseTo(expected, 6);
    expect(qs[0]!.risk).toMatch(/if the origin's response depends on a query string, users get the wrong content/);

    const result = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(result.failure).toBeNull();
    const prodB = before.prodB.DefaultCacheBehavior!;
    expect(await config(ids.prodB!)).toEqual({ ...before.prodB, DefaultCacheBehavior: { ...prodB, DefaultTTL: 86_400, ForwardedValues: { ...prodB.ForwardedValues!, QueryString: false } } });
    expect(await config(ids.staging!)).toEqual(before.staging);
  });
});
