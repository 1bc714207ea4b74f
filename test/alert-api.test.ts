import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './support/cli.js';
import { freePort } from './support/ports.js';
import { startReceiver, type HttpReceiver } from './support/http-receiver.js';
import { startTestApp, type TestApp } from './support/perfpilot-app.js';
import { until } from './support/until.js';
import { sleep } from '../src/util/sleep.js';

async function call(app: TestApp, path: string, init: RequestInit & { token?: string } = {}) {
  const headers = new Headers(init.headers);
  if (init.token) headers.set('authorization', `Bearer ${init.token}`);
  if (init.body) headers.set('content-type', 'application/json');
  const res = await fetch(`${app.url}${path}`, { ...init, headers });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

describe('alerts end to end: perfpilot start → webhook, API and CLI (one source_down for a dead Redis)', () => {
  let rx: HttpReceiver;
  let wrong: HttpReceiver;
  let app: TestApp;
  let configFile: string;
  beforeAll(async () => {
    rx = await startReceiver();
    // A Slack channel whose URL is wrong: it must say so, and ops must get everything anyway.
    wrong = await startReceiver(() => ({ status: 404, body: 'no_service' }));
    const deadRedis = await freePort();
    // CPU usage > -1 % always holds: the host source makes high_cpu_usage fire on its first window.
    // Redis is configured but dead: one source_down, and low_cache_hit_rate (no data → alert) stays quiet.
    app = await startTestApp({
      interval: '1s',
      sources: { host: {}, redis: { url: `redis://127.0.0.1:${deadRedis}` } },
      rules: [
        { name: 'high_cpu_usage', thresholds: { high: -1 }, clear: -2, for: '0s' },
        { name: 'source_down', for: '0s' },
        { name: 'low_cache_hit_rate', noData: { alertAfter: '0s' } },
      ],
      alerts: {
        channels: [{ name: 'ops', type: 'webhook', url: `${rx.url}/hook` }, { name: 'chat', type: 'slack', url: `${wrong.url}/services/T0/B0/SECRETKEY` }],
        grouping: { groupWait: '0s' },
      },
    });
    configFile = join(app.dir, 'perfpilot.yaml');
  }, 30_000);
  afterAll(async () => {
    await app?.stop();
    await rx?.close();
    await wrong?.close();
  });

  it('delivers the alert and shows it with its delivery status', async () => {
    await until(() => rx.received.length >= 2);
    await sleep(3_000);
    const fired = rx.received.flatMap((r) => (r.body as { status: string; alerts: { labels: Record<string, string> }[] }).alerts.map((a) => `${a.labels.alertname}${a.labels.source ? `/${a.labels.source}` : ''}`));
    expect(fired.sort()).toEqual(['high_cpu_usage', 'source_down/redis']);
    await until(async () => (await call(app, '/api/v1/alerts')).body.alerts.every((a: { deliveries: { status: string }[] }) => a.deliveries.map((d) => d.status).join() === 'failed,delivered'));
    const { status, body: view } = await call(app, '/api/v1/alerts');
    expect(status).toBe(200);
    expect(view.alerts.map((a: { rule: string; phase: string; severity: string }) => [a.rule, a.phase, a.severity])).toEqual([['high_cpu_usage', 'firing', 'high'], ['source_down', 'firing', 'medium']]);
    const said = "HTTP 404: no_service (the receiver has no such endpoint: check the channel's URL)";
    expect(view.alerts[0].deliveries).toEqual([
      { channel: 'chat', status: 'failed', attempts: 1, reason: 'not_found', error: said, deliveredAt: null },
      { channel: 'ops', status: 'delivered', attempts: 1, reason: null, error: null, deliveredAt: expect.any(String) },
    ]);
    expect(view.channels).toEqual([
      { channel: 'ops', pending: 0, failed: 0, lastReason: null, lastError: null },
      { channel: 'chat', pending: 0, failed: 2, lastReason: 'not_found', lastError: said },
    ]);
    expect(JSON.stringify(view)).not.toContain('SECRETKEY');

    const cli = await runCli(['alerts', '--config', configFile]);
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/^STATE\s+SEVERITY\s+ALERT\s+ENV\s+SINCE\s+VALUE\s+DELIVERY\nfiring\s+high\s+high_cpu_usage\s+local\s+\S+\s+\S+\s+chat: failed \(not_found\), ops: delivered\nfiring\s+medium\s+source_down \(redis\)\s+local\s+\S+\s+1\s+chat: failed \(not_found\), ops: delivered\n/);
    expect(cli.stdout).toMatch(/\nchat\s+0\s+2\s+not_found: HTTP 404: no_service \(the receiver has no such endpoint: check the channel's URL\)\n/);
    expect(cli.stdout).not.toContain('SECRETKEY');
  });

  it('adds, lists and expires silences; writes need the bearer token', async () => {
    expect((await call(app, '/api/v1/silences', { method: 'POST', body: JSON.stringify({ matchers: ['alertname=x'] }) })).status).toBe(401);
    const bad = await call(app, '/api/v1/silences', { method: 'POST', token: app.token, body: JSON.stringify({ matchers: ['alertname=x', 'alertname'] }) });
    expect([bad.status, bad.body.error]).toEqual([400, { status: 400, field: 'body.matchers.1', message: 'body.matchers.1: expected name=value, name!=value, name=~regex or name!~regex, got "alertname"' }]);
    const badRegex = await call(app, '/api/v1/silences', { method: 'POST', token: app.token, body: JSON.stringify({ matchers: ['alertname=~('] }) });
    expect([badRegex.status, badRegex.body.error.field]).toEqual([400, 'body.matchers.0']);
    const badInputs: [unknown, string, string][] = [
      [{ matchers: [] }, 'body.matchers', 'Too small'],
      [{ matchers: ['alertname=x'], duration: '0m' }, 'body.duration', 'expected a duration'],
      [{ matchers: ['alertname=x'], duration: 'soon' }, 'body.duration', 'expected a duration'],
      [{ matchers: ['alertname=x'], until: '2h' }, 'body.until', 'unknown parameter'],
      [{ matchers: ['alertname=x'], createdBy: '' }, 'body.createdBy', 'Too small'],
    ];
    for (const [input, field, why] of badInputs) {
      const r = await call(app, '/api/v1/silences', { method: 'POST', token: app.token, body: JSON.stringify(input) });
      expect([r.status, r.body.error.field], JSON.stringify(input)).toEqual([400, field]);
      expect(r.body.error.message).toContain(why);
    }
    expect((await call(app, '/api/v1/silences')).body).toEqual({ silences: [] });
    const added = await call(app, '/api/v1/silences', { method: 'POST', token: app.token, body: JSON.stringify({ matchers: ['alertname=high_cpu_usage', 'environment=~loc.*'], duration: '30m', comment: 'load test' }) });
    expect(added.status).toBe(201);
    expect(added.body.endsMs - added.body.startsMs).toBe(1_800_000);
    expect(added.body.matchers).toEqual([
      { name: 'alertname', value: 'high_cpu_usage', isEqual: true, isRegex: false },
      { name: 'environment', value: 'loc.*', isEqual: true, isRegex: true },
    ]);

    const cliAdd = await runCli(['silence', 'add', '--matcher', 'alertname=source_down', '--for', '2h', '--comment', 'maintenance', '--config', configFile]);
    expect(cliAdd.code).toBe(0);
    const cliId = cliAdd.stdout.trim();
    const listed = await call(app, '/api/v1/silences');
    expect(listed.body.silences.map((s: { id: string }) => s.id).sort()).toEqual([added.body.id, cliId].sort());

    expect((await call(app, `/api/v1/silences/${added.body.id}`, { method: 'DELETE' })).status).toBe(401);
    expect((await call(app, `/api/v1/silences/${added.body.id}`, { method: 'DELETE', token: app.token })).body).toEqual({ expired: added.body.id });
    expect((await call(app, `/api/v1/silences/${added.body.id}`, { method: 'DELETE', token: app.token })).status).toBe(404);
    const expire = await runCli(['silence', 'expire', cliId, '--config', configFile]);
    expect([expire.code, expire.stdout]).toEqual([0, `expired ${cliId}\n`]);
    const list = await runCli(['silence', 'list', '--json', '--config', configFile]);
    expect(JSON.parse(list.stdout)).toEqual([]);
    const all = await call(app, '/api/v1/silences?all=true');
    expect(all.body.silences.map((s: { id: string; comment: string }) => [s.id, s.comment]).sort()).toEqual([[added.body.id, 'load test'], [cliId, 'maintenance']].sort());
    expect(all.body.silences.every((s: { endsMs: number }) => s.endsMs <= Date.now())).toBe(true);
  }, 30_000);

  it('names the bad query parameter on the GET routes', async () => {
    for (const [path, field] of [['/api/v1/alerts?all=yes', 'query.all'], ['/api/v1/alerts?environment=a%20b', 'query.environment'], ['/api/v1/alerts?env=local', 'query.env'], ['/api/v1/silences?active=1', 'query.active']]) {
      const r = await call(app, path!);
      expect([r.status, r.body.error.field], path).toEqual([400, field]);
    }
    const other = await call(app, '/api/v1/alerts?environment=staging&all=true');
    expect([other.status, other.body.alerts]).toEqual([200, []]);
  });

  it('refuses a silence body over 64 KiB, naming the body', async () => {
    const big = await call(app, '/api/v1/silences', { method: 'POST', token: app.token, body: JSON.stringify({ matchers: ['alertname=x'], comment: 'x'.repeat(70 * 1024) }) });
    expect([big.status, big.body.error.field]).toEqual([413, 'body']);
  });

  it('rejects a bad rule at load with its path (exit 78), and a bad matcher (exit 64)', async () => {
    const bad = join(app.dir, 'bad.yaml');
    await writeFile(bad, `store: { path: ${join(app.dir, 'perfpilot.db')} }\nrules:\n  - { name: high_latency, thresholds: { high: 800 }, clear: 900 }\n`);
    const r = await runCli(['alerts', '--config', bad]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('rules.0.clear');
    expect(r.stderr).toContain('expected a clear level <= the lowest threshold (800) for a ">" rule');
    const m = await runCli(['silence', 'add', '--matcher', 'alertname', '--config', configFile]);
    expect(m.code).toBe(64);
  }, 30_000);

  // Last: it empties this client's bucket of write requests.
  it('rate-limits silence writes before the token check: 429 with Retry-After once the burst of 20 is spent', async () => {
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 30 && !statuses.includes(429); i++) {
      const res = await fetch(`${app.url}/api/v1/silences/nope`, { method: 'DELETE', headers: { authorization: 'Bearer wrong' } });
      statuses.push(res.status);
      retryAfter = res.headers.get('retry-after');
    }
    expect(statuses.at(-1)).toBe(429);
    expect(new Set(statuses.slice(0, -1))).toEqual(new Set([401]));
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
  });
});
