/**
 * `npm run bench optimize`: the Redis workload of test/optimize-redis.test.ts (2 MB maxmemory,
 * volatile-lru, keys mostly without TTL left by a cold bulk import, then cache-aside traffic
 * with Zipfian keys) on three private redis-servers side by side in one run:
 *   - blind (volatile-lru): the original design's rule, hit rate < 0.8 → set the configured
 *     policy, with the policy this Redis was configured with;
 *   - blind (allkeys-lru): the same rule had its config named allkeys-lru;
 *   - perfpilot: plan from evidence, apply.
 * Each gets the same seed and timings: warm-up, a "before" window, the change, a settle
 * period, an "after" window. Hit rates are keyspace hits ÷ (hits + misses) deltas from INFO.
 * The plan's cost is measured on its own with the workload paused: wall time, and commands
 * it sent, from the INFO commandstats delta.
 */
import { Redis } from 'ioredis';
import { createLogger } from '../src/log.js';
import { applyPlan } from '../src/optimize/apply-plan.js';
import type { OptimizerDeps } from '../src/optimize/optimizer-deps.js';
import { planOptimizations } from '../src/optimize/plan-optimizations.js';
import { createRedisTarget } from '../src/optimize/targets/redis.js';
import { infoNumber, parseInfo } from '../src/sources/redis/parse-info.js';
import { sqliteAuditStore } from '../src/store/sqlite/audit-store.js';
import { openDatabase } from '../src/store/sqlite/open-database.js';
import { startRedis } from '../test/support/redis-server.js';
import { prefillCold, startWorkload } from '../test/support/zipf-workload.js';

const WORKLOAD = { universe: 20_000, valueBytes: 100, ttlShare: 0.1, seed: 7 };
const S = Number(process.env.BENCH_SECONDS ?? 5) * 1000;
const PLAN_WINDOW_MS = 3000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Variant = 'blind (volatile-lru)' | 'blind (allkeys-lru)' | 'perfpilot';

async function counters(c: Redis) {
  const info = parseInfo(await c.info());
  const oom = /count=(\d+)/.exec(info.get('errorstat_OOM') ?? '');
  return { hits: infoNumber(info, 'keyspace_hits')!, misses: infoNumber(info, 'keyspace_misses')!, oom: oom ? Number(oom[1]) : 0 };
}
async function windowed(c: Redis, ms: number) {
  const a = await counters(c);
  await sleep(ms);
  const b = await counters(c);
  return { hitRate: (b.hits - a.hits) / (b.hits - a.hits + b.misses - a.misses), rejected: b.oom - a.oom };
}
async function commandCalls(c: Redis): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const [k, v] of parseInfo(await c.info('commandstats'))) out.set(k.replace(/^cmdstat_/, ''), Number(/calls=(\d+)/.exec(v)?.[1] ?? 0));
  return out;
}

function deps(url: string): OptimizerDeps {
  const target = createRedisTarget({ url, rewrite: false, sample: { maxKeys: 1000, budgetMs: 500 } });
  return {
    environment: 'bench', config: { cooldown: 1, verifyWindow: S, regression: { hitRateDrop: 0.02, p99Increase: 0.2 } },
    targets: new Map([[target.id, target]]), audit: sqliteAuditStore(openDatabase(':memory:')), notifier: null,
    logger: createLogger({ level: 'silent' }), collect: null, now: Date.now,
  };
}

async function run(variant: Variant) {
  const redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
  try {
    await prefillCold(redis.client, WORKLOAD);
    const load = startWorkload(redis.client, WORKLOAD);
    await sleep(S);
    const before = await windowed(redis.client, S);
    let action = '';
    let evidence = '';
    const d = deps(redis.url);
    if (variant === 'perfpilot') {
      const plan = await planOptimizations(d, { windowMs: PLAN_WINDOW_MS });
      const result = await applyPlan(d, plan, { confirm: true, by: 'bench' });
      action = result.records.flatMap((r) => r.changes).map((c) => `${c.parameter}=${c.after}`).join(', ') || 'none';
      evidence = JSON.stringify(plan.proposals[0]?.evidence ?? {});
    } else {
      await sleep(PLAN_WINDOW_MS);
      const policy = variant === 'blind (volatile-lru)' ? 'volatile-lru' : 'allkeys-lru';
      if (before.hitRate < 0.8) await redis.client.config('SET', 'maxmemory-policy', policy);
      action = `maxmemory-policy=${policy}`;
    }
    await sleep(S);
    const after = await windowed(redis.client, S);
    await load.stop();
    await Promise.all([...d.targets.values()].map((t) => t.close()));
    return { variant, action, evidence, before, after };
  } finally {
    await redis.stop();
  }
}

async function planCost() {
  const redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
  try {
    await prefillCold(redis.client, WORKLOAD);
    const load = startWorkload(redis.client, WORKLOAD);
    await sleep(S);
    await load.stop();
    const d = deps(redis.url);
    const a = await commandCalls(redis.client);
    const t0 = performance.now();
    const plan = await planOptimizations(d, { windowMs: 0 });
    const ms = performance.now() - t0;
    const b = await commandCalls(redis.client);
    const sent = [...b].map(([k, v]) => [k, v - (a.get(k) ?? 0) - (k === 'info' ? 1 : 0)] as const).filter(([, n]) => n > 0);
    await Promise.all([...d.targets.values()].map((t) => t.close()));
    return { ms, sent, sampled: plan.proposals[0]?.evidence.keysSampled ?? null, dbsize: await redis.client.dbsize() };
  } finally {
    await redis.stop();
  }
}

const rows = [];
for (const v of ['blind (volatile-lru)', 'blind (allkeys-lru)', 'perfpilot'] as const) rows.push(await run(v));
const base = rows[0]!.after.hitRate;
console.log(`\n${S / 1000} s windows, plan window ${PLAN_WINDOW_MS / 1000} s, ${WORKLOAD.universe} keys Zipf(1), 2 MB maxmemory\n`);
console.log('| variant | change made | hit rate before | hit rate after | OOM-rejected writes after | after ÷ blind (volatile-lru) |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.variant} | ${r.action} | ${r.before.hitRate.toFixed(3)} | ${r.after.hitRate.toFixed(3)} | ${r.after.rejected} | ${(r.after.hitRate / base).toFixed(2)} |`);
console.log(`\nperfpilot's evidence: ${rows[2]!.evidence}`);
const cost = await planCost();
const total = cost.sent.reduce((s, [, n]) => s + n, 0);
console.log(`\nplan cost (window 0, workload paused): ${cost.ms.toFixed(1)} ms, ${total} commands to Redis (${cost.sent.map(([k, n]) => `${k} ${n}`).join(', ')}); keys sampled ${cost.sampled} of ${cost.dbsize}; one INFO is ioredis's ready check on connecting`);
