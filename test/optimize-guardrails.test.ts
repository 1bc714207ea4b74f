import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OptimizeConfig } from '../src/config/optimize.js';
import { applyPlan } from '../src/optimize/apply-plan.js';
import type { Plan, Proposal } from '../src/optimize/proposal.js';
import { sampleKeyspace } from '../src/optimize/sample-keyspace.js';
import { createRedisTarget } from '../src/optimize/targets/redis.js';
import { testOptimizerDeps } from './support/optimizer-deps.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { prefillCold } from './support/zipf-workload.js';

describe('optimizer defaults', () => {
  it('waits an hour between changes to a target and verifies over 10 minutes unless configured', () => {
    const c = OptimizeConfig.parse({});
    expect([c.cooldown, c.verifyWindow, c.targets]).toEqual([3_600_000, 600_000, []]);
    expect(OptimizeConfig.parse({ verifyWindow: '2m', cooldown: '15m' })).toMatchObject({ verifyWindow: 120_000, cooldown: 900_000 });
  });
});

/** Every guardrail of apply, against a real redis-server whose settings must stay untouched. */
describe.skipIf(missingProgram('redis-server') !== null)('optimizer guardrails on a private Redis', () => {
  let redis: PrivateRedis;
  const configGet = async (p: string) => ((await redis.client.config('GET', p)) as string[])[1];
  const closing: { close(): Promise<void> }[] = [];
  const target = () => {
    const t = createRedisTarget({ url: redis.url, rewrite: false, sample: { maxKeys: 200, budgetMs: 200 } });
    closing.push(t);
    return t;
  };
  const proposal = (over: Partial<Proposal>): Proposal => ({
    target: `redis://127.0.0.1:${redis.port}`, resource: '', parameter: 'maxmemory-policy', current: 'volatile-lru', proposed: 'allkeys-lru',
    evidence: {}, expectedEffect: 'e', risk: 'r', ...over,
  });
  const plan = (proposals: Proposal[]): Plan => ({ id: 'plan-hand', environment: 'prod', createdAt: new Date().toISOString(), windowMs: 0, baselines: {}, notes: [], proposals });

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
    await prefillCold(redis.client, { universe: 20_000, valueBytes: 100, ttlShare: 0.1 });
  });
  afterAll(async () => {
    for (const t of closing) await t.close();
    await redis?.stop();
  });

  it('never touches a target that is not listed in optimize.targets', async () => {
    const { deps, notified } = testOptimizerDeps('prod', []);
    const result = await applyPlan(deps, plan([proposal({})]), { confirm: true, by: 'test' });
    expect(result.refused).toEqual([{ target: `redis://127.0.0.1:${redis.port}`, reason: 'not listed in optimize.targets' }]);
    expect(result.records).toEqual([]);
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
    expect(notified).toEqual([]);
  });

  it('never sets noeviction, even from a hand-edited plan', async () => {
    const { deps } = testOptimizerDeps('prod', [target()]);
    const result = await applyPlan(deps, plan([proposal({ proposed: 'noeviction' })]), { confirm: true, by: 'test' });
    expect(result.refused.map((r) => r.reason)).toEqual(['perfpilot never sets noeviction']);
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
    expect(await deps.audit.listOptimizations(10)).toEqual([]);
  });

  it('refuses a plan whose settings changed since it was made, naming the value it found', async () => {
    const { deps } = testOptimizerDeps('prod', [target()]);
    await redis.client.config('SET', 'maxmemory-samples', '7');
    const result = await applyPlan(deps, plan([proposal({}), proposal({ parameter: 'maxmemory-samples', current: 5, proposed: 10 })]), { confirm: true, by: 'test' });
    expect(result.refused.map((r) => r.reason)).toEqual(['changed since the plan: maxmemory-samples is 7, the plan saw 5']);
    expect([await configGet('maxmemory-policy'), await configGet('maxmemory-samples')]).toEqual(['volatile-lru', '7']);
    await redis.client.config('SET', 'maxmemory-samples', '5');
  });

  it('refuses a plan for another environment', async () => {
    const { deps } = testOptimizerDeps('staging', [target()]);
    await expect(applyPlan(deps, plan([proposal({})]), { confirm: true, by: 'test' })).rejects.toThrow('the plan is for environment prod, not staging');
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
  });

  /** This machine's address other machines reach it by, if it has one. */
  const outside = Object.values(networkInterfaces()).flat().find((i) => i?.family === 'IPv4' && !i.internal)?.address;
  it.skipIf(outside === undefined)('takes the host memory perfpilot sees as Redis\'s only when Redis runs on this host', async () => {
    // Reachable from "another host": this machine's outside address, without protected mode's loopback-only rule.
    await redis.client.config('SET', 'bind', `127.0.0.1 ${outside}`, 'protected-mode', 'no');
    const readings = { hitRate: null, evictions: null, hostMemoryAvailableBytes: 8 * 2 ** 30 };
    const here = await target().inspect({ windowMs: 0, readings });
    expect(here.type === 'redis' && here.hostMemoryAvailableBytes).toBe(8 * 2 ** 30);
    const remote = createRedisTarget({ url: `redis://${outside}:${redis.port}`, rewrite: false, sample: { maxKeys: 10, budgetMs: 100 } });
    closing.push(remote);
    const there = await remote.inspect({ windowMs: 0, readings });
    expect(there).toMatchObject({ type: 'redis', target: `redis://${outside}:${redis.port}`, hostMemoryAvailableBytes: null });
  });

  it('samples the keyspace within its bounds: at most maxKeys keys, and one SCAN page when the budget is spent', async () => {
    const keys = Number(await redis.client.dbsize());
    expect(keys).toBeGreaterThan(5_000);
    const bounded = await sampleKeyspace(redis.client, { maxKeys: 150, budgetMs: 10_000, lfu: false, readsPerSecond: null });
    expect(bounded.sample).toMatchObject({ keys, sampled: 150 });
    // DBSIZE, the SCAN pages it took to find 150 keys, and PTTL + OBJECT IDLETIME per key.
    expect(bounded.commands).toBeLessThanOrEqual(1 + 5 + 2 * 150);
    const spent = await sampleKeyspace(redis.client, { maxKeys: 10_000, budgetMs: 0, lfu: false, readsPerSecond: null });
    expect(spent.sample.sampled).toBeGreaterThan(0);
    expect(spent.sample.sampled).toBeLessThan(1_000);
    expect(spent.commands).toBe(2 + 2 * spent.sample.sampled);
  });
});
