import type { Server } from 'node:http';
import { CloudFrontClient, GetCachePolicyConfigCommand, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../src/optimize/apply-plan.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { rollbackChange } from '../src/optimize/rollback-change.js';
import { settleApplied } from '../src/optimize/settle-applied.js';
import { verifyApplied } from '../src/optimize/verify-applied.js';
import { createCloudFrontTarget } from '../src/optimize/targets/cloudfront.js';
import { createOptimizerPort } from '../src/server/optimizer-port.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { listen } from './support/listen.js';
import { until } from './support/until.js';
import { D, fakeCloudFront, policy } from './optimize-cloudfront-fake.js';

describe('CloudFront target against the REST-XML wire protocol', () => {
  let server: Server;
  let state: ReturnType<typeof fakeCloudFront>['state'];
  let client: CloudFrontClient;

  beforeAll(async () => {
    ({ server, state } = fakeCloudFront());
    client = new CloudFrontClient({ region: 'us-east-1', endpoint: await listen(server), credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('changes a cache-policy behaviour through its policy, never a managed one, and retries a stale ETag', async () => {
    const target = createCloudFrontTarget({ region: 'us-east-1', endpoint: null, tag: { key: 'Environment', value: 'prod' }, pollMs: 10 }, client, null);
    const { deps, progress } = testOptimizerDeps('prod', [target]);
    const plan = await planOptimizations(deps, { windowMs: 0 });
    expect(plan.proposals.map((p) => [p.resource, p.parameter, p.current, p.proposed])).toEqual([
      ['cache-policy/pol-custom', 'DefaultTTL', 0, 86_400],
      ['cache-policy/pol-custom', 'MaxTTL', 3600, 86_400],
      [`distribution/${D}/behavior//legacy/*`, 'DefaultTTL', 0, 86_400],
    ]);
    expect(plan.proposals[0]!.risk).toMatch(/^changes cache policy app-static, which affects every distribution using it \(here: E2WIRETEST \*\)/);
    expect(plan.notes.map((n) => n.message)).toContainEqual(expect.stringMatching(/AWS-managed cache policy Managed-CachingDisabled, which perfpilot never changes/));

    state.staleOnce = true;
    state.requests.length = 0;
    const result = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(result.failure).toBeNull();
    expect(state.requests.filter((r) => r.startsWith('PUT'))).toEqual([
      'PUT /cache-policy/pol-custom', `PUT /distribution/${D}/config`, `PUT /distribution/${D}/config`,
    ]);
    expect(progress).toContain(`${D}: changed by someone else meanwhile (stale ETag); re-reading and retrying`);
    // Answered once CloudFront accepted the updates: the row is deploying, and nobody asked for the status yet.
    expect(result.records.map((r) => [r.status, r.reason])).toEqual([['deploying', null]]);
    expect(state.requests.filter((r) => r === `GET /distribution/${D}`)).toEqual([]);
    const [settled] = await settleApplied(deps, result.records);
    expect(progress.filter((p) => p.startsWith(`${D}: `) && !p.includes('stale'))).toEqual([`${D}: InProgress`, `${D}: Deployed`]);
    expect(progress.at(-1)).toBe('cloudfront:Environment=prod: deployed');
    expect([settled!.status, settled!.reason]).toEqual(['applied', `${D}: Deployed`]);

    const policyNow = (await client.send(new GetCachePolicyConfigCommand({ Id: 'pol-custom' }))).CachePolicyConfig!;
    expect([policyNow.MinTTL, policyNow.DefaultTTL, policyNow.MaxTTL]).toEqual([0, 86_400, 86_400]);
    const config = (await client.send(new GetDistributionConfigCommand({ Id: D }))).DistributionConfig!;
    expect(config.DefaultCacheBehavior).toMatchObject({ CachePolicyId: 'pol-custom' });
    expect(config.DefaultCacheBehavior!.DefaultTTL).toBeUndefined();
    expect(config.CacheBehaviors!.Items!.map((b) => [b.PathPattern, b.CachePolicyId, b.DefaultTTL])).toEqual([['/legacy/*', undefined, 86_400], ['/api/*', 'pol-managed', undefined]]);
    expect(state.policies['pol-managed']!.version).toBe(1);
  });

  it('refuses TTLs outside MinTTL ≤ DefaultTTL ≤ MaxTTL without sending an update', async () => {
    const target = createCloudFrontTarget({ region: 'us-east-1', endpoint: null, tag: { key: 'Environment', value: 'prod' }, pollMs: 10 }, client, null);
    const { deps } = testOptimizerDeps('prod', [target]);
    const resource = `distribution/${D}/behavior//legacy/*`;
    const plan = {
      id: 'plan-hand', environment: 'prod', createdAt: new Date().toISOString(), windowMs: 0, baselines: {}, notes: [],
      proposals: [{ target: target.id, resource, parameter: 'DefaultTTL', current: 86_400, proposed: 40_000_000, evidence: {}, expectedEffect: '', risk: '' }],
    };
    state.requests.length = 0;
    const result = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(result.failure!.message).toBe(`${resource}: refusing MinTTL 0, DefaultTTL 40000000, MaxTTL 31536000: CloudFront needs MinTTL ≤ DefaultTTL ≤ MaxTTL`);
    expect(state.requests.filter((r) => r.startsWith('PUT'))).toEqual([]);
  });

  it('puts the cache policy back when the distribution update after it fails', async () => {
    state.policies['pol-custom'] = { xml: policy('app-static', 0, 0, 3600), version: 7 };
    const distributionBefore = state.distribution.xml;
    const target = createCloudFrontTarget({ region: 'us-east-1', endpoint: null, tag: { key: 'Environment', value: 'prod' }, pollMs: 10 }, client, null);
    const { deps, notified } = testOptimizerDeps('prod', [target]);
    // The first test left /legacy/* at a day: put a short TTL back so that both resources are proposed.
    state.distribution.xml = state.distribution.xml.replace('<DefaultTTL>86400</DefaultTTL>', '<DefaultTTL>0</DefaultTTL>');
    const plan = await planOptimizations(deps, { windowMs: 0 });
    expect([...new Set(plan.proposals.map((p) => p.resource))]).toEqual(['cache-policy/pol-custom', `distribution/${D}/behavior//legacy/*`]);
    state.denyDistribution = true;
    state.requests.length = 0;
    const result = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    state.denyDistribution = false;
    expect(result.failure!.message).toMatch(/^cloudfront:Environment=prod: update failed: User is not authorized to perform cloudfront:UpdateDistribution/);
    expect(state.requests.filter((r) => r.startsWith('PUT'))).toEqual(['PUT /cache-policy/pol-custom', `PUT /distribution/${D}/config`, 'PUT /cache-policy/pol-custom']);
    const policyNow = (await client.send(new GetCachePolicyConfigCommand({ Id: 'pol-custom' }))).CachePolicyConfig!;
    expect([policyNow.MinTTL, policyNow.DefaultTTL, policyNow.MaxTTL]).toEqual([0, 0, 3600]);
    expect(state.policies['pol-custom']!.version).toBe(9);
    expect(state.distribution.xml).toBe(distributionBefore.replace('<DefaultTTL>86400</DefaultTTL>', '<DefaultTTL>0</DefaultTTL>'));
    expect(result.records.map((r) => [r.status, r.reason])).toEqual([['failed', expect.stringMatching(/^failed: .*not authorized/)]]);
    expect(notified.map((n) => [n.name, n.severity])).toEqual([['optimization_restored', 'medium']]);
  });
  it('leaves a change rolled back while it deploys unverified, and follows the rollback to Deployed', async () => {
    state.deployMs = 300;
    const target = createCloudFrontTarget({ region: 'us-east-1', endpoint: null, tag: { key: 'Environment', value: 'prod' }, pollMs: 50 }, client, null);
    const { deps } = testOptimizerDeps('prod', [target]);
    const resource = `distribution/${D}/behavior//legacy/*`;
    const plan = {
      id: 'plan-hand', environment: 'prod', createdAt: new Date().toISOString(), windowMs: 0, baselines: {}, notes: [],
      proposals: [{ target: target.id, resource, parameter: 'DefaultTTL', current: 0, proposed: 3600, evidence: {}, expectedEffect: '', risk: '' }],
    };
    const applied = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(applied.records.map((r) => r.status)).toEqual(['deploying']);
    const following = settleApplied(deps, applied.records);
    const back = await rollbackChange(deps, applied.records[0]!.id, { by: 'test', reason: 'by hand' });
    expect(back.status).toBe('deploying');
    const [rollback] = await settleApplied(deps, [back]);
    const [original] = await following;
    expect([original!.status, original!.reason]).toEqual(['rolled_back', 'by hand']);
    expect([rollback!.status, rollback!.reason]).toEqual(['applied', `by hand; ${D}: Deployed`]);
    const [afterVerify] = await verifyApplied(deps, [original!]);
    expect([afterVerify!.status, afterVerify!.verification]).toEqual(['rolled_back', null]);
    const config = (await client.send(new GetDistributionConfigCommand({ Id: D }))).DistributionConfig!;
    expect(config.CacheBehaviors!.Items!.find((b) => b.PathPattern === '/legacy/*')!.DefaultTTL).toBe(0);
    state.deployMs = null;
  });
  it('follows a deployment left in flight by a stopped perfpilot to Deployed when the next one starts, then verifies the change', async () => {
    state.deployMs = 300;
    const target = createCloudFrontTarget({ region: 'us-east-1', endpoint: null, tag: { key: 'Environment', value: 'prod' }, pollMs: 50 }, client, null);
    const { deps } = testOptimizerDeps('prod', [target]);
    const plan = {
      id: 'plan-hand', environment: 'prod', createdAt: new Date().toISOString(), windowMs: 0, baselines: {}, notes: [],
      proposals: [{ target: target.id, resource: `distribution/${D}/behavior//legacy/*`, parameter: 'DefaultTTL', current: 0, proposed: 3600, evidence: {}, expectedEffect: '', risk: '' }],
    };
    const [applied] = (await applyPlan(deps, plan, { confirm: true, by: 'test' })).records;
    expect(applied!.status).toBe('deploying');
    // The perfpilot that applied it stopped before following it; the next one (its port) picks the row up.
    createOptimizerPort(deps);
    await until(async () => (await deps.audit.getOptimization(applied!.id))!.verification !== null, { timeoutMs: 10_000, message: 'the deployment in flight was not followed' });
    const row = (await deps.audit.getOptimization(applied!.id))!;
    expect([row.status, row.reason, row.verification!.reason]).toEqual(['applied', `${D}: Deployed`, 'no readings to compare']);
    state.deployMs = null;
  });
});
