import { describe, expect, it } from 'vitest';
import type { Issue } from '../src/analyze/analysis.js';
import { analyzePerformance } from '../src/analyze/analyze-performance.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { evidenceFromSamples } from '../src/analyze/evidence.js';
import { recommend } from '../src/analyze/recommendations.js';
import { snapshotWith } from './support/snapshots.js';

const HANGUL = /[\uAC00-\uD7A3]/;
const ORIGINAL_FOUR = { 'application.responseTime.p99': 1500, 'database.queryTime.p90': 600, 'cache.hitRate': 0.5, 'resources.cpu.usage': 95 } as const;

describe('an analysis carries its texts in both languages', () => {
  it('in English, with the original Korean sentences beside them', () => {
    const a = analyzePerformance(snapshotWith(ORIGINAL_FOUR), { locale: 'en' });
    expect(a.issues.map((i) => [i.type, i.description, i.recommendation])).toEqual([
      ['high_latency', 'API response time is too high.', 'Review the caching strategy and optimize database queries.'],
      ['slow_queries', 'Database queries are slow.', 'Add indexes and optimize the slow queries.'],
      ['low_cache_hit_rate', 'The cache hit rate is low.', 'Review the cache keys, TTLs and eviction policy.'],
      ['high_cpu_usage', 'CPU usage is high.', 'Scale out or optimize CPU-heavy code paths.'],
    ]);
    expect(a.issues.map((i) => i.text.ko)).toEqual([
      { description: 'API 응답 시간이 너무 높습니다.', recommendation: '캐싱 전략을 검토하고 데이터베이스 쿼리를 최적화하세요.' },
      { description: '데이터베이스 쿼리가 느립니다.', recommendation: '인덱스를 추가하고 쿼리를 최적화하세요.' },
      { description: '캐시 적중률이 낮습니다.', recommendation: '캐시 키 전략과 TTL 설정을 검토하세요.' },
      { description: 'CPU 사용률이 높습니다.', recommendation: '스케일 아웃을 고려하거나 CPU 집약적인 작업을 최적화하세요.' },
    ]);
    for (const i of a.issues) expect(i.text.en).toEqual({ description: i.description, recommendation: i.recommendation });
    for (const r of a.recommendations) expect(r.text.en).toEqual({ description: r.description, impact: r.impact });
  });

  it('in Korean, with the English beside them; the same texts either way', () => {
    const en = analyzePerformance(snapshotWith(ORIGINAL_FOUR), { locale: 'en' });
    const ko = analyzePerformance(snapshotWith(ORIGINAL_FOUR), { locale: 'ko' });
    expect(ko.issues[0]).toMatchObject({ description: 'API 응답 시간이 너무 높습니다.', text: { en: { description: 'API response time is too high.' } } });
    for (const i of ko.issues) expect(i.text.ko).toEqual({ description: i.description, recommendation: i.recommendation });
    expect(ko.issues.map((i) => i.text)).toEqual(en.issues.map((i) => i.text));
    expect(ko.recommendations.map((r) => [r.type, r.text])).toEqual(en.recommendations.map((r) => [r.type, r.text]));
    expect(ko.recommendations.find((r) => r.type === 'scale_out')).toMatchObject({
      description: '인스턴스나 CPU를 늘리거나 CPU 집약적인 코드를 최적화하세요.',
      text: { en: { description: 'Add instances or CPU, or optimize CPU-heavy code paths.', impact: 'Lower CPU usage and response time under load.' } },
    });
  });

  it('puts the failing source in both languages, and the evidence in both recommendations', () => {
    const down = analyzePerformance(snapshotWith({}, { sources: { host: { status: 'ok' }, redis: { status: 'error', message: 'connect ECONNREFUSED 127.0.0.1:6390', reason: 'network' } } }));
    expect(down.issues.map((i) => i.text)).toEqual([{
      en: { description: 'A metrics source stopped answering. (redis: connect ECONNREFUSED 127.0.0.1:6390)', recommendation: 'Check that the source is running and reachable, and its credentials.' },
      ko: { description: '메트릭 소스가 응답하지 않습니다. (redis: connect ECONNREFUSED 127.0.0.1:6390)', recommendation: '소스가 실행 중이고 접근 가능한지, 인증 정보가 맞는지 확인하세요.' },
    }]);
    const evidence = evidenceFromSamples({ redis: { maxmemoryPolicy: 'volatile-lru', keys: 1200, expires: 200 } });
    const cache = analyzePerformance(snapshotWith({ 'cache.hitRate': 0.6 }), { evidence });
    expect(cache.recommendations.find((r) => r.type === 'fix_eviction_policy')!.text.ko.description)
      .toBe('Redis가 maxmemory-policy volatile-lru를 사용하는데 TTL이 없는 키가 1000개 있어 축출할 수 없습니다. allkeys-lru로 바꾸거나 해당 키에 TTL을 설정하세요.');
  });
});

describe('every built-in text has real Korean', () => {
  it('every rule', () => {
    expect(BUILTIN_RULES.length).toBeGreaterThanOrEqual(16);
    for (const rule of BUILTIN_RULES) {
      for (const key of ['description', 'recommendation'] as const) {
        expect(rule.text.ko[key], `${rule.name} ${key}`).toMatch(HANGUL);
        expect(rule.text.ko[key], `${rule.name} ${key}`).not.toBe(rule.text.en[key]);
        expect(rule.text.en[key], `${rule.name} ${key}`).not.toMatch(HANGUL);
      }
    }
  });

  it('every recommendation', () => {
    // Every rule firing high, with evidence that every piece of advice needs.
    const issues: Issue[] = BUILTIN_RULES.map((r) => ({ type: r.name, severity: 'high', description: '', metrics: {}, labels: {}, recommendation: '', text: { en: { ...r.text.en }, ko: { ...r.text.ko } } }));
    const evidence = evidenceFromSamples({ postgres: { maxConnections: 100 }, redis: { maxmemoryPolicy: 'noeviction', keys: 50, expires: 10 } });
    const all = recommend(issues, evidence, 'en');
    expect(all.map((r) => r.type).sort()).toEqual([
      'add_memory', 'check_source', 'check_traffic', 'faster_storage', 'fix_eviction_policy', 'fix_lock_order', 'increase_cache_memory',
      'investigate_errors', 'optimize_queries', 'raise_cpu_limit', 'review_cache_strategy', 'scale_out', 'set_key_ttls', 'use_connection_pooling',
    ]);
    for (const r of all) {
      for (const key of ['description', 'impact'] as const) {
        expect(r.text.ko[key], `${r.type} ${key}`).toMatch(HANGUL);
        expect(r.text.ko[key], `${r.type} ${key}`).not.toBe(r.text.en[key]);
        expect(r.text.en[key], `${r.type} ${key}`).not.toMatch(HANGUL);
        expect(`${r.text.en[key]} ${r.text.ko[key]}`, `${r.type} ${key}: every placeholder filled`).not.toMatch(/[{}]/);
      }
    }
  });
});
