import { describe, expect, it } from 'vitest';
import type { Severity, Status } from '../src/analyze/analysis.js';
import { analyzePerformance } from '../src/analyze/analyze-performance.js';
import { ORIGINAL_RULES } from '../src/analyze/rules.js';
import { deriveStatus } from '../src/analyze/status.js';
import { writeField, type FieldPath } from '../src/model/fields.js';
import { emptyMetrics } from '../src/model/empty-metrics.js';
import type { Snapshot } from '../src/model/snapshot.js';

const NOW = new Date('2026-11-27T01:05:00.000Z');

function snapshotWith(readings: Partial<Record<FieldPath, number | null>>): Snapshot {
  const metrics = emptyMetrics();
  for (const [field, value] of Object.entries(readings)) writeField(metrics, field as FieldPath, value);
  return { environment: 'prod', window: { start: '2026-11-27T01:00:00.000Z', end: '2026-11-27T01:05:00.000Z' }, metrics, sources: {} };
}

const analyze = (readings: Partial<Record<FieldPath, number | null>>, locale: 'en' | 'ko' = 'en') =>
  analyzePerformance(snapshotWith(readings), { rules: ORIGINAL_RULES, locale, now: NOW });

/** The four rules of the original design: field, threshold, which side fires, severity. */
const CASES = [
  { rule: 'high_latency', field: 'application.responseTime.p99', threshold: 1000, fires: 'above', severity: 'high', status: 'critical' },
  { rule: 'slow_queries', field: 'database.queryTime.p90', threshold: 500, fires: 'above', severity: 'medium', status: 'warning' },
  { rule: 'low_cache_hit_rate', field: 'cache.hitRate', threshold: 0.8, fires: 'below', severity: 'medium', status: 'warning' },
  { rule: 'high_cpu_usage', field: 'resources.cpu.usage', threshold: 80, fires: 'above', severity: 'high', status: 'critical' },
] as const;

describe('the original four rules', () => {
  for (const c of CASES) {
    const step = c.threshold < 1 ? 0.001 : 0.1;
    const below = c.threshold - step;
    const above = c.threshold + step;
    it(`${c.rule}: just below, at and just above ${c.threshold}`, () => {
      for (const [value, fires] of [[below, c.fires === 'below'], [c.threshold, false], [above, c.fires === 'above']] as const) {
        const a = analyze({ [c.field]: value });
        if (fires) {
          expect(a.issues).toHaveLength(1);
          expect(a.issues[0]).toMatchObject({ type: c.rule, severity: c.severity, metrics: { [c.field]: value } });
          expect(a.status).toBe(c.status);
        } else {
          expect(a.issues, `${c.field} = ${value}`).toEqual([]);
          expect(a.status).toBe('healthy');
        }
        expect(a.noData.map((n) => n.rule)).toEqual(CASES.filter((o) => o.rule !== c.rule).map((o) => o.rule));
      }
    });
  }

  it('gives the English description and recommendation', () => {
    const a = analyze({ 'application.responseTime.p99': 1500 });
    expect(a.issues[0]).toMatchObject({
      description: 'API response time is too high.',
      recommendation: 'Review the caching strategy and optimize database queries.',
    });
  });

  it('gives the original Korean sentences with locale ko', () => {
    const a = analyze({ 'application.responseTime.p99': 1500, 'database.queryTime.p90': 600, 'cache.hitRate': 0.5, 'resources.cpu.usage': 95 }, 'ko');
    expect(a.issues.map((i) => [i.type, i.description, i.recommendation])).toEqual([
      ['high_latency', 'API 응답 시간이 너무 높습니다.', '캐싱 전략을 검토하고 데이터베이스 쿼리를 최적화하세요.'],
      ['slow_queries', '데이터베이스 쿼리가 느립니다.', '인덱스를 추가하고 쿼리를 최적화하세요.'],
      ['low_cache_hit_rate', '캐시 적중률이 낮습니다.', '캐시 키 전략과 TTL 설정을 검토하세요.'],
      ['high_cpu_usage', 'CPU 사용률이 높습니다.', '스케일 아웃을 고려하거나 CPU 집약적인 작업을 최적화하세요.'],
    ]);
    expect(a.status).toBe('critical');
  });

  it('treats null as no data, never as an issue (a hit rate of null is not 0)', () => {
    const a = analyze({ 'cache.hitRate': null, 'resources.cpu.usage': null });
    expect(a.issues).toEqual([]);
    expect(a.status).toBe('healthy');
    expect(a.noData).toEqual(CASES.map((c) => ({ rule: c.rule, field: c.field })));
    const zero = analyze({ 'cache.hitRate': 0 });
    expect(zero.issues.map((i) => i.type)).toEqual(['low_cache_hit_rate']);
  });

  it('derives the status for every mix of the four rules firing', () => {
    for (let mask = 0; mask < 16; mask++) {
      const firing = CASES.filter((_, i) => mask & (1 << i));
      const readings = Object.fromEntries(CASES.map((c) => {
        const on = firing.includes(c);
        const value = c.fires === 'above' ? (on ? c.threshold * 2 : c.threshold / 2) : on ? c.threshold / 2 : 0.99;
        return [c.field, value];
      }));
      const a = analyze(readings);
      const expected: Status = firing.some((c) => c.severity === 'high') ? 'critical' : firing.length > 0 ? 'warning' : 'healthy';
      expect(a.issues.map((i) => i.type), `mask ${mask}`).toEqual(firing.map((c) => c.rule));
      expect(a.status, `mask ${mask}`).toBe(expected);
      expect(a.noData).toEqual([]);
    }
  });
});

describe('status derivation', () => {
  const all: Severity[] = ['low', 'medium', 'high'];
  it('is critical with any high, warning with any medium, healthy otherwise, for every mix', () => {
    for (let mask = 0; mask < 8; mask++) {
      const mix = all.filter((_, i) => mask & (1 << i));
      for (const list of [mix, [...mix, ...mix].reverse()]) {
        const expected: Status = mix.includes('high') ? 'critical' : mix.includes('medium') ? 'warning' : 'healthy';
        expect(deriveStatus(list), list.join(',')).toBe(expected);
      }
    }
  });
});
