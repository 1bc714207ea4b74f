import { createServer, type Server } from 'node:http';
import { ElastiCacheClient } from '@aws-sdk/client-elasticache';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { emptyMetrics } from '../src/model/empty-metrics.js';
import { applyPlan } from '../src/optimize/apply-plan.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { createElastiCacheTarget } from '../src/optimize/targets/elasticache.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { listen } from './support/listen.js';

/** ElastiCache parameter groups in the Query protocol (form-encoded POST, XML answers), which moto lacks. */
const NS = 'http://elasticache.amazonaws.com/doc/2015-02-02/';
const POLICIES = 'volatile-lru,allkeys-lru,volatile-lfu,allkeys-lfu,volatile-random,allkeys-random,volatile-ttl,noeviction';

function fakeElastiCache() {
  const groups = new Map<string, Map<string, string>>();
  for (const name of ['default.redis7', 'app-a', 'app-b']) groups.set(name, new Map([['maxmemory-policy', 'allkeys-lru'], ['maxmemory-samples', '3'], ['maxmemory', '1000000']]));
  const state = { groups, failModify: new Set<string>(), modifies: [] as string[] };
  const param = (name: string, value: string) => `<Parameter><ParameterName>${name}</ParameterName><ParameterValue>${value}</ParameterValue><Description>d</Description><Source>user</Source>` +
    `<DataType>${name === 'maxmemory-policy' ? 'string' : 'integer'}</DataType><AllowedValues>${name === 'maxmemory-policy' ? POLICIES : '1-'}</AllowedValues>` +
    `<IsModifiable>${name !== 'maxmemory'}</IsModifiable><MinimumEngineVersion>7.0.0</MinimumEngineVersion><ChangeType>immediate</ChangeType></Parameter>`;
  const error = (code: string, message: string) => `<ErrorResponse xmlns="${NS}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r1</RequestId></ErrorResponse>`;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const action = form.get('Action');
      const name = form.get('CacheParameterGroupName')!;
      const group = groups.get(name);
      const send = (status: number, xml: string) => {
        res.writeHead(status, { 'content-type': 'text/xml' });
        res.end(xml);
      };
      if (!group) return send(404, error('CacheParameterGroupNotFound', `CacheParameterGroup ${name} not found.`));
      if (action === 'DescribeCacheParameters') {
        return send(200, `<DescribeCacheParametersResponse xmlns="${NS}"><DescribeCacheParametersResult><Parameters>${[...group].map(([k, v]) => param(k, v)).join('')}</Parameters>` +
          `<CacheNodeTypeSpecificParameters/></DescribeCacheParametersResult><ResponseMetadata><RequestId>r2</RequestId></ResponseMetadata></DescribeCacheParametersResponse>`);
      }
      if (action === 'ModifyCacheParameterGroup') {
        state.modifies.push(name);
        if (name.startsWith('default.')) return send(400, error('InvalidCacheParameterGroupState', 'Default parameter groups cannot be modified.'));
        if (state.failModify.has(name)) return send(400, error('InvalidParameterValue', 'Simulated failure for the test.'));
        for (let i = 1; form.has(`ParameterNameValues.ParameterNameValue.${i}.ParameterName`); i++) {
          group.set(form.get(`ParameterNameValues.ParameterNameValue.${i}.ParameterName`)!, form.get(`ParameterNameValues.ParameterNameValue.${i}.ParameterValue`)!);
        }
        return send(200, `<ModifyCacheParameterGroupResponse xmlns="${NS}"><ModifyCacheParameterGroupResult><CacheParameterGroupName>${name}</CacheParameterGroupName></ModifyCacheParameterGroupResult><ResponseMetadata><RequestId>r3</RequestId></ResponseMetadata></ModifyCacheParameterGroupResponse>`);
      }
      return send(400, error('InvalidAction', `no ${action}`));
    });
  });
  return { server, state };
}

