import { z } from 'zod';
import { isDerivedMetric } from '../analyze/derived-metrics.js';
import { checkRule, mergeRule } from '../analyze/resolve-rules.js';
import { isFieldPath } from '../model/fields.js';
import { DurationMs } from './duration.js';
import { parseDurationMs } from '../util/duration.js';

/** A duration that may be 0 ("0s"): `for` and `keepFiringFor`. */
export const DurationOrZeroMs = z.union([z.string(), z.number()]).transform((value, ctx) => {
  const ms = parseDurationMs(value);
  if (ms === null || ms < 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration such as "0s", "30s", "5m"' });
    return z.NEVER;
  }
  return ms;
});

const Severity = z.enum(['low', 'medium', 'high']);
const Metric = z.string().refine((s) => isFieldPath(s) || isDerivedMetric(s) || s === 'source.down', {
  message: 'expected a field of the model such as "application.responseTime.p99", or a derived metric such as "cache.memory.usedRatio"',
});
const Comparison = z.enum(['>', '<']);
const Text = z.strictObject({ description: z.string().min(1), recommendation: z.string().min(1) });

/**
 * One entry of `rules:`. An entry named like a built-in rule overrides just the keys it sets
 * (`enabled: false` turns it off); any other name adds a rule, which then needs `metric`,
 * `comparison`, `thresholds` and `text.en`.
 *
 * ```yaml
 * rules:
 *   - { name: high_latency, thresholds: { high: 800 }, clear: 700, for: 30s }
 *   - name: checkout_p90
 *     metric: application.responseTime.p90
 *     comparison: '>'
 *     thresholds: { medium: 300, high: 600 }
 *     clear: 250
 *     for: 1m
 *     keepFiringFor: 2m
 *     evaluationWindow: 30s                             # default: alerts.evaluationWindow
 *     noData: { alertAfter: 10m, severity: medium }   # or: ignore
 *     labels: { team: payments }
 *     text: { en: { description: Checkout is slow., recommendation: Profile the checkout path. } }
 * ```
 */
const RuleFields = z.strictObject({
  name: z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a name of lowercase letters, digits and "_"'),
  enabled: z.boolean().optional(),
  metric: Metric.optional(),
  comparison: Comparison.optional(),
  thresholds: z.strictObject({ low: z.number().finite().optional(), medium: z.number().finite().optional(), high: z.number().finite().optional() })
    .refine((t) => Object.values(t).some((v) => v !== undefined), { message: 'expected at least one of low, medium, high' })
    .optional(),
  clear: z.number().finite().nullable().optional(),
  for: DurationOrZeroMs.optional(),
  keepFiringFor: DurationOrZeroMs.optional(),
  /** How far back the rule looks when alerting (default `alerts.evaluationWindow`). */
  evaluationWindow: DurationMs.optional(),
  noData: z.union([z.literal('ignore'), z.strictObject({ alertAfter: DurationOrZeroMs, severity: Severity.default('medium') })]).optional(),
  when: z.array(z.strictObject({ metric: Metric, comparison: Comparison, value: z.number().finite() })).optional(),
  labels: z.record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'expected a label name'), z.string()).optional(),
  text: z.strictObject({ en: Text, ko: Text.optional() }).optional(),
});
/** An entry, checked as a whole against the built-in rule it overrides (if any). */
export const RuleEntry = RuleFields.superRefine((entry, ctx) => {
  const merged = mergeRule(entry);
  const problems = 'missing' in merged
    ? merged.missing.map((key) => ({ key, message: `expected ${key} for the new rule "${entry.name}"` }))
    : checkRule(merged);
  for (const p of problems) ctx.addIssue({ code: 'custom', path: p.key.split('.'), message: p.message, input: (entry as Record<string, unknown>)[p.key.split('.')[0]!] });
});
export type RuleEntry = z.output<typeof RuleEntry>;

/** `rules:`: each entry is checked on its own, so every bad rule is reported with its path. */
export const RulesConfig = z.array(RuleEntry).superRefine((entries, ctx) => {
  const seen = new Set<string>();
  entries.forEach((entry, i) => {
    if (seen.has(entry.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `expected a unique name; "${entry.name}" is given twice`, input: entry.name });
    seen.add(entry.name);
  });
});
