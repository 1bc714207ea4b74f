import type { LoadedConfigValues } from '../config/load.js';
import type { Severity } from './analysis.js';
import { BUILTIN_RULES } from './builtin-rules.js';
import type { Rule } from './rules.js';

/** One entry of `rules:` as validated (and frozen) by the loader. */
type RuleEntry = LoadedConfigValues['rules'][number];

const BY_NAME = new Map(BUILTIN_RULES.map((r) => [r.name, r]));
const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high'];

/**
 * A configured entry applied onto the built-in rule of that name, or a new rule.
 * A new rule missing a required key reports which.
 */
export function mergeRule(entry: RuleEntry): Rule | { missing: string[] } {
  const base = BY_NAME.get(entry.name);
  const metric = entry.metric ?? base?.metric;
  const comparison = entry.comparison ?? base?.comparison;
  const thresholds = entry.thresholds ?? base?.thresholds;
  const en = entry.text?.en ?? base?.text.en;
  if (!metric || !comparison || !thresholds || !en) {
    const missing = [['metric', metric], ['comparison', comparison], ['thresholds', thresholds], ['text', en]].filter(([, v]) => !v).map(([k]) => k as string);
    return { missing };
  }
  const defined = Object.fromEntries(Object.entries(thresholds).filter(([, v]) => v !== undefined));
  return {
    name: entry.name,
    metric,
    comparison,
    thresholds: defined,
    clear: entry.clear !== undefined ? entry.clear : (base?.clear ?? null),
    forMs: entry.for ?? base?.forMs ?? 0,
    keepFiringForMs: entry.keepFiringFor ?? base?.keepFiringForMs ?? 0,
    evaluationWindowMs: entry.evaluationWindow ?? base?.evaluationWindowMs ?? null,
    noData: entry.noData === undefined ? (base?.noData ?? { mode: 'ignore' })
      : entry.noData === 'ignore' ? { mode: 'ignore' } : { mode: 'alert', afterMs: entry.noData.alertAfter, severity: entry.noData.severity },
    when: entry.when ?? base?.when ?? [],
    labels: { ...base?.labels, ...entry.labels },
    text: { en, ko: entry.text?.ko ?? (entry.text ? en : base!.text.ko) },
  };
}

/** Inconsistencies in a whole rule: thresholds out of order, a clear level past a threshold. */
export function checkRule(rule: Rule): { key: string; message: string }[] {
  const problems: { key: string; message: string }[] = [];
  const set = SEVERITIES.filter((s) => rule.thresholds[s] !== undefined).map((s) => [s, rule.thresholds[s]!] as const);
  const up = rule.comparison === '>';
  for (let i = 1; i < set.length; i++) {
    const [lower, a] = set[i - 1]!;
    const [higher, b] = set[i]!;
    if (up ? b < a : b > a) problems.push({ key: `thresholds.${higher}`, message: `expected ${higher} ${up ? '>=' : '<='} ${lower} (${a}) for a "${rule.comparison}" rule` });
  }
  const least = up ? Math.min(...set.map(([, v]) => v)) : Math.max(...set.map(([, v]) => v));
  if (rule.clear !== null && (up ? rule.clear > least : rule.clear < least)) {
    problems.push({ key: 'clear', message: `expected a clear level ${up ? '<=' : '>='} the lowest threshold (${least}) for a "${rule.comparison}" rule` });
  }
  return problems;
}

/** The rules in force: the built-ins with `rules:` applied (overrides, additions, `enabled: false`). */
export function resolveRules(entries: readonly RuleEntry[]): Rule[] {
  const byName = new Map<string, Rule>(BUILTIN_RULES.map((r) => [r.name, r]));
  for (const entry of entries) {
    if (entry.enabled === false) {
      byName.delete(entry.name);
      continue;
    }
    const rule = mergeRule(entry);
    if (!('missing' in rule)) byName.set(entry.name, rule);
  }
  return [...byName.values()];
}