describe('ElastiCache target against the Query wire protocol', () => {
  let server: Server;
  let state: ReturnType<typeof fakeElastiCache>['state'];
  let client: ElastiCacheClient;

  beforeAll(async () => {
    ({ server, state } = fakeElastiCache());
    client = new ElastiCacheClient({ region: 'us-east-1', endpoint: await listen(server), credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const target = (group: string) => createElastiCacheTarget({ region: 'us-east-1', endpoint: null, parameterGroup: group, family: 'valkey8' }, client);
  /** Window readings as CloudWatch would give them: a low hit rate with many evictions. */
  const withReadings = <T extends { collect: unknown }>(deps: T) => ({
    ...deps,
    collect: async () => {
      const metrics = emptyMetrics();
      metrics.cache.hitRate = 0.55;
      metrics.cache.evictions = 5000;
      return { metrics };
    },
  });

  it('refuses a default parameter group with a message to create a custom one', async () => {
    const { deps } = testOptimizerDeps('prod', [target('default.redis7')]);
    const plan = await planOptimizations(withReadings(deps), { windowMs: 0 });
    expect(plan.proposals).toEqual([]);
    expect(plan.notes[0]!.message).toMatch(/^default\.redis7 is a default parameter group, which ElastiCache does not allow to be modified: create a custom group .*--cache-parameter-group-family valkey8/);
    const forced = { ...plan, proposals: [{ target: 'elasticache:us-east-1/default.redis7', resource: 'default.redis7', parameter: 'maxmemory-samples', current: '3', proposed: 10, evidence: {}, expectedEffect: '', risk: '' }] };
    const result = await applyPlan(deps, forced, { confirm: true, by: 'test' });
    expect(result.failure!.message).toMatch(/is a default parameter group/);
    expect(state.modifies).toEqual([]);
  });

  it('proposes maxmemory-samples (never maxmemory), and restores the first group when the second fails', async () => {
    const { deps, notified } = testOptimizerDeps('prod', [target('app-a'), target('app-b')]);
    const plan = await planOptimizations(withReadings(deps), { windowMs: 0 });
    expect(plan.proposals.map((p) => [p.target, p.resource, p.parameter, p.current, p.proposed])).toEqual([
      ['elasticache:us-east-1/app-a', 'app-a', 'maxmemory-samples', 3, 10],
      ['elasticache:us-east-1/app-b', 'app-b', 'maxmemory-samples', 3, 10],
    ]);
    state.failModify.add('app-b');
    const result = await applyPlan(deps, plan, { confirm: true, by: 'test' });
    expect(result.failure).toMatchObject({ target: 'elasticache:us-east-1/app-b' });
    expect(result.failure!.message).toMatch(/Simulated failure for the test/);
    expect(state.modifies).toEqual(['app-a', 'app-b', 'app-a']);
    expect(state.groups.get('app-a')!.get('maxmemory-samples')).toBe('3');
    expect(state.groups.get('app-b')!.get('maxmemory-samples')).toBe('3');
    expect(result.records.map((r) => [r.target, r.status])).toEqual([['elasticache:us-east-1/app-a', 'restored'], ['elasticache:us-east-1/app-b', 'failed']]);
    expect(result.records[0]!.reason).toMatch(/^restored after elasticache:us-east-1\/app-b failed: /);
    expect(notified.map((n) => [n.name, n.severity, n.labels])).toEqual([['optimization_restored', 'medium', { target: 'elasticache:us-east-1/app-a', optimization: String(result.records[0]!.id) }]]);
    expect(notified[0]!.summary).toMatch(/^elasticache:us-east-1\/app-a: restored after elasticache:us-east-1\/app-b failed: .*Simulated failure for the test/);
  });

  it('serializes concurrent applies, so the cooldown lets only one through', async () => {
    state.failModify.clear();
    state.modifies.length = 0;
    const { deps, notified } = testOptimizerDeps('prod', [target('app-a')]);
    const plan = await planOptimizations(withReadings(deps), { windowMs: 0 });
    const results = await Promise.all([1, 2, 3].map(() => applyPlan(deps, plan, { confirm: true, by: 'test' })));
    expect(results.map((r) => r.records.length).sort()).toEqual([0, 0, 1]);
    expect(results.flatMap((r) => r.refused.map((x) => x.reason))).toEqual([
      'changed 0 min ago; the cooldown is 60 min', 'changed 0 min ago; the cooldown is 60 min',
    ]);
    expect(state.modifies).toEqual(['app-a']);
    expect(state.groups.get('app-a')!.get('maxmemory-samples')).toBe('10');
    expect(notified.map((n) => [n.name, n.summary])).toEqual([['optimization_applied', 'app-a maxmemory-samples 3 → 10 on elasticache:us-east-1/app-a']]);
  });
});
