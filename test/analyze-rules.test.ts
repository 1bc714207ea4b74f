import { describe, expect, it } from 'vitest';
import { analyzePerformance } from '../src/analyze/analyze-performance.js';
import { BUILTIN_RULES } from '../src/analyze/builtin-rules.js';
import { evidenceFromSamples, NO_EVIDENCE } from '../src/analyze/evidence.js';
import { resolveRules } from '../src/analyze/resolve-rules.js';
import { ORIGINAL_RULES } from '../src/analyze/rules.js';
import { Config } from '../src/config/schema.js';
import { emptyMetrics } from '../src/model/empty-metrics.js';
import { snapshotWith } from './support/snapshots.js';

const issueTypes = (a: ReturnType<typeof analyzePerformance>) => a.issues.map((i) => `${i.type}:${i.severity}`);

describe('the original four rules', () => {
  it('keep their thresholds, severities and Korean texts', () => {
    expect(ORIGINAL_RULES.map((r) => [r.name, r.metric, r.comparison, r.thresholds])).toEqual([
      ['high_latency', 'application.responseTime.p99', '>', { high: 1000 }],
      ['slow_queries', 'database.queryTime.p90', '>', { medium: 500 }],
      ['low_cache_hit_rate', 'cache.hitRate', '<', { medium: 0.8 }],
      ['high_cpu_usage', 'resources.cpu.usage', '>', { high: 80 }],
    ]);
    const ko = analyzePerformance(snapshotWith({ 'application.responseTime.p99': 1200 }), { locale: 'ko' });
    expect(ko.issues[0]).toMatchObject({ type: 'high_latency', severity: 'high', description: 'API 응답 시간이 너무 높습니다.', recommendation: '캐싱 전략을 검토하고 데이터베이스 쿼리를 최적화하세요.' });
  });

  it.each([
    ['application.responseTime.p99', 1000, 1000.1, 'high_latency:high', 'critical'],
    ['database.queryTime.p90', 500, 500.1, 'slow_queries:medium', 'warning'],
    ['resources.cpu.usage', 80, 80.1, 'high_cpu_usage:high', 'critical'],
  ] as const)('%s fires above %d, not at it', (field, at, above, issue, status) => {
    expect(issueTypes(analyzePerformance(snapshotWith({ [field]: at })))).toEqual([]);
    expect(issueTypes(analyzePerformance(snapshotWith({ [field]: at - 1 })))).toEqual([]);
    const a = analyzePerformance(snapshotWith({ [field]: above }));
    expect(issueTypes(a)).toEqual([issue]);
    expect(a.status).toBe(status);
  });

  it('low_cache_hit_rate fires below 0.8, not at it; a 0 hit rate is not no data', () => {
    expect(issueTypes(analyzePerformance(snapshotWith({ 'cache.hitRate': 0.8 })))).toEqual([]);
    expect(issueTypes(analyzePerformance(snapshotWith({ 'cache.hitRate': 0.79 })))).toEqual(['low_cache_hit_rate:medium']);
    const zero = analyzePerformance(snapshotWith({ 'cache.hitRate': 0 }));
    expect(issueTypes(zero)).toEqual(['low_cache_hit_rate:medium']);
    expect(zero.noData.map((n) => n.rule)).not.toContain('low_cache_hit_rate');
  });

  it('derives the status as the original: any high → critical, any medium → warning', () => {
    expect(analyzePerformance(snapshotWith({})).status).toBe('healthy');
    expect(analyzePerformance(snapshotWith({ 'cache.hitRate': 0.5 })).status).toBe('warning');
    expect(analyzePerformance(snapshotWith({ 'cache.hitRate': 0.5, 'resources.cpu.usage': 95 })).status).toBe('critical');
    expect(analyzePerformance(snapshotWith({ 'resources.memory.swap': 1024 })).status).toBe('healthy'); // low only
  });

  it('lists null metrics under noData and does not fire them', () => {
    const a = analyzePerformance(snapshotWith({}));
    expect(a.issues).toEqual([]);
    expect(a.noData.map((n) => n.rule)).toEqual(BUILTIN_RULES.filter((r) => r.metric !== 'source.down').map((r) => r.name));
  });
});

