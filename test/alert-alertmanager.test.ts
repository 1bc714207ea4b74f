import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlerting } from '../src/alert/create-alerting.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { Config } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { startAlertmanager, type RunningAlertmanager } from './support/alertmanager.js';
import { startReceiver, type HttpReceiver } from './support/http-receiver.js';
import { missingProgram } from './support/require.js';
import { snapshotWith } from './support/snapshots.js';
import { until } from './support/until.js';

describe.skipIf(missingProgram('prometheus-alertmanager') !== null)('against a real Alertmanager', () => {
  let am: RunningAlertmanager;
  let hook: HttpReceiver;
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    hook = await startReceiver();
    am = await startAlertmanager(`
route: { receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1s, repeat_interval: 1h }
receivers:
  - name: hook
    webhook_configs: [ { url: "${hook.url}/am", send_resolved: true } ]
`);
    dir = mkdtempSync(join(tmpdir(), 'perfpilot-am-test-'));
    store = openSqliteStore(join(dir, 'perfpilot.db'));
  }, 30_000);
  afterAll(async () => {
    await store?.close();
    await am?.stop();
    await hook?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a firing perfpilot alert appears in /api/v2/alerts and resolves when the condition clears', async () => {
    const config = Config.parse({ environment: 'prod', alerts: { channels: [{ name: 'am', type: 'alertmanager', url: am.url }] } });
    const { router, delivery } = createAlerting({ store, alerts: config.alerts, rules: BUILTIN_RULES, locale: 'en', logger: createLogger({ level: 'silent' }) });

    await router.observe(snapshotWith({ 'application.responseTime.p99': 1500 }, { environment: 'prod' }));
    expect(await delivery.runOnce()).toBe(1);
    const [alert] = await am.alerts();
    expect(alert!.labels).toEqual({ alertname: 'high_latency', environment: 'prod', severity: 'high' });
    expect(alert!.status.state).toBe('active');
    await until(async () => hook.received.some((r) => (r.body as { status: string }).status === 'firing'), { timeoutMs: 15_000 });

    await router.observe(snapshotWith({ 'application.responseTime.p99': 120 }, { environment: 'prod' }));
    expect(await delivery.runOnce()).toBe(1);
    expect(await am.alerts()).toEqual([]);
    await until(async () => hook.received.some((r) => (r.body as { status: string }).status === 'resolved'), { timeoutMs: 15_000 });
    const resolved = hook.received.find((r) => (r.body as { status: string }).status === 'resolved')!.body as { alerts: { labels: Record<string, string>; status: string }[] };
    expect(resolved.alerts.map((a) => [a.labels.alertname, a.status])).toEqual([['high_latency', 'resolved']]);
    const [item] = await store.outboxItems({ channel: 'am' });
    expect([item!.status, item!.attempts]).toEqual(['delivered', 1]);
  }, 40_000);

  it('an alert that escalates from warning to critical is one active alert at the new severity', async () => {
    const config = Config.parse({ environment: 'stage', alerts: { channels: [{ name: 'am2', type: 'alertmanager', url: am.url }] } });
    const { router, delivery } = createAlerting({ store, alerts: config.alerts, rules: BUILTIN_RULES, locale: 'en', logger: createLogger({ level: 'silent' }) });
    const active = async () => (await am.alerts()).filter((a) => a.labels.environment === 'stage').map((a) => `${a.labels.alertname}:${a.labels.severity}:${a.status.state}`);

    await router.observe(snapshotWith({ 'application.errorRate': 0.02 }, { environment: 'stage' }));
    expect(await delivery.runOnce()).toBe(1);
    expect(await active()).toEqual(['high_error_rate:medium:active']);
    await router.observe(snapshotWith({ 'application.errorRate': 0.07 }, { environment: 'stage' }));
    expect(await delivery.runOnce()).toBe(1);
    expect(await active()).toEqual(['high_error_rate:high:active']);
    await router.observe(snapshotWith({ 'application.errorRate': 0 }, { environment: 'stage' }));
    expect(await delivery.runOnce()).toBe(1);
    expect(await active()).toEqual([]);
  }, 40_000);
});
