import type { Snapshot } from '../model/snapshot.js';
import { inEveryLocale, type Analysis, type Issue, type Locale } from './analysis.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import { evaluateRules, type RuleEvaluation } from './evaluate-rules.js';
import { NO_EVIDENCE, type Evidence } from './evidence.js';
import { recommend } from './recommendations.js';
import type { Rule } from './rules.js';
import { deriveStatus } from './status.js';

export interface AnalyzeOptions {
  readonly locale?: Locale;
  /** The rules to evaluate; the built-in ones by default (see `resolveRules` for config). */
  readonly rules?: readonly Rule[];
  readonly now?: Date;
  /** Metrics of the recent windows before this one, oldest first (for baselines). */
  readonly history?: readonly Snapshot['metrics'][];
  /** max_connections, maxmemory-policy, keys with TTLs (see `evidenceFromSamples`). */
  readonly evidence?: Evidence;
}

/**
 * The original design's `analyzePerformance`: evaluates each rule against the snapshot,
 * derives the status as the original did, and fills the recommendations. Pure.
 * A rule whose metric is null does not fire; it is listed under `noData`. This is the
 * snapshot's own verdict; `for`, hysteresis and resolution are the alert states' job
 * (`advanceAlerts`).
 */
export function analyzePerformance(snapshot: Snapshot, options: AnalyzeOptions = {}): Analysis {
  const evaluations = evaluateRules(snapshot, options.rules ?? BUILTIN_RULES, {
    history: options.history ?? [],
    evidence: options.evidence ?? NO_EVIDENCE,
  });
  return analysisOf(snapshot, evaluations, options);
}

/** Builds the Analysis from evaluations already made (so alerting can reuse them). Pure. */
export function analysisOf(snapshot: Snapshot, evaluations: readonly RuleEvaluation[], options: AnalyzeOptions = {}): Analysis {
  const locale = options.locale ?? 'en';
  const issues: Issue[] = [];
  const noData: Analysis['noData'][number][] = [];
  for (const ev of evaluations) {
    if (ev.noData) {
      noData.push({ rule: ev.rule.name, field: ev.rule.metric });
      continue;
    }
    if (ev.severity === null) continue;
    const text = inEveryLocale((l) => {
      const { description, recommendation } = ev.rule.text[l];
      return { description: ev.detail ? `${description} (${ev.detail})` : description, recommendation };
    });
    issues.push({
      type: ev.rule.name,
      severity: ev.severity,
      description: text[locale].description,
      metrics: ev.readings,
      labels: ev.labels,
      recommendation: text[locale].recommendation,
      text,
    });
  }
  return {
    environment: snapshot.environment,
    window: snapshot.window,
    analyzedAt: (options.now ?? new Date()).toISOString(),
    status: deriveStatus(issues.map((i) => i.severity)),
    issues,
    recommendations: recommend(issues, options.evidence ?? NO_EVIDENCE, locale),
    noData,
  };
}
