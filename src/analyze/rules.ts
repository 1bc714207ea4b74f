import type { FieldPath } from '../model/fields.js';
import type { Locale, Severity } from './analysis.js';

export type Comparison = '>' | '<';

/** A threshold rule, as data. */
export interface Rule {
  readonly name: string;
  readonly field: FieldPath;
  readonly comparison: Comparison;
  readonly threshold: number;
  readonly severity: Severity;
  readonly text: Record<Locale, { readonly description: string; readonly recommendation: string }>;
}

/** The original design's four rules, thresholds and severities unchanged (DESIGN.md §3). */
export const ORIGINAL_RULES: readonly Rule[] = [
  {
    name: 'high_latency',
    field: 'application.responseTime.p99',
    comparison: '>',
    threshold: 1000,
    severity: 'high',
    text: {
      en: { description: 'API response time is too high.', recommendation: 'Review the caching strategy and optimize database queries.' },
      ko: { description: 'API 응답 시간이 너무 높습니다.', recommendation: '캐싱 전략을 검토하고 데이터베이스 쿼리를 최적화하세요.' },
    },
  },
  {
    name: 'slow_queries',
    field: 'database.queryTime.p90',
    comparison: '>',
    threshold: 500,
    severity: 'medium',
    text: {
      en: { description: 'Database queries are slow.', recommendation: 'Add indexes and optimize the slow queries.' },
      ko: { description: '데이터베이스 쿼리가 느립니다.', recommendation: '인덱스를 추가하고 쿼리를 최적화하세요.' },
    },
  },
  {
    name: 'low_cache_hit_rate',
    field: 'cache.hitRate',
    comparison: '<',
    threshold: 0.8,
    severity: 'medium',
    text: {
      en: { description: 'The cache hit rate is low.', recommendation: 'Review the cache keys, TTLs and eviction policy.' },
      ko: { description: '캐시 적중률이 낮습니다.', recommendation: '캐시 키 전략과 TTL 설정을 검토하세요.' },
    },
  },
  {
    name: 'high_cpu_usage',
    field: 'resources.cpu.usage',
    comparison: '>',
    threshold: 80,
    severity: 'high',
    text: {
      en: { description: 'CPU usage is high.', recommendation: 'Scale out or optimize CPU-heavy code paths.' },
      ko: { description: 'CPU 사용률이 높습니다.', recommendation: '스케일 아웃을 고려하거나 CPU 집약적인 작업을 최적화하세요.' },
    },
  },
];