describe('rules for every other field', () => {
  const at = (readings: Parameters<typeof snapshotWith>[0], options: Parameters<typeof analyzePerformance>[1] = {}) =>
    issueTypes(analyzePerformance(snapshotWith(readings), options));

  it('error rate: > 1 % medium, > 5 % high', () => {
    expect(at({ 'application.errorRate': 0.01 })).toEqual([]);
    expect(at({ 'application.errorRate': 0.011 })).toEqual(['high_error_rate:medium']);
    expect(at({ 'application.errorRate': 0.05 })).toEqual(['high_error_rate:medium']);
    expect(at({ 'application.errorRate': 0.051 })).toEqual(['high_error_rate:high']);
  });

  it('throughput drop against the median of recent windows', () => {
    const history = [100, 110, 90, 105].map((rps) => snapshotWith({ 'application.throughput': rps }).metrics);
    expect(at({ 'application.throughput': 60 }, { history })).toEqual([]);
    expect(at({ 'application.throughput': 40 }, { history })).toEqual(['throughput_drop:medium']);
    expect(at({ 'application.throughput': 10 }, { history })).toEqual(['throughput_drop:high']);
    expect(at({ 'application.throughput': 10 }, { history: history.slice(0, 2) })).toEqual([]); // no baseline yet
  });

  it('database connections near max_connections, from the postgres sample', () => {
    const evidence = evidenceFromSamples({ postgres: { maxConnections: 100 } });
    expect(at({ 'database.connections': 80 }, { evidence })).toEqual([]);
    expect(at({ 'database.connections': 81 }, { evidence })).toEqual(['db_connections_near_max:medium']);
    expect(at({ 'database.connections': 96 }, { evidence })).toEqual(['db_connections_near_max:high']);
    expect(at({ 'database.connections': 96 })).toEqual([]); // max_connections unknown: no data
  });

  it('deadlocks, slow query counts, disk latency, throttling, swap', () => {
    expect(at({ 'database.deadlocks': 0 })).toEqual([]);
    expect(at({ 'database.deadlocks': 1 })).toEqual(['deadlocks:medium']);
    expect(at({ 'database.slowQueries': 11 })).toEqual(['many_slow_queries:low']);
    expect(at({ 'database.slowQueries': 101 })).toEqual(['many_slow_queries:medium']);
    expect(at({ 'resources.disk.latency': 20 })).toEqual([]);
    expect(at({ 'resources.disk.latency': 21 })).toEqual(['high_disk_latency:medium']);
    expect(at({ 'resources.disk.latency': 101 })).toEqual(['high_disk_latency:high']);
    expect(at({ 'resources.cpu.throttling': 26 })).toEqual(['cpu_throttling:high']);
    expect(at({ 'resources.memory.swap': 0 })).toEqual([]);
    expect(at({ 'resources.memory.swap': 4096 })).toEqual(['swap_in_use:low']);
  });

  it('cache memory near full and low available memory, as ratios', () => {
    expect(at({ 'cache.memory.used': 90, 'cache.memory.available': 10 })).toEqual([]);
    expect(at({ 'cache.memory.used': 91, 'cache.memory.available': 9 })).toEqual(['cache_memory_near_full:medium']);
    expect(at({ 'cache.memory.used': 99, 'cache.memory.available': 1 })).toEqual(['cache_memory_near_full:high']);
    expect(at({ 'cache.memory.used': 99, 'cache.memory.available': null })).toEqual([]); // no maxmemory
    expect(at({ 'resources.memory.used': 92, 'resources.memory.available': 8 })).toEqual(['low_available_memory:medium']);
    expect(at({ 'resources.memory.used': 96, 'resources.memory.available': 4 })).toEqual(['low_available_memory:high']);
  });

  it('evictions only while the hit rate falls', () => {
    const history = [0.95, 0.95, 0.94].map((h) => snapshotWith({ 'cache.hitRate': h }).metrics);
    expect(at({ 'cache.evictions': 50, 'cache.hitRate': 0.94 }, { history })).toEqual([]);
    expect(at({ 'cache.evictions': 50, 'cache.hitRate': 0.85 }, { history })).toEqual(['cache_evictions:medium']);
    expect(at({ 'cache.evictions': 0, 'cache.hitRate': 0.85 }, { history })).toEqual([]);
  });

  it('one source_down per failing source, not one per rule', () => {
    const a = analyzePerformance(snapshotWith({ 'resources.cpu.usage': 10 }, {
      sources: { host: { status: 'ok' }, redis: { status: 'error', message: 'connect ECONNREFUSED 127.0.0.1:6379', reason: 'network' }, postgres: { status: 'not_configured' } },
    }));
    expect(issueTypes(a)).toEqual(['source_down:medium']);
    expect(a.issues[0]!.labels).toEqual({ alertname: 'source_down', environment: 'local', source: 'redis' });
    expect(a.issues[0]!.description).toBe('A metrics source stopped answering. (redis: connect ECONNREFUSED 127.0.0.1:6379)');
    const starting = analyzePerformance(snapshotWith({}, { sources: { redis: { status: 'error', message: 'no samples in this window yet', reason: 'empty' } } }));
    expect(starting.issues).toEqual([]);
  });
});

