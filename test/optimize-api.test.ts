import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../src/app.js';
import { loadConfig } from '../src/config/load.js';
import { createLogger } from '../src/log.js';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { startTestApp } from './support/perfpilot-app.js';
import { until } from './support/until.js';
import { prefillCold, startWorkload, type Workload } from './support/zipf-workload.js';

const WORKLOAD = { universe: 20_000, valueBytes: 100, ttlShare: 0.1 };

/** The optimizer over HTTP, as the dashboard drives it: a plan id shown, applied with the token, rolled back. */
describe.skipIf(missingProgram('redis-server') !== null)('optimize API', () => {
  let redis: PrivateRedis;
  let workload: Workload;
  let dir: string;
  let app: App | null = null;
  let url: string;
  let token: string;
  const configGet = async (p: string) => ((await redis.client.config('GET', p)) as string[])[1];
  const call = async (path: string, init: { method?: string; token?: string } = {}) => {
    const res = await fetch(`${url}${path}`, { method: init.method ?? 'GET', headers: init.token ? { authorization: `Bearer ${init.token}` } : {} });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    redis = await startRedis({ maxmemory: '2mb', 'maxmemory-policy': 'volatile-lru' });
    await prefillCold(redis.client, WORKLOAD);
    workload = startWorkload(redis.client, WORKLOAD);
    const started = await startTestApp({
      environment: 'apitest',
      interval: '1s',
      sources: { host: false, redis: { url: redis.url } },
      optimize: { targets: [{ type: 'redis', url: redis.url }], verifyWindow: '1s' },
      alerts: { channels: [{ name: 'ops', type: 'log' }] },
    });
    ({ dir, url, token } = started);
    app = started.app;
  });
  afterAll(async () => {
    await app?.close();
    await workload?.stop();
    await redis?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('applies by id, after a restart, only with the write token, then verifies and rolls back', { timeout: 60_000 }, async () => {
    const target = `redis://127.0.0.1:${redis.port}`;
    const latest = await call('/api/v1/optimize/plans/latest');
    expect(latest.status).toBe(200);
    const plan = latest.body.plan;
    expect(plan.proposals[0]).toMatchObject({ target, parameter: 'maxmemory-policy', current: 'volatile-lru' });

    const refused = await call(`/api/v1/optimize/plans/${plan.id}/apply`, { method: 'POST' });
    expect(refused.status).toBe(401);
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');

    // A restart: the plan the dashboard showed is still there to apply.
    await app!.close();
    app = null;
    const loaded = await loadConfig({ cwd: dir, env: {}, probe: false });
    app = await createApp(loaded, createLogger({ level: 'silent' }), { port: 0 });
    url = (await app.start()).replace('localhost', '127.0.0.1');
    expect(app.tokens.tokens.write).toBe(token);

    const applied = await call(`/api/v1/optimize/plans/${plan.id}/apply`, { method: 'POST', token });
    expect(applied.status).toBe(200);
    expect(applied.body).toMatchObject({ planId: plan.id, dryRun: false, failure: null, refused: [] });
    expect(applied.body.records.map((r: { by: string; status: string }) => [r.by, r.status])).toEqual([['api', 'applied']]);
    expect(await configGet('maxmemory-policy')).toBe(plan.proposals[0].proposed);
    const id: number = applied.body.records[0].id;

    await until(async () => (await call('/api/v1/optimize/history')).body.history.find((r: { id: number }) => r.id === id)?.verification !== null, { message: 'no verification within 20 s' });
    const back = await call(`/api/v1/optimize/changes/${id}/rollback`, { method: 'POST', token });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ kind: 'rollback', rollbackOf: id, by: 'api', changes: [{ parameter: 'maxmemory-policy', before: plan.proposals[0].proposed, after: 'volatile-lru' }] });
    expect(await configGet('maxmemory-policy')).toBe('volatile-lru');
    const history = (await call('/api/v1/optimize/history')).body.history;
    expect(history.map((r: { id: number; kind: string; status: string }) => [r.id, r.kind, r.status])).toEqual([[id + 1, 'rollback', 'applied'], [id, 'apply', 'rolled_back']]);
    const again = await call(`/api/v1/optimize/changes/${id}/rollback`, { method: 'POST', token });
    expect(again.status).toBe(409);
  });
});
