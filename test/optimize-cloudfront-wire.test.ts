import { createServer, type Server } from 'node:http';
import { CloudFrontClient, GetCachePolicyConfigCommand, GetDistributionConfigCommand } from '@aws-sdk/client-cloudfront';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlan } from '../src/optimize/apply-plan.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { createCloudFrontTarget } from '../src/optimize/targets/cloudfront.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { listen } from './support/listen.js';

/**
 * What moto lacks, answered in CloudFront's REST-XML wire format: ETag checks with
 * PreconditionFailed, cache policies, and InProgress → Deployed.
 */
const NS = 'http://cloudfront.amazonaws.com/doc/2020-05-31/';
const D = 'E2WIRETEST';
const ARN = `arn:aws:cloudfront::123456789012:distribution/${D}`;
const behavior = (inner: string) => `<TargetOriginId>o</TargetOriginId><ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>${inner}`;
const policy = (name: string, min: number, def: number, max: number) => `<CachePolicyConfig xmlns="${NS}"><Comment>c</Comment><Name>${name}</Name><DefaultTTL>${def}</DefaultTTL><MaxTTL>${max}</MaxTTL><MinTTL>${min}</MinTTL>` +
  '<ParametersInCacheKeyAndForwardedToOrigin><EnableAcceptEncodingGzip>true</EnableAcceptEncodingGzip><HeadersConfig><HeaderBehavior>none</HeaderBehavior></HeadersConfig>' +
  '<CookiesConfig><CookieBehavior>none</CookieBehavior></CookiesConfig><QueryStringsConfig><QueryStringBehavior>none</QueryStringBehavior></QueryStringsConfig></ParametersInCacheKeyAndForwardedToOrigin></CachePolicyConfig>';

interface Resource { xml: string; version: number }

function fakeCloudFront() {
  const state = {
    distribution: { xml: `<DistributionConfig xmlns="${NS}"><CallerReference>wire</CallerReference><Comment>app</Comment><Enabled>true</Enabled>` +
      '<Origins><Quantity>1</Quantity><Items><Origin><Id>o</Id><DomainName>o.example.com</DomainName></Origin></Items></Origins>' +
      `<DefaultCacheBehavior>${behavior('<CachePolicyId>pol-custom</CachePolicyId>')}</DefaultCacheBehavior>` +
      '<CacheBehaviors><Quantity>2</Quantity><Items>' +
      `<CacheBehavior><PathPattern>/legacy/*</PathPattern>${behavior('<ForwardedValues><QueryString>false</QueryString><Cookies><Forward>none</Forward></Cookies></ForwardedValues><MinTTL>0</MinTTL><DefaultTTL>0</DefaultTTL><MaxTTL>31536000</MaxTTL>')}</CacheBehavior>` +
      `<CacheBehavior><PathPattern>/api/*</PathPattern>${behavior('<CachePolicyId>pol-managed</CachePolicyId>')}</CacheBehavior>` +
      '</Items></CacheBehaviors></DistributionConfig>', version: 1 } as Resource,
    policies: { 'pol-custom': { xml: policy('app-static', 0, 0, 3600), version: 1 }, 'pol-managed': { xml: policy('Managed-CachingDisabled', 0, 0, 0), version: 1 } } as Record<string, Resource>,
    /** The next PUT of the distribution finds it changed by someone else first. */
    staleOnce: false,
    /** PUTs of the distribution are denied. */
    denyDistribution: false,
    statusReads: 0,
    requests: [] as string[],
  };
  const strip = (xml: string) => xml.replace(/^<\?xml[^>]*\?>/, '');
  const error = (code: string, message: string) => `<?xml version="1.0"?><ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://x');
      const path = url.pathname.replace('/2020-05-31', '');
      state.requests.push(`${req.method} ${path}`);
      const send = (status: number, xml: string, etag?: string) => {
        res.writeHead(status, { 'content-type': 'text/xml', ...(etag ? { etag } : {}) });
        res.end(xml);
      };
      const put = (r: Resource, wrap: (xml: string) => string) => {
        if (path.startsWith('/distribution/') && state.denyDistribution) return send(403, error('AccessDenied', 'User is not authorized to perform cloudfront:UpdateDistribution.'));
        if (path.startsWith('/distribution/') && state.staleOnce) { state.staleOnce = false; r.version++; }
        if (req.headers['if-match'] !== `E${r.version}`) return send(412, error('PreconditionFailed', 'The If-Match version is missing or not valid for the resource.'));
        r.xml = strip(body);
        r.version++;
        state.statusReads = 0;
        return send(200, wrap(r.xml), `E${r.version}`);
      };
      const summary = `<Id>${D}</Id><ARN>${ARN}</ARN><Status>${state.statusReads++ === 0 ? 'InProgress' : 'Deployed'}</Status><DomainName>d.cloudfront.net</DomainName>`;
      let m: RegExpExecArray | null;
      if (req.method === 'GET' && path === '/distribution') {
        return send(200, `<DistributionList xmlns="${NS}"><Marker></Marker><MaxItems>100</MaxItems><IsTruncated>false</IsTruncated><Quantity>1</Quantity><Items><DistributionSummary><Id>${D}</Id><ARN>${ARN}</ARN><Status>Deployed</Status></DistributionSummary></Items></DistributionList>`);
      }
      if (req.method === 'GET' && path === '/tagging') {
        return send(200, `<Tags xmlns="${NS}"><Items><Tag><Key>Environment</Key><Value>prod</Value></Tag></Items></Tags>`);
      }
      if (req.method === 'GET' && path === `/distribution/${D}/config`) return send(200, state.distribution.xml, `E${state.distribution.version}`);
      if (req.method === 'PUT' && path === `/distribution/${D}/config`) return put(state.distribution, (xml) => `<Distribution xmlns="${NS}">${summary}${xml}</Distribution>`);
      if (req.method === 'GET' && path === `/distribution/${D}`) return send(200, `<Distribution xmlns="${NS}">${summary}${state.distribution.xml}</Distribution>`, `E${state.distribution.version}`);
      if ((m = /^\/cache-policy\/([^/]+)\/config$/.exec(path)) && req.method === 'GET' && state.policies[m[1]!]) {
        return send(200, state.policies[m[1]!]!.xml, `E${state.policies[m[1]!]!.version}`);
      }
      if ((m = /^\/cache-policy\/([^/]+)$/.exec(path)) && req.method === 'PUT' && state.policies[m[1]!]) {
        const id = m[1]!;
        return put(state.policies[id]!, (xml) => `<CachePolicy xmlns="${NS}"><Id>${id}</Id><LastModifiedTime>2026-11-27T01:00:00Z</LastModifiedTime>${xml}</CachePolicy>`);
      }
      return send(404, error('NoSuchResource', `no ${req.method} ${path}`));
    });
  });
  return { server, state };
}

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
    expect(progress.filter((p) => p.startsWith(`${D}: `) && !p.includes('stale'))).toEqual([`${D}: InProgress`, `${D}: Deployed`]);

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
});
