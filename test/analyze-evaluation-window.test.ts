import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertListener } from '../src/alert/alert-listener.js';
import { createAlertRouter } from '../src/alert/router.js';
import { advanceAlerts, type AlertState } from '../src/analyze/alert-state.js';
import { createAnalysisContext } from '../src/analyze/analysis-context.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { evaluateRules } from '../src/analyze/evaluate-rules.js';
import { evaluationSnapshot } from '../src/analyze/evaluation-snapshot.js';
import { resolveRules } from '../src/analyze/resolve-rules.js';
import { createCollectPerformanceMetrics } from '../src/collect/collect-performance-metrics.js';
import { Config } from '../src/config/schema.js';
import { createLogger } from '../src/log.js';
import type { SampledSource } from '../src/sources/source.js';
import { openSqliteStore } from '../src/store/sqlite/sqlite-store.js';
import type { Store } from '../src/store/store.js';
import { snapshotWith } from './support/snapshots.js';

const END_MS = Date.parse('2026-11-27T01:05:00.000Z');
const highLatency = BUILTIN_RULES.find((r) => r.name === 'high_latency')!;
const options = { windowMs: 10_000, minRequests: 200 };

describe('the evaluation snapshot', () => {
  const analysis = snapshotWith({
    'application.responseTime.p99': 1500,
    'application.errorRate': 0.02,
    'application.throughput': 40,
    'database.slowQueries': 12,
    'cache.hitRate': 0.9,
    'resources.cpu.usage': 50,
  }, { sources: { app: { status: 'ok' }, cloudwatch: { status: 'ok' } } });

  it('takes the latest interval’s readings when it saw enough requests; counts and what it lacks from the analysis window', () => {
    const recent = snapshotWith({ 'application.responseTime.p99': 25, 'application.errorRate': 0, 'application.throughput': 40, 'database.slowQueries': 1, 'resources.cpu.usage': 12 }, { sources: { app: { status: 'ok', detail: '1 of 1 targets answered' } } });
    const s = evaluationSnapshot(analysis, recent, options);
    expect(s.metrics.application).toMatchObject({ responseTime: { p99: 25 }, errorRate: 0, throughput: 40 });
    expect(s.metrics.resources.cpu.usage).toBe(12);
    expect(s.metrics.database.slowQueries).toBe(12);
    expect(s.metrics.cache.hitRate).toBe(0.9);
    expect(s.window).toEqual({ start: '2026-11-27T01:04:50.000Z', end: '2026-11-27T01:05:00.000Z' });
    expect(s.sources).toEqual({ app: { status: 'ok', detail: '1 of 1 targets answered' }, cloudwatch: { status: 'ok' } });
  });

  it('below minRequests, the percentiles and error rate are the analysis window’s: one slow request of five pages nobody', () => {
    const recent = snapshotWith({ 'application.responseTime.p99': 5000, 'application.errorRate': 0.2, 'application.throughput': 0.5 });
    const s = evaluationSnapshot({ ...analysis, metrics: snapshotWith({ 'application.responseTime.p99': 300, 'application.errorRate': 0.001 }).metrics }, recent, options);
    expect(s.metrics.application).toMatchObject({ responseTime: { p99: 300 }, errorRate: 0.001, throughput: 0.5 });
    expect(evaluateRules(analysis, [highLatency], { snapshotOf: () => s })[0]).toMatchObject({ value: 300, severity: null });
  });

  it('exactly minRequests is enough; no throughput at all is not', () => {
    const at = (throughput: number | null) => evaluationSnapshot(analysis, snapshotWith({ 'application.responseTime.p99': 25, 'application.throughput': throughput }), options).metrics.application.responseTime.p99;
    expect(at(20)).toBe(25);
    expect(at(19.9)).toBe(1500);
    expect(at(null)).toBe(1500);
  });

  it('a latency step fires on the first interval and resolves on the first clean one, while the 5-minute p99 is still high', () => {
    // p99 of each 10 s interval, and of the 5-minute window, cycle by cycle.
    const latest = [20, 20, 1500, 1500, 1500, 1200, 20, 20];
    const fiveMinutes = [20, 20, 1500, 1500, 1500, 1500, 1500, 1500];
    let states = new Map<string, AlertState>();
    const phases = latest.map((p99, i) => {
      const recent = snapshotWith({ 'application.responseTime.p99': p99, 'application.throughput': 40 });
      const analysis5m = snapshotWith({ 'application.responseTime.p99': fiveMinutes[i]!, 'application.throughput': 40 });
      const evaluation = evaluationSnapshot(analysis5m, recent, options);
      const next = advanceAlerts(states, evaluateRules(analysis5m, [highLatency], { snapshotOf: () => evaluation }), i * 10_000, 'en');
      states = new Map(next.map((s) => [s.fingerprint, s]));
      return next[0]?.phase ?? '-';
    });
    expect(phases).toEqual(['-', '-', 'firing', 'firing', 'firing', 'firing', 'resolved', 'resolved']);
    expect([...states.values()][0]).toMatchObject({ firedAtMs: 20_000, resolvedAtMs: 60_000 });
  });
});

