import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAlertRouter } from '../src/alert/router.js';
import { parseMatcher } from '../src/alert/silence.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { Config } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import type { Store } from '../src/store/store.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { snapshotWith } from './support/snapshots.js';

let dir: string;
let store: Store;
let nowMs: number;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'perfpilot-router-'));
  store = openSqliteStore(join(dir, 'perfpilot.db'));
  nowMs = Date.parse('2026-11-27T01:00:00.000Z');
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function router(alerts: unknown) {
  const config = Config.parse({ alerts });
  return createAlertRouter({ store, alerts: config.alerts, rules: BUILTIN_RULES, locale: 'en', logger: createLogger({ level: 'silent' }), now: () => nowMs });
}
const outbox = async () => (await store.outboxItems({ limit: 1000 })).reverse().map((i) => ({
  channel: i.channel,
  status: i.notification.status,
  alerts: i.notification.alerts.map((a) => `${a.labels.alertname}:${a.status}`),
}));
const hook = { name: 'ops', type: 'webhook', url: 'http://127.0.0.1:9/hook' };
const slow = snapshotWith({ 'application.responseTime.p99': 1500, 'application.errorRate': 0.02 });
const fine = snapshotWith({ 'application.responseTime.p99': 100, 'application.errorRate': 0 });

