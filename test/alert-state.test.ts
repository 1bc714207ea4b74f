import { describe, expect, it } from 'vitest';
import { advanceAlerts, type AlertState } from '../src/analyze/alert-state.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { evaluateRules } from '../src/analyze/evaluate-rules.js';
import type { Rule } from '../src/analyze/rules.js';
import type { FieldPath } from '../src/model/fields.js';
import type { SourceStatus } from '../src/model/snapshot.js';
import { snapshotWith } from './support/snapshots.js';

const rule = (name: string): Rule => BUILTIN_RULES.find((r) => r.name === name)!;

/** Runs a series through one rule, one evaluation every `stepMs`; returns the phase after each. */
function run(r: Rule, field: FieldPath, series: readonly (number | null)[], stepMs = 10_000, sources?: Record<string, SourceStatus>) {
  let states = new Map<string, AlertState>();
  const phases: string[] = [];
  series.forEach((value, i) => {
    const snapshot = snapshotWith({ [field]: value }, sources ? { sources } : {});
    const next = advanceAlerts(states, evaluateRules(snapshot, [r]), i * stepMs, 'en');
    states = new Map([...states, ...next.map((s) => [s.fingerprint, s] as const)]);
    phases.push([...states.values()][0]?.phase ?? '-');
  });
  return { phases, states: [...states.values()] };
}

