import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listen } from './support/listen.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { until } from './support/until.js';
import { D, fakeCloudFront } from './optimize-cloudfront-fake.js';

interface Row { id: number; status: string; reason: string | null; verification: { before: { hitRate: number | null }; after: { hitRate: number | null } } | null }

/**
 * A CloudFront apply over HTTP, as the dashboard makes it, against a distribution that stays
 * InProgress for seconds (minutes on AWS): the call answers once CloudFront accepted the
 * updates, and the deployment and verification follow in history and on the live events.
 */
describe('optimize API with a CloudFront target that deploys slowly', () => {
  let server: Server;
  let state: ReturnType<typeof fakeCloudFront>['state'];
  let app: TestApp | null = null;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  const call = async (path: string, method = 'GET') => {
    const res = await fetch(`${app!.url}${path}`, { method, headers: method === 'POST' ? { authorization: `Bearer ${app!.token}` } : {} });
    return { status: res.status, body: await res.json() };
  };

  beforeAll(async () => {
    ({ server, state } = fakeCloudFront());
    const endpoint = await listen(server);
    // The target builds its own SDK clients, which take credentials from the environment.
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    app = await startTestApp({
      environment: 'prod',
      interval: '1s',
      sources: { host: false },
      optimize: { targets: [{ type: 'cloudfront', endpoint }], verifyWindow: '1s' },
      alerts: { channels: [{ name: 'ops', type: 'log' }] },
    });
  });
  afterAll(async () => {
    await app?.stop();
    await new Promise<void>((r) => server?.close(() => r()));
    for (const [key, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  });

  it('answers once the updates are accepted; history goes deploying (InProgress) → applied (Deployed) → verified, each step announced', { timeout: 60_000 }, async () => {
    state.deployMs = 4_000;
    state.hitPct = 90;
    const events = new AbortController();
    const seen: string[] = [];
    const stream = await fetch(`${app!.url}/api/v1/events`, { signal: events.signal });
    void (async () => {
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
        seen.push(...[...decoder.decode(chunk.value).matchAll(/^event: (\w+)$/gm)].map((m) => m[1]!));
      }
    })().catch(() => {});

    const planned = await call('/api/v1/optimize/plans', 'POST');
    expect(planned.status).toBe(200);
    const plan = planned.body.plan;
    expect(plan.baselines['cloudfront:Environment=prod']).toEqual({ hitRate: 0.9, p99Ms: null });
    expect(plan.proposals.map((p: { resource: string; parameter: string }) => `${p.resource} ${p.parameter}`)).toEqual([
      'cache-policy/pol-custom DefaultTTL', 'cache-policy/pol-custom MaxTTL', `distribution/${D}/behavior//legacy/* DefaultTTL`,
    ]);

    const startMs = Date.now();
    const applied = await call(`/api/v1/optimize/plans/${plan.id}/apply`, 'POST');
    const answerMs = Date.now() - startMs;
    expect(applied.status).toBe(200);
    // The distribution deploys for 4 s and the target asks every 10 s: waiting for it would take 10 s.
    expect(answerMs).toBeLessThan(3_000);
    expect(applied.body).toMatchObject({ dryRun: false, failure: null, refused: [] });
    expect(applied.body.records.map((r: Row) => r.status)).toEqual(['deploying']);
    const id: number = applied.body.records[0].id;

    const states: string[] = [];
    const row = async () => ((await call('/api/v1/optimize/history')).body.history as Row[]).find((r) => r.id === id)!;
    await until(async () => {
      const r = await row();
      const s = `${r.status}: ${r.reason}`;
      if (states.at(-1) !== s) states.push(s);
      return r.status !== 'deploying' && r.status !== 'applied';
    }, { timeoutMs: 40_000, everyMs: 200, message: `not verified within 40 s; states: ${states.join(' | ')}` });
    expect(states).toEqual([
      ...(states[0] === 'deploying: null' ? ['deploying: null'] : []),
      `deploying: ${D}: InProgress`,
      `applied: ${D}: Deployed`,
      `verified: ${D}: Deployed`,
    ]);
    const final = await row();
    expect(final.verification).toMatchObject({ before: { hitRate: 0.9 }, after: { hitRate: 0.9 }, regressed: false });
    expect(Date.now()).toBeGreaterThanOrEqual(state.deployedAtMs);
    expect(state.requests.filter((r) => r === `GET /distribution/${D}`).length).toBeGreaterThanOrEqual(2);
    // The apply itself, InProgress, Deployed, deployed, verifying, verified.
    await until(() => seen.filter((k) => k === 'optimization').length >= 6, { timeoutMs: 2_000, message: `events seen: ${seen.join(', ')}` });
    events.abort();
  });
});