describe('configuration', () => {
  it('alerts.evaluationWindow defaults to the interval (unset), minRequests to 200; a rule may set its own window', () => {
    const defaults = Config.parse({}).alerts;
    expect(defaults.evaluationWindow).toBeUndefined();
    expect(defaults.minRequests).toBe(200);
    const config = Config.parse({ alerts: { evaluationWindow: '30s', minRequests: 50 }, rules: [{ name: 'high_latency', evaluationWindow: '5m' }] });
    expect(config.alerts).toMatchObject({ evaluationWindow: 30_000, minRequests: 50 });
    const rules = resolveRules(config.rules);
    expect(rules.find((r) => r.name === 'high_latency')).toMatchObject({ evaluationWindowMs: 300_000, thresholds: { high: 1000 }, clear: 900 });
    expect(rules.find((r) => r.name === 'slow_queries')!.evaluationWindowMs).toBeNull();
    expect(Config.safeParse({ alerts: { minRequests: -1 } }).success).toBe(false);
  });
});

/** A sampled source whose samples are per-interval deltas: { p99, requests } over 10 s. */
const deltas: SampledSource<{ p99: number; requests: number }> = {
  kind: 'sampled',
  name: 'app',
  sample: async () => ({ p99: 0, requests: 0 }),
  readings: (_baseline, samples) => ({
    metrics: { application: {
      responseTime: { p99: Math.max(...samples.map((s) => s.data.p99)) },
      throughput: samples.reduce((n, s) => n + s.data.requests, 0) / (samples.length * 10),
    } },
  }),
};

describe('the alert listener', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'perfpilot-eval-window-'));
    store = openSqliteStore(join(dir, 'perfpilot.db'));
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs cycles every 10 s (each sample taken a little late, by a varying few ms); returns high_latency's phase after each. */
  async function cycles(latest: readonly number[], requestsPerInterval: number, evaluationWindowMs = 10_000): Promise<string[]> {
    let nowMs = END_MS;
    const alerts = Config.parse({ alerts: { channels: [{ name: 'log', type: 'log' }], grouping: { groupWait: '0s' } } }).alerts;
    const router = createAlertRouter({ store, alerts, rules: [highLatency], locale: 'en', logger: createLogger({ level: 'silent' }), now: () => nowMs });
    const listener = alertListener({
      router,
      context: createAnalysisContext(),
      samples: store,
      lookbackMs: 30_000,
      rules: [highLatency],
      collectRecent: createCollectPerformanceMetrics({ samples: store, sources: [deltas] }),
      intervalMs: 10_000,
      windowMs: 300_000,
      evaluationWindowMs,
      minRequests: 200,
    });
    const phases: string[] = [];
    for (const [i, p99] of latest.entries()) {
      const atMs = END_MS + i * 10_000 + (i % 2 ? 900 : 3);
      await store.appendSamples('local', [{ source: 'app', atMs, ok: true, data: { p99, requests: requestsPerInterval } }]);
      nowMs = atMs + 5;
      // The analysis window's p99 stays high once the step happened (slow requests take 5 minutes to leave it).
      await listener(null, snapshotWith({ 'application.responseTime.p99': Math.max(...latest.slice(0, i + 1)), 'application.throughput': requestsPerInterval / 10 }, { endMs: nowMs, sources: { app: { status: 'ok' } } }));
      phases.push((await store.alertStates('local'))[0]?.phase ?? '-');
    }
    return phases;
  }

  it('evaluates on the latest sample only, whatever the jitter of the sampling times', async () => {
    expect(await cycles([20, 20, 1500, 1500, 20, 20], 400)).toEqual(['-', '-', 'firing', 'firing', 'resolved', 'resolved']);
  });

  it('an evaluation window of two intervals reads the last two samples', async () => {
    expect(await cycles([20, 20, 1500, 1500, 20, 20], 400, 20_000)).toEqual(['-', '-', 'firing', 'firing', 'firing', 'resolved']);
  });

  it('a low-traffic service is alerted on the analysis window, as before', async () => {
    expect(await cycles([20, 20, 1500, 1500, 20, 20], 50)).toEqual(['-', '-', 'firing', 'firing', 'firing', 'firing']);
  });
});
