import type { FieldPath } from '../model/fields.js';
import type { Locale, Severity } from './analysis.js';
import type { DerivedMetric } from './derived-metrics.js';

export type Comparison = '>' | '<';

/** A field of the model, a metric derived from fields, history and evidence, or `source.down` (1 per failing source). */
export type MetricName = FieldPath | DerivedMetric | 'source.down';

export interface Condition {
  readonly metric: MetricName;
  readonly comparison: Comparison;
  readonly value: number;
}

/** What a rule does when its metric has no data (and no source is down to explain it). */
export type NoDataPolicy =
  | { readonly mode: 'ignore' }
  | { readonly mode: 'alert'; readonly afterMs: number; readonly severity: Severity };

export type RuleText = Record<Locale, { readonly description: string; readonly recommendation: string }>;

/**
 * A threshold rule, as data. Severities follow the model's three levels; the usual
 * warning/critical pair maps to medium/high, and info to low:
 *
 *   info → low (no status change), warning → medium (status warning), critical → high (status critical)
 *
 * Once active, an alert stays active until the value is back past `clear` (hysteresis), and
 * lingers `keepFiringForMs` after that. It fires only after `forMs` of being active. A higher
 * severity is held the same way: it steps down once the value is past its threshold scaled by
 * clear ÷ the lowest threshold (see `heldSeverity`).
 */
export interface Rule {
  readonly name: string;
  readonly metric: MetricName;
  readonly comparison: Comparison;
  /** At least one; the highest severity whose threshold is crossed wins. */
  readonly thresholds: Readonly<Partial<Record<Severity, number>>>;
  /** null: the lowest threshold also clears (no hysteresis). */
  readonly clear: number | null;
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /**
   * How far back the rule looks when alerting; null: `alerts.evaluationWindow` (one interval by
   * default). At or beyond the analysis window, it is evaluated on the analysis window itself.
   */
  readonly evaluationWindowMs: number | null;
  readonly noData: NoDataPolicy;
  /** Further conditions that must all hold for the rule to be active. */
  readonly when: readonly Condition[];
  readonly labels: Readonly<Record<string, string>>;
  readonly text: RuleText;
}

/** Builds the bilingual texts of a rule. */
export function ruleText(en: [string, string], ko: [string, string]): RuleText {
  return { en: { description: en[0], recommendation: en[1] }, ko: { description: ko[0], recommendation: ko[1] } };
}

/** What a built-in rule is unless it says otherwise. */
export const RULE_DEFAULTS = { when: [], labels: {}, noData: { mode: 'ignore' }, keepFiringForMs: 0, evaluationWindowMs: null } as const;

/**
 * The original design's four rules, thresholds and severities unchanged (DESIGN.md §3), with
 * the clear thresholds and `for` durations that keep their alerts from flapping.
 */
export const ORIGINAL_RULES: readonly Rule[] = [
  {
    ...RULE_DEFAULTS,
    name: 'high_latency',
    metric: 'application.responseTime.p99',
    comparison: '>',
    thresholds: { high: 1000 },
    clear: 900,
    forMs: 0,
    text: ruleText(
      ['API response time is too high.', 'Review the caching strategy and optimize database queries.'],
      ['API 응답 시간이 너무 높습니다.', '캐싱 전략을 검토하고 데이터베이스 쿼리를 최적화하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'slow_queries',
    metric: 'database.queryTime.p90',
    comparison: '>',
    thresholds: { medium: 500 },
    clear: 450,
    forMs: 30_000,
    text: ruleText(
      ['Database queries are slow.', 'Add indexes and optimize the slow queries.'],
      ['데이터베이스 쿼리가 느립니다.', '인덱스를 추가하고 쿼리를 최적화하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'low_cache_hit_rate',
    metric: 'cache.hitRate',
    comparison: '<',
    thresholds: { medium: 0.8 },
    clear: 0.85,
    forMs: 60_000,
    text: ruleText(
      ['The cache hit rate is low.', 'Review the cache keys, TTLs and eviction policy.'],
      ['캐시 적중률이 낮습니다.', '캐시 키 전략과 TTL 설정을 검토하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'high_cpu_usage',
    metric: 'resources.cpu.usage',
    comparison: '>',
    thresholds: { high: 80 },
    clear: 70,
    forMs: 30_000,
    text: ruleText(
      ['CPU usage is high.', 'Scale out or optimize CPU-heavy code paths.'],
      ['CPU 사용률이 높습니다.', '스케일 아웃을 고려하거나 CPU 집약적인 작업을 최적화하세요.'],
    ),
  },
];
