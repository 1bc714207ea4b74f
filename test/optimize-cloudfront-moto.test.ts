import type { ChildProcess } from 'node:child_process';
import {
  CloudFrontClient, CreateDistributionWithTagsCommand, GetDistributionConfigCommand, type DistributionConfig,
} from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../src/optimize/apply-plan.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { rollbackChange } from '../src/optimize/rollback-change.js';
import { createCloudFrontTarget } from '../src/optimize/targets/cloudfront.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { freePort } from './support/ports.js';
import { startProgram } from './support/program.js';
import { missingProgram } from './support/require.js';

function distribution(ref: string, defaultTtl: number, maxTtl: number): DistributionConfig {
  return {
    CallerReference: ref, Comment: `site ${ref}`, Enabled: true,
    Origins: { Quantity: 1, Items: [{ Id: 'origin', DomainName: `${ref}.origin.example.com`, CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' } }] },
    DefaultCacheBehavior: {
      TargetOriginId: 'origin', ViewerProtocolPolicy: 'redirect-to-https', MinTTL: 0, DefaultTTL: defaultTtl, MaxTTL: maxTtl,
      ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } },
    },
  };
}

describe.skipIf(missingProgram('moto_server') !== null)('CloudFront target against moto_server', () => {
  let moto: ChildProcess;
  let client: CloudFrontClient;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    const port = await freePort();
    moto = await startProgram('moto_server', ['-p', String(port)], port, { timeoutMs: 30_000 });
    client = new CloudFrontClient({ region: 'us-east-1', endpoint: `http://127.0.0.1:${port}`, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
    for (const [name, env, ttl, max] of [['prodA', 'prod', 0, 600], ['prodB', 'prod', 60, 31_536_000], ['staging', 'staging', 0, 600]] as const) {
      const r = await client.send(new CreateDistributionWithTagsCommand({ DistributionConfigWithTags: {
        DistributionConfig: distribution(name, ttl, max), Tags: { Items: [{ Key: 'Environment', Value: env }, { Key: 'team', Value: 'web' }] },
      } }));
      ids[name] = r.Distribution!.Id!;
    }
  });
  afterAll(() => {
    moto?.kill('SIGKILL');
  });

  const config = async (id: string) => (await client.send(new GetDistributionConfigCommand({ Id: id }))).DistributionConfig!;

  it('changes only the tagged environment, keeps the rest of each config, and rolls back exactly', async () => {
    const target = createCloudFrontTarget({ region: 'us-east-1', endpoint: null, tag: { key: 'Environment', value: 'prod' }, pollMs: 10 }, client);
    const { deps, notified, progress } = testOptimizerDeps('prod', [target]);
    const before = { prodA: await config(ids.prodA!), prodB: await config(ids.prodB!), staging: await config(ids.staging!) };

    const plan = await planOptimizations(deps, { windowMs: 0 });
    const summary = plan.proposals.map((p) => [p.resource, p.parameter, p.current, p.proposed]);
    expect(summary).toEqual([
      [`distribution/${ids.prodA}/behavior/*`, 'DefaultTTL', 0, 86_400],
      [`distribution/${ids.prodA}/behavior/*`, 'MaxTTL', 600, 86_400],
      [`distribution/${ids.prodB}/behavior/*`, 'DefaultTTL', 60, 86_400],
    ]);

    const result = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(result.failure).toBeNull();
    expect(result.records.map((r) => r.target)).toEqual(['cloudfront:Environment=prod']);
    expect(progress).toContain(`${ids.prodA}: Deployed`);
    expect(notified).toHaveLength(1);

    const after = { prodA: await config(ids.prodA!), prodB: await config(ids.prodB!), staging: await config(ids.staging!) };
    expect(after.staging).toEqual(before.staging);
    expect(after.prodA).toEqual({ ...before.prodA, DefaultCacheBehavior: { ...before.prodA.DefaultCacheBehavior, DefaultTTL: 86_400, MaxTTL: 86_400 } });
    expect(after.prodB).toEqual({ ...before.prodB, DefaultCacheBehavior: { ...before.prodB.DefaultCacheBehavior, DefaultTTL: 86_400 } });

    await rollbackChange(deps, result.records[0]!.id, { by: 'test', reason: 'by hand' });
    expect(await config(ids.prodA!)).toEqual(before.prodA);
    expect(await config(ids.prodB!)).toEqual(before.prodB);
    expect(await config(ids.staging!)).toEqual(before.staging);
  });
});
