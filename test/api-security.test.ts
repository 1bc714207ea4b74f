import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type PrivateRedis } from './support/redis-server.js';
import { missingProgram } from './support/require.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { until } from './support/until.js';

const PASSWORD = 'pw-Zq81hidden';

async function call(app: TestApp, path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  const res = await fetch(`${app.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

describe.skipIf(missingProgram('redis-server') !== null)('API security', () => {
  let redis: PrivateRedis;
  let app: TestApp;

  beforeAll(async () => {
    redis = await startRedis({ requirepass: PASSWORD });
    app = await startTestApp({
      interval: '1s',
      sources: { host: {}, redis: { url: `redis://:${PASSWORD}@127.0.0.1:${redis.port}` } },
      alerts: { channels: [{ name: 'hook', type: 'webhook', url: `http://user:${PASSWORD}@127.0.0.1:9/hook?token=${PASSWORD}` }] },
      // Plans and history name their target: by host and port, never by its URL with the password.
      optimize: { targets: [{ type: 'redis', url: `redis://:${PASSWORD}@127.0.0.1:${redis.port}` }] },
    });
    await until(async () => (await call(app, '/api/v1/snapshots/latest')).status === 200, { everyMs: 250, message: 'no snapshot within 20 s' });
  });
  afterAll(async () => {
    await app?.stop();
    await redis?.stop();
  });

  it('keeps a generated token in <data>/token with mode 0600', async () => {
    const file = join(app.dir, 'token');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await readFile(file, 'utf8')).trim()).toBe(app.token);
    expect(app.token.length).toBeGreaterThanOrEqual(40);
    expect(app.app.tokens.generated).toBe(true);
  });

  it('answers 401 to a change without a token and with a wrong one', async () => {
    const none = await call(app, '/api/v1/optimize/plans/p1/apply', { method: 'POST' });
    expect(none.status).toBe(401);
    expect(none.json()).toEqual({ error: { status: 401, message: 'missing bearer token' } });
    const wrong = await call(app, '/api/v1/optimize/plans/p1/apply', { method: 'POST', token: `${app.token}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.json()).toEqual({ error: { status: 401, message: 'wrong bearer token' } });
    const basic = await call(app, '/api/v1/optimize/changes/c1/rollback', { method: 'POST', headers: { authorization: `Basic ${app.token}` } });
    expect(basic.status).toBe(401);
    const plan = await call(app, '/api/v1/optimize/plans', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(plan.status).toBe(401);
    const silence = await call(app, '/api/v1/silences', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"matchers":["alertname=x"]}' });
    expect(silence.status).toBe(401);
    expect((await call(app, '/api/v1/silences/s1', { method: 'DELETE', token: 'nope' })).status).toBe(401);
  });

  it('answers 400 naming the field and why', async () => {
    const badField = await call(app, '/api/v1/metrics/series?fields=cache.hitRate,cache.nope&from=1');
    expect(badField.status).toBe(400);
    expect(badField.json().error.field).toBe('query.fields.1');
    expect(badField.json().error.message).toContain('unknown field "cache.nope"');
    const badTime = await call(app, '/api/v1/metrics?from=yesterday');
    expect(badTime.status).toBe(400);
    expect(badTime.json().error.field).toBe('query.from');
    const unknown = await call(app, '/api/v1/issues?bogus=1');
    expect(unknown.json()).toEqual({ error: { status: 400, message: 'query.bogus: unknown parameter', field: 'query.bogus' } });
    const reversed = await call(app, `/api/v1/metrics/series?fields=cache.hitRate&from=${Date.now()}&to=${Date.now() - 60_000}`);
    expect(reversed.json().error).toEqual({ status: 400, message: 'query.from: must be before to', field: 'query.from' });
    const badId = await call(app, '/api/v1/optimize/plans/a%20b/apply', { method: 'POST', token: app.token });
    expect(badId.status).toBe(400);
    expect(badId.json().error.field).toBe('params.id');
    const badBody = await call(app, '/api/v1/optimize/plans', { method: 'POST', token: app.token, headers: { 'content-type': 'application/json' }, body: '{"env":"no spaces allowed"}' });
    expect(badBody.status).toBe(400);
    expect(badBody.json().error.field).toBe('body.env');
  });

  it('refuses a body over the limit with 413, and a body that is not JSON with 400', async () => {
    const big = await call(app, '/api/v1/optimize/plans', { method: 'POST', token: app.token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ env: 'x'.repeat(70_000) }) });
    expect(big.status).toBe(413);
    expect(big.json().error.field).toBe('body');
    const broken = await call(app, '/api/v1/optimize/plans', { method: 'POST', token: app.token, headers: { 'content-type': 'application/json' }, body: '{"env":' });
    expect(broken.status).toBe(400);
    expect(broken.json().error.field).toBe('body');
    const nowhere = await call(app, '/api/v1/nowhere', { method: 'POST', token: app.token });
    expect(nowhere.json()).toEqual({ error: { status: 404, message: 'no route POST /api/v1/nowhere' } });
  });

  it('never answers with a secret', async () => {
    const doc = (await call(app, '/api/v1/openapi.json')).json();
    const paths = Object.keys(doc.paths).filter((p) => doc.paths[p].get && !p.includes('{') && p !== '/api/v1/events');
    expect(paths).toContain('/api/v1/config');
    expect(paths).toContain('/api/v1/sources');
    const answers = await Promise.all([...paths.map((p) => call(app, p, { token: app.token })), call(app, '/api/v1/metrics/series?fields=cache.hitRate&from=1')]);
    for (const [i, answer] of answers.entries()) {
      expect(answer.text, paths[i]).not.toContain(PASSWORD);
      expect(answer.text, paths[i]).not.toContain(app.token);
    }
    const config = (await call(app, '/api/v1/config')).json();
    expect(config.sources.redis.url).toBe(`redis://:***@127.0.0.1:${redis.port}`);
    expect(config.alerts.channels[0].url).toBe('http://user:***@127.0.0.1:9/hook?token=***');
    const sources = (await call(app, '/api/v1/sources')).json();
    expect(sources.sources.redis.status).toBe('ok');
    const plan = (await call(app, '/api/v1/optimize/plans/latest')).json();
    expect(plan.available).toBe(true);
    expect(JSON.stringify(plan.plan)).toContain(`redis://127.0.0.1:${redis.port}`);
  });

  it('streams live events', async () => {
    const controller = new AbortController();
    const res = await fetch(`${app.url}/api/v1/events`, { signal: controller.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!/event: snapshot\ndata: /.test(text)) text += (await reader.read()).value ?? '';
    controller.abort();
    const data = JSON.parse(/event: snapshot\ndata: (.*)\n/.exec(text)![1]!);
    expect(data).toMatchObject({ kind: 'snapshot', environment: 'local' });
  });

  it('limits the rate of changes per client with 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await call(app, '/api/v1/optimize/plans/p1/apply', { method: 'POST' })).status);
    expect(statuses).toContain(429);
    expect(statuses.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });
});

describe('API with a read token', () => {
  let app: TestApp;
  beforeAll(async () => {
    process.env.PERFPILOT_READ_TOKEN = 'read-token-123';
    process.env.PERFPILOT_TOKEN = 'write-token-456';
    app = await startTestApp({ interval: '1s', sources: { host: {} } });
  });
  afterAll(async () => {
    delete process.env.PERFPILOT_READ_TOKEN;
    delete process.env.PERFPILOT_TOKEN;
    await app?.stop();
  });

  it('needs the read (or write) token to read, and only the write token to change', async () => {
    expect((await call(app, '/api/v1/environments')).status).toBe(401);
    expect((await call(app, '/api/v1/metrics', { token: 'nope' })).status).toBe(401);
    expect((await call(app, '/api/v1/environments', { token: 'read-token-123' })).status).toBe(200);
    expect((await call(app, '/api/v1/environments', { token: 'write-token-456' })).status).toBe(200);
    expect((await call(app, '/api/v1/alerts')).status).toBe(401);
    expect((await call(app, '/api/v1/alerts', { token: 'read-token-123' })).status).toBe(200);
    expect((await call(app, '/api/v1/openapi.json')).status).toBe(401);
    expect((await call(app, '/api/v1/optimize/plans/p/apply', { method: 'POST', token: 'read-token-123' })).status).toBe(401);
    expect((await call(app, '/healthz')).status).toBe(200);
    const page = await call(app, '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script type="module" src="/app.js">');
    expect((await call(app, '/vendor/uplot/uPlot.esm.js')).status).toBe(200);
    for (const sneaky of ['/..%2fpackage.json', '/vendor/uplot/..%2f..%2fpackage.json', '/%2e%2e/src/app.ts', '/api/v1/nope']) {
      expect((await call(app, sneaky)).status, sneaky).toBe(404);
    }
    expect(app.app.tokens.generated).toBe(false);
  });
});