describe('the alert router', () => {
  it('waits groupWait, batches a group, then stays quiet until something changes or repeatInterval passes', async () => {
    const r = router({ channels: [hook], grouping: { groupBy: ['environment'], groupWait: '2s', groupInterval: '10s', repeatInterval: '1h' } });
    await r.observe(snapshotWith({ 'application.responseTime.p99': 1500 }));
    expect(await outbox()).toEqual([]);
    nowMs += 1_000;
    await r.observe(slow);
    nowMs += 1_000;
    await r.flush();
    expect(await outbox()).toEqual([{ channel: 'ops', status: 'firing', alerts: ['high_latency:firing', 'high_error_rate:firing'] }]);
    for (let i = 0; i < 30; i++) {
      nowMs += 10_000;
      await r.observe(slow);
    }
    expect(await outbox()).toHaveLength(1);
    nowMs += 3_600_000;
    await r.observe(slow);
    expect(await outbox()).toHaveLength(2);
  });

  it('sends a resolved notification once, at the next group interval', async () => {
    const r = router({ channels: [hook], grouping: { groupWait: '0s', groupInterval: '10s' } });
    await r.observe(snapshotWith({ 'application.responseTime.p99': 1500 }));
    nowMs += 5_000;
    await r.observe(fine);
    expect((await outbox()).map((o) => o.status)).toEqual(['firing']);
    nowMs += 5_000;
    await r.flush();
    nowMs += 10_000;
    await r.observe(fine);
    expect(await outbox()).toEqual([
      { channel: 'ops', status: 'firing', alerts: ['high_latency:firing'] },
      { channel: 'ops', status: 'resolved', alerts: ['high_latency:resolved'] },
    ]);
    const [state] = (await store.alertStates('local')).filter((s) => s.rule === 'high_latency');
    expect(state).toMatchObject({ phase: 'resolved', firedAtMs: Date.parse('2026-11-27T01:00:00.000Z'), resolvedAtMs: Date.parse('2026-11-27T01:00:05.000Z') });
  });

  it('a resolution seen after the group has been quiet for groupInterval is sent in the same pass', async () => {
    const r = router({ channels: [hook], grouping: { groupWait: '2s', groupInterval: '10s' } });
    await r.observe(snapshotWith({ 'application.responseTime.p99': 1500 }));
    nowMs += 2_300;
    await r.flush();
    for (let i = 0; i < 25; i++) {
      nowMs += 250;
      await r.flush();
    }
    nowMs += 11_000;
    await r.observe(fine);
    expect(await outbox()).toEqual([
      { channel: 'ops', status: 'firing', alerts: ['high_latency:firing'] },
      { channel: 'ops', status: 'resolved', alerts: ['high_latency:resolved'] },
    ]);
  });

  it('routes by severity, environment and labels', async () => {
    const r = router({
      channels: [hook, { name: 'pd', type: 'pagerduty', routingKey: 'k', url: 'http://127.0.0.1:9/' }, { name: 'log', type: 'log' }],
      routes: [
        { channels: ['pd'], match: { severity: ['high'], environment: ['local'] } },
        { channels: ['ops'], match: { labels: { alertname: 'high_error_rate' } } },
        { channels: ['log'], match: { environment: ['prod'] } },
      ],
      grouping: { groupWait: '0s' },
    });
    await r.observe(slow);
    expect(await outbox()).toEqual([
      { channel: 'pd', status: 'firing', alerts: ['high_latency:firing'] },
      { channel: 'ops', status: 'firing', alerts: ['high_error_rate:firing'] },
    ]);
  });

  it('a severity change is told at once: the page is resolved when the alert falls back to warning', async () => {
    const r = router({
      channels: [hook, { name: 'pd', type: 'pagerduty', routingKey: 'k', url: 'http://127.0.0.1:9/' }],
      routes: [{ channels: ['pd'], match: { severity: ['high'] } }, { channels: ['ops'], match: {} }],
      grouping: { groupWait: '0s', groupInterval: '10s' },
    });
    const told = async () => (await store.outboxItems({ limit: 1000 })).reverse().map((i) => `${i.channel} ${i.notification.alerts.map((a) => `${a.status}:${a.labels.severity}${a.endsAt ? `:ended ${(Date.parse(a.endsAt) - Date.parse('2026-11-27T01:00:00.000Z')) / 1000}s` : ''}`).join(', ')}`);
    // high_error_rate: > 1 % medium, > 5 % high, clears at 0.8 %.
    for (const errorRate of [0.02, 0.07, 0.07, 0.02, 0.02, 0.001, 0.001]) {
      await r.observe(snapshotWith({ 'application.errorRate': errorRate }));
      nowMs += 10_000;
    }
    expect(await told()).toEqual([
      'ops firing:medium',
      'pd firing:high',
      'ops firing:high, resolved:medium:ended 10s',
      'pd resolved:high:ended 30s',
      'ops firing:medium, resolved:high:ended 30s',
      'ops resolved:medium:ended 50s',
    ]);
    expect(await store.groupStates()).toEqual([]);
  });

  it('values oscillating around the thresholds send one notification per real change, not one per crossing', async () => {
    const r = router({ channels: [hook], grouping: { groupWait: '0s', groupInterval: '10s' } });
    // p99 around 1000 ms (clear 900); the error rate around 5 % (high steps down below 4 %).
    const p99 = [800, 1050, 980, 1020, 950, 1010, 990, 1001, 960, 920, 1005, 850, 850];
    const errorRate = [0.02, 0.049, 0.051, 0.045, 0.055, 0.042, 0.052, 0.041, 0.047, 0.053, 0.044, 0.002, 0.002];
    for (let i = 0; i < p99.length; i++) {
      await r.observe(snapshotWith({ 'application.responseTime.p99': p99[i]!, 'application.errorRate': errorRate[i]! }));
      nowMs += 10_000;
    }
    const told = (await store.outboxItems({ limit: 1000 })).reverse().map((i) => i.notification.alerts.map((a) => `${a.labels.alertname}:${a.status}:${a.labels.severity}`).join(', '));
    expect(told).toEqual([
      'high_error_rate:firing:medium',
      'high_latency:firing:high',
      'high_error_rate:firing:high, high_error_rate:resolved:medium',
      'high_error_rate:resolved:high',
      'high_latency:resolved:high',
    ]);
  });

  it('groupBy severity: a severity change moves the alert to its new group and resolves it in the old', async () => {
    const r = router({ channels: [hook], grouping: { groupBy: ['alertname', 'severity'], groupWait: '0s', groupInterval: '10s' } });
    const told = async () => (await store.outboxItems({ limit: 1000 })).reverse().map((i) => `${JSON.stringify(i.notification.groupLabels)} ${i.notification.alerts.map((a) => `${a.status}:${a.labels.severity}`).join(', ')}`);
    for (const errorRate of [0.02, 0.07, 0.07, 0.001]) {
      await r.observe(snapshotWith({ 'application.errorRate': errorRate }));
      nowMs += 10_000;
    }
    expect(await told()).toEqual([
      '{"alertname":"high_error_rate","severity":"medium"} firing:medium',
      '{"alertname":"high_error_rate","severity":"high"} firing:high',
      '{"alertname":"high_error_rate","severity":"medium"} resolved:medium',
      '{"alertname":"high_error_rate","severity":"high"} resolved:high',
    ]);
    expect(await store.groupStates()).toEqual([]);
  });

  it('a silenced alert is not sent; once the silence expires it is', async () => {
    const r = router({ channels: [hook], grouping: { groupWait: '0s', groupInterval: '10s' } });
    await store.addSilence({ id: 's1', matchers: [parseMatcher('alertname=high_latency')!], startsMs: nowMs, endsMs: nowMs + 3_600_000, createdBy: 'test', comment: 'deploy' });
    await r.observe(slow);
    expect((await outbox()).flatMap((o) => o.alerts)).toEqual(['high_error_rate:firing']);
    nowMs += 10_000;
    expect(await store.expireSilence('s1', nowMs)).toBe(true);
    await r.observe(slow);
    expect((await outbox()).flatMap((o) => o.alerts)).toEqual(['high_error_rate:firing', 'high_latency:firing']);
  });

  it('re-sends firing alerts to an Alertmanager every resendInterval, each alert on its own', async () => {
    const r = router({ channels: [{ name: 'am', type: 'alertmanager', url: 'http://127.0.0.1:9', resendInterval: '1m' }], grouping: { groupWait: '30s' } });
    await r.observe(slow);
    expect(await outbox()).toHaveLength(2);
    for (let i = 0; i < 6; i++) {
      nowMs += 10_000;
      await r.observe(slow);
    }
    expect(await outbox()).toHaveLength(4);
  });

  it('flushDue reads the store only when a group timer, a repeat or a silence end is due (or every MAX_IDLE_MS)', async () => {
    let reads = 0;
    const counted = new Proxy(store, {
      get(target, prop, receiver) {
        const value = Reflect.get(target, prop, receiver);
        if (prop === 'alertStates' || prop === 'groupStates' || prop === 'silences') return (...args: unknown[]) => { reads++; return (value as (...a: unknown[]) => unknown).apply(target, args); };
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const config = Config.parse({ alerts: { channels: [hook], grouping: { groupBy: ['environment'], groupWait: '2s', groupInterval: '10s', repeatInterval: '1h' } } });
    const r = createAlertRouter({ store: counted, alerts: config.alerts, rules: BUILTIN_RULES, locale: 'en', logger: createLogger({ level: 'silent' }), now: () => nowMs });
    await store.addSilence({ id: 's1', matchers: [parseMatcher('alertname=high_error_rate')!], startsMs: nowMs, endsMs: nowMs + 3_000, createdBy: 'test', comment: 'deploy' });
    const start = nowMs;
    await r.observe(slow);
    const ticks = async (untilMs: number) => {
      reads = 0;
      for (; nowMs < untilMs; nowMs += 250) await r.flushDue();
      return reads;
    };
    expect(await ticks(start + 2_000)).toBe(0);
    expect(await ticks(start + 2_250)).toBe(3);
    expect((await outbox()).map((o) => o.alerts)).toEqual([['high_latency:firing']]);
    // The silence ends at 3 s: one pass, but the group waits for its group_interval (12 s).
    expect(await ticks(start + 3_250)).toBe(3);
    expect(await ticks(start + 8_000)).toBe(0);
    // Nothing due for 5 s: one pass anyway, for what other processes changed.
    expect(await ticks(start + 8_250)).toBe(3);
    expect(await ticks(start + 12_000)).toBe(0);
    expect(await ticks(start + 12_250)).toBe(3);
    expect((await outbox()).map((o) => o.alerts)).toEqual([['high_latency:firing'], ['high_latency:firing', 'high_error_rate:firing']]);
  });

  it('sends one-off events (the Notifier) to the matching channels', async () => {
    const r = router({ channels: [hook, { name: 'log', type: 'log' }], routes: [{ channels: ['ops'], match: { labels: { target: 'redis' } } }, { channels: ['log'], match: { severity: ['high'] } }] });
    await r.notify({ name: 'optimization_applied', environment: 'local', severity: 'low', summary: 'maxmemory-policy set to allkeys-lru', labels: { target: 'redis' } });
    const [item] = await store.outboxItems();
    expect(item!.channel).toBe('ops');
    expect(item!.notification.alerts[0]).toMatchObject({ status: 'firing', labels: { alertname: 'optimization_applied', environment: 'local', target: 'redis', severity: 'low' }, annotations: { description: 'maxmemory-policy set to allkeys-lru' } });
  });
});