describe('recommendations', () => {
  it('come from the issues and the evidence, ranked and without duplicates', () => {
    const evidence = evidenceFromSamples({ redis: { maxmemoryPolicy: 'volatile-lru', keys: 1200, expires: 200 } });
    const history = [0.95, 0.95, 0.95].map((h) => snapshotWith({ 'cache.hitRate': h }).metrics);
    const a = analyzePerformance(snapshotWith({ 'cache.hitRate': 0.6, 'cache.evictions': 300, 'application.responseTime.p99': 1500 }), { evidence, history });
    expect(a.recommendations.map((r) => [r.type, r.priority, r.effort])).toEqual([
      ['review_cache_strategy', 'high', 'medium'],
      ['optimize_queries', 'high', 'medium'],
      ['fix_eviction_policy', 'medium', 'low'],
      ['set_key_ttls', 'medium', 'medium'],
      ['increase_cache_memory', 'medium', 'medium'],
    ]);
    expect(a.recommendations[2]!.description).toBe('Redis uses maxmemory-policy volatile-lru while 1000 keys have no TTL, so it cannot evict them. Switch to allkeys-lru (or set TTLs on those keys).');
    expect(new Set(a.recommendations.map((r) => r.type)).size).toBe(a.recommendations.length);
  });

  it('do not blame the eviction policy when every key has a TTL or the policy is allkeys-*', () => {
    const low = snapshotWith({ 'cache.hitRate': 0.6 });
    const types = (e: Parameters<typeof evidenceFromSamples>[0]) => analyzePerformance(low, { evidence: evidenceFromSamples(e) }).recommendations.map((r) => r.type);
    expect(types({ redis: { maxmemoryPolicy: 'noeviction', keys: 10, expires: 10 } })).toEqual(['review_cache_strategy']);
    expect(types({ redis: { maxmemoryPolicy: 'allkeys-lru', keys: 10, expires: 0 } })).toEqual(['set_key_ttls', 'review_cache_strategy']);
    expect(analyzePerformance(low, { evidence: NO_EVIDENCE, locale: 'ko' }).recommendations[0]!.description).toBe('캐싱 전략을 검토하세요: 가장 많이 요청되는 읽기를 캐시하고 키 패턴과 TTL을 확인하세요.');
  });
});

describe('rules: in the configuration', () => {
  it('overrides a built-in rule, adds one, and turns one off', () => {
    const config = Config.parse({ rules: [
      { name: 'high_latency', thresholds: { high: 800 }, clear: 700, for: '30s' },
      { name: 'checkout_p90', metric: 'application.responseTime.p90', comparison: '>', thresholds: { medium: 300 }, labels: { team: 'payments' }, text: { en: { description: 'Checkout is slow.', recommendation: 'Profile it.' } } },
      { name: 'swap_in_use', enabled: false },
    ] });
    const rules = resolveRules(config.rules);
    const latency = rules.find((r) => r.name === 'high_latency')!;
    expect([latency.thresholds, latency.clear, latency.forMs, latency.text.ko.description]).toEqual([{ high: 800 }, 700, 30_000, 'API 응답 시간이 너무 높습니다.']);
    expect(rules.find((r) => r.name === 'swap_in_use')).toBeUndefined();
    const a = analyzePerformance(snapshotWith({ 'application.responseTime.p90': 350, 'application.responseTime.p99': 850 }), { rules });
    expect(issueTypes(a)).toEqual(['high_latency:high', 'checkout_p90:medium']);
    expect(a.issues[1]!.labels).toEqual({ alertname: 'checkout_p90', environment: 'local', team: 'payments' });
  });

  it('rejects invalid rules with their path', () => {
    const r = Config.safeParse({ rules: [
      { name: 'high_latency', thresholds: { high: 800 }, clear: 900 },
      { name: 'bad_metric', metric: 'cache.hitrate', comparison: '<', thresholds: { medium: 1 }, text: { en: { description: 'd', recommendation: 'r' } } },
      { name: 'backwards', metric: 'application.errorRate', comparison: '>', thresholds: { medium: 0.5, high: 0.1 }, text: { en: { description: 'd', recommendation: 'r' } } },
      { name: 'no_text', metric: 'application.errorRate', comparison: '>', thresholds: { high: 0.1 } },
      { name: 'high_cpu_usage', for: 'soon' },
    ] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).sort()).toEqual(['rules.0.clear', 'rules.1.metric', 'rules.2.thresholds.high', 'rules.3.text', 'rules.4.for']);
  });

  it('a rule evaluates a derived metric only from its inputs', () => {
    const m = emptyMetrics();
    expect(analyzePerformance({ ...snapshotWith({}), metrics: m }).issues).toEqual([]);
  });
});
