import { readField } from '../model/fields.js';
import type { Snapshot } from '../model/snapshot.js';
import type { Analysis, Issue, Locale } from './analysis.js';
import { ORIGINAL_RULES, type Rule } from './rules.js';
import { deriveStatus } from './status.js';

export interface AnalyzeOptions {
  readonly locale?: Locale;
  readonly rules?: readonly Rule[];
  readonly now?: Date;
}

/**
 * The original design's `analyzePerformance`: evaluates each rule against the snapshot.
 * Pure. A rule whose metric is null does not fire; it is listed under `noData`.
 */
export function analyzePerformance(snapshot: Snapshot, options: AnalyzeOptions = {}): Analysis {
  const locale = options.locale ?? 'en';
  const issues: Issue[] = [];
  const noData: { rule: string; field: Rule['field'] }[] = [];
  for (const rule of options.rules ?? ORIGINAL_RULES) {
    const value = readField(snapshot.metrics, rule.field);
    if (value === null) {
      noData.push({ rule: rule.name, field: rule.field });
      continue;
    }
    const fires = rule.comparison === '>' ? value > rule.threshold : value < rule.threshold;
    if (!fires) continue;
    const text = rule.text[locale];
    issues.push({
      type: rule.name,
      severity: rule.severity,
      description: text.description,
      metrics: { [rule.field]: value },
      recommendation: text.recommendation,
    });
  }
  return {
    environment: snapshot.environment,
    window: snapshot.window,
    analyzedAt: (options.now ?? new Date()).toISOString(),
    status: deriveStatus(issues.map((i) => i.severity)),
    issues,
    recommendations: [],
    noData,
  };
}