describe('alert states', () => {
  it('hysteresis: a series oscillating around the threshold fires once and does not flap', () => {
    // high_latency: fires above 1000 ms, clears at or below 900 ms.
    const series = [800, 1050, 980, 1020, 950, 1010, 990, 1001, 960, 890, 990];
    const { phases } = run(rule('high_latency'), 'application.responseTime.p99', series);
    expect(phases).toEqual(['-', 'firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'firing', 'resolved', 'resolved']);
  });

  it('without hysteresis the same series would flap; with it there is one firing and one resolve', () => {
    const flappy: Rule = { ...rule('high_latency'), clear: null };
    const { phases } = run(flappy, 'application.responseTime.p99', [800, 1050, 980, 1020, 950]);
    expect(phases).toEqual(['-', 'firing', 'resolved', 'firing', 'resolved']);
  });

  it('for: a single short spike does not fire; a sustained one does after `for`', () => {
    // high_cpu_usage: > 80 %, for 30 s, clear 70.
    const spike = run(rule('high_cpu_usage'), 'resources.cpu.usage', [20, 95, 20, 20]);
    expect(spike.phases).toEqual(['-', 'pending', 'inactive', 'inactive']);
    const sustained = run(rule('high_cpu_usage'), 'resources.cpu.usage', [20, 95, 92, 90, 91, 60]);
    expect(sustained.phases).toEqual(['-', 'pending', 'pending', 'pending', 'firing', 'resolved']);
    expect(sustained.states[0]).toMatchObject({ firedAtMs: 40_000, resolvedAtMs: 50_000, severity: 'high' });
  });

  it('keep_firing_for holds a firing alert after its condition ends', () => {
    // deadlocks: > 0, keep firing 5 min.
    const { phases } = run(rule('deadlocks'), 'database.deadlocks', [0, 2, 0, 0, 0, 0], 120_000);
    expect(phases).toEqual(['-', 'firing', 'firing', 'firing', 'resolved', 'resolved']);
  });

  it('the severity follows the highest threshold crossed, and stays while between clear and threshold', () => {
    const { states } = run(rule('high_error_rate'), 'application.errorRate', [0.02, 0.07, 0.009]);
    expect(states[0]).toMatchObject({ phase: 'firing', severity: 'medium', value: 0.009 });
  });

  it('severities have hysteresis too: a value around the critical threshold does not flap between warning and critical', () => {
    // high_error_rate: medium > 1 %, high > 5 %, clear 0.8 %: high steps down below 5 % × 0.8 = 4 %.
    const series = [0.02, 0.049, 0.051, 0.045, 0.055, 0.042, 0.052, 0.041, 0.039, 0.045, 0.009, 0.007];
    let states = new Map<string, AlertState>();
    const seen: string[] = [];
    series.forEach((value, i) => {
      const next = advanceAlerts(states, evaluateRules(snapshotWith({ 'application.errorRate': value }), [rule('high_error_rate')]), i * 10_000, 'en');
      states = new Map(next.map((s) => [s.fingerprint, s] as const));
      seen.push(`${next[0]!.phase}:${next[0]!.severity}`);
    });
    expect(seen).toEqual([
      'firing:medium', 'firing:medium', 'firing:high', 'firing:high', 'firing:high', 'firing:high', 'firing:high', 'firing:high',
      'firing:medium', 'firing:medium', 'firing:medium', 'resolved:medium',
    ]);
    // A "<" rule: throughput_drop, medium < 0.5, high < 0.2, clear 0.7: high steps up above 0.2 × 1.4 = 0.28.
    const drop: Rule = { ...rule('throughput_drop'), metric: 'application.throughput', forMs: 0 };
    const { states: after } = run(drop, 'application.throughput', [0.4, 0.1, 0.25, 0.27, 0.3]);
    expect(after[0]).toMatchObject({ phase: 'firing', severity: 'medium' });
    const { states: held } = run(drop, 'application.throughput', [0.4, 0.1, 0.25, 0.27]);
    expect(held[0]).toMatchObject({ phase: 'firing', severity: 'high' });
  });

  it('no data: ignored by default; with noData alert it fires after the duration', () => {
    expect(run(rule('high_latency'), 'application.responseTime.p99', [null, null, null]).phases).toEqual(['-', '-', '-']);
    const watched: Rule = { ...rule('high_latency'), noData: { mode: 'alert', afterMs: 20_000, severity: 'medium' } };
    const { phases, states } = run(watched, 'application.responseTime.p99', [null, null, null, 200, 200]);
    expect(phases).toEqual(['inactive', 'inactive', 'firing', 'resolved', 'resolved']);
    expect(states[0]).toMatchObject({ noData: true, resolvedAtMs: 30_000, description: 'No data for application.responseTime.p99.' });
  });

  it('no data while a source is down: the rule stays quiet and source_down fires once', () => {
    const watched: Rule = { ...rule('high_latency'), noData: { mode: 'alert', afterMs: 0, severity: 'medium' } };
    const down = { app: { status: 'error', message: 'connect ECONNREFUSED', reason: 'network' } } as const;
    const rules = [watched, rule('high_cpu_usage'), rule('low_cache_hit_rate'), rule('source_down')];
    let states = new Map<string, AlertState>();
    for (let i = 0; i < 5; i++) {
      const next = advanceAlerts(states, evaluateRules(snapshotWith({}, { sources: down }), rules), i * 10_000, 'en');
      states = new Map([...states, ...next.map((s) => [s.fingerprint, s] as const)]);
    }
    const firing = [...states.values()].filter((s) => s.phase === 'firing');
    expect(firing.map((s) => [s.rule, s.labels.source])).toEqual([['source_down', 'app']]);
  });

  it('a firing alert whose rule is gone resolves instead of firing forever', () => {
    const r = rule('high_latency');
    const first = advanceAlerts(new Map(), evaluateRules(snapshotWith({ 'application.responseTime.p99': 2000 }), [r]), 0, 'en');
    expect(first.map((s) => s.phase)).toEqual(['firing']);
    const after = advanceAlerts(new Map(first.map((s) => [s.fingerprint, s])), evaluateRules(snapshotWith({ 'application.responseTime.p99': 2000 }), [rule('high_cpu_usage')]), 10_000, 'en');
    expect(after.map((s) => [s.rule, s.phase, s.resolvedAtMs])).toEqual([['high_latency', 'resolved', 10_000]]);
  });
});
