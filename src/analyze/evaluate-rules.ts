import { isFieldPath, readField } from '../model/fields.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Severity } from './analysis.js';
import { DERIVED_METRICS, isDerivedMetric, type MetricContext } from './derived-metrics.js';
import { NO_EVIDENCE, type Evidence } from './evidence.js';
import { fingerprint } from './fingerprint.js';
import type { Comparison, MetricName, Rule } from './rules.js';

/** One rule (for one instance, e.g. one source) evaluated against one snapshot. */
export interface RuleEvaluation {
  readonly rule: Rule;
  /** Identity labels: alertname, environment, the rule's labels, the instance's labels. */
  readonly labels: Readonly<Record<string, string>>;
  readonly fingerprint: string;
  readonly value: number | null;
  /** The highest severity whose threshold is crossed now; null when none is. */
  readonly severity: Severity | null;
  /** The value is back past the clear threshold (or a `when` condition fails). */
  readonly cleared: boolean;
  /** The metric has no data. */
  readonly noData: boolean;
  /** No data, and some source is down: source_down speaks for it. */
  readonly explainedBySourceDown: boolean;
  /** Readings behind the verdict, by metric. */
  readonly readings: Readonly<Record<string, number | null>>;
  /** Extra words for the message, e.g. which source failed and why. */
  readonly detail: string | null;
}

export interface EvaluateContext {
  /** Metrics of recent windows before this one, oldest first (for baselines). */
  readonly history?: readonly Snapshot['metrics'][];
  readonly evidence?: Evidence;
  /** The snapshot of a rule's evaluation window (see `evaluationSnapshot`); default the one given. */
  readonly snapshotOf?: (rule: Rule) => Snapshot;
}

const SEVERITIES_HIGH_FIRST: readonly Severity[] = ['high', 'medium', 'low'];

export const crosses = (value: number, comparison: Comparison, threshold: number): boolean =>
  comparison === '>' ? value > threshold : value < threshold;

export function readMetric(name: MetricName, ctx: MetricContext): number | null {
  if (isFieldPath(name)) return readField(ctx.metrics, name);
  if (isDerivedMetric(name)) return DERIVED_METRICS[name](ctx);
  return null;
}

/** Evaluates every rule against a snapshot (or its own evaluation window's, `snapshotOf`). Pure. */
export function evaluateRules(analyzed: Snapshot, rules: readonly Rule[], context: EvaluateContext = {}): RuleEvaluation[] {
  const out: RuleEvaluation[] = [];
  for (const rule of rules) {
    const snapshot = context.snapshotOf?.(rule) ?? analyzed;
    const ctx: MetricContext = { metrics: snapshot.metrics, history: context.history ?? [], evidence: context.evidence ?? NO_EVIDENCE };
    const anySourceDown = Object.values(snapshot.sources).some((s) => s.status === 'error');
    const identity = { alertname: rule.name, environment: snapshot.environment, ...rule.labels };
    if (rule.metric === 'source.down') {
      for (const [source, status] of Object.entries(snapshot.sources)) {
        // Not configured, or configured but with no sample in the window yet (at start): not down.
        if (status.status === 'not_configured' || (status.status === 'error' && status.reason === 'empty')) continue;
        const detail = status.status === 'error' ? `${source}: ${status.message}` : null;
        const down = status.status === 'error' ? 1 : 0;
        out.push(verdict(rule, { ...identity, source }, down, true, { 'source.down': down }, false, detail));
      }
      continue;
    }
    const value = readMetric(rule.metric, ctx);
    const readings: Record<string, number | null> = { [rule.metric]: value };
    let whenHolds = true;
    for (const c of rule.when) {
      const v = readMetric(c.metric, ctx);
      readings[c.metric] = v;
      if (v === null || !crosses(v, c.comparison, c.value)) whenHolds = false;
    }
    out.push(verdict(rule, identity, value, whenHolds, readings, value === null && anySourceDown, null));
  }
  return out;
}

function verdict(
  rule: Rule,
  labels: Record<string, string>,
  value: number | null,
  whenHolds: boolean,
  readings: Record<string, number | null>,
  explainedBySourceDown: boolean,
  detail: string | null,
): RuleEvaluation {
  const severity = value === null || !whenHolds ? null : (SEVERITIES_HIGH_FIRST.find((s) => {
    const t = rule.thresholds[s];
    return t !== undefined && crosses(value, rule.comparison, t);
  }) ?? null);
  const cleared = value === null || !whenHolds || (rule.clear === null ? severity === null : !crosses(value, rule.comparison, rule.clear));
  return {
    rule,
    labels,
    fingerprint: fingerprint(labels),
    value,
    severity,
    cleared,
    noData: value === null,
    explainedBySourceDown,
    readings,
    detail,
  };
}
