import { inEveryLocale, type Issue, type Locale, type Recommendation, type Severity } from './analysis.js';
import type { Evidence } from './evidence.js';

type Effort = Recommendation['effort'];
type Texts = Record<Locale, { readonly description: string; readonly impact: string }>;

interface Advice {
  readonly type: string;
  readonly effort: Effort;
  /** Issue types that call for it. */
  readonly issues: readonly string[];
  /** Evidence it also needs; without it the advice is not given. */
  readonly needs?: (e: Evidence) => boolean;
  /** Evidence that makes it more urgent (priority one step up). */
  readonly urgentIf?: (e: Evidence) => boolean;
  /** `{policy}` and `{keysWithoutTtl}` are filled from the evidence. */
  readonly text: Texts;
}

const policyCannotEvictColdKeys = (e: Evidence): boolean =>
  e.redis.maxmemoryPolicy === 'noeviction' || (e.redis.maxmemoryPolicy?.startsWith('volatile-') ?? false);
const keysWithoutTtl = (e: Evidence): number | null =>
  e.redis.keys === null || e.redis.expires === null ? null : e.redis.keys - e.redis.expires;
const hasKeysWithoutTtl = (e: Evidence): boolean => (keysWithoutTtl(e) ?? 0) > 0;

const CACHE_ISSUES = ['low_cache_hit_rate', 'cache_evictions', 'cache_memory_near_full'];

/** What to do, by the issues that call for it. Texts in English and Korean. */
const ADVICE: readonly Advice[] = [
  { type: 'fix_eviction_policy', effort: 'low', issues: CACHE_ISSUES, needs: (e) => policyCannotEvictColdKeys(e) && hasKeysWithoutTtl(e),
    text: {
      en: { description: 'Redis uses maxmemory-policy {policy} while {keysWithoutTtl} keys have no TTL, so it cannot evict them. Switch to allkeys-lru (or set TTLs on those keys).', impact: 'Cold keys are evicted first, so hot keys stay cached and the hit rate recovers.' },
      ko: { description: 'Redis가 maxmemory-policy {policy}를 사용하는데 TTL이 없는 키가 {keysWithoutTtl}개 있어 축출할 수 없습니다. allkeys-lru로 바꾸거나 해당 키에 TTL을 설정하세요.', impact: '덜 쓰이는 키가 먼저 축출되어 자주 쓰이는 키가 캐시에 남고 적중률이 회복됩니다.' },
    } },
  { type: 'set_key_ttls', effort: 'medium', issues: CACHE_ISSUES, needs: hasKeysWithoutTtl,
    text: {
      en: { description: 'Set TTLs on the {keysWithoutTtl} cache keys that have none.', impact: 'Stale entries expire instead of filling memory.' },
      ko: { description: 'TTL이 없는 캐시 키 {keysWithoutTtl}개에 TTL을 설정하세요.', impact: '오래된 항목이 메모리를 채우는 대신 만료됩니다.' },
    } },
  { type: 'increase_cache_memory', effort: 'medium', issues: ['cache_evictions', 'cache_memory_near_full'],
    text: {
      en: { description: 'Raise the cache maxmemory (or the node size).', impact: 'Fewer evictions and a higher hit rate.' },
      ko: { description: '캐시 maxmemory(또는 노드 크기)를 늘리세요.', impact: '축출이 줄고 적중률이 높아집니다.' },
    } },
  { type: 'review_cache_strategy', effort: 'medium', issues: ['high_latency', 'low_cache_hit_rate'],
    text: {
      en: { description: 'Review the caching strategy: cache the most requested reads and check key patterns and TTLs.', impact: 'Fewer requests reach the database, lowering response time.' },
      ko: { description: '캐싱 전략을 검토하세요: 가장 많이 요청되는 읽기를 캐시하고 키 패턴과 TTL을 확인하세요.', impact: '데이터베이스로 가는 요청이 줄어 응답 시간이 낮아집니다.' },
    } },
  { type: 'optimize_queries', effort: 'medium', issues: ['high_latency', 'slow_queries', 'many_slow_queries'],
    text: {
      en: { description: 'Find the slowest statements (pg_stat_statements) and add indexes or rewrite them.', impact: 'Lower query time and response time.' },
      ko: { description: '가장 느린 쿼리(pg_stat_statements)를 찾아 인덱스를 추가하거나 다시 작성하세요.', impact: '쿼리 시간과 응답 시간이 줄어듭니다.' },
    } },
  { type: 'use_connection_pooling', effort: 'medium', issues: ['db_connections_near_max'],
    urgentIf: (e) => e.postgres.maxConnections !== null && e.postgres.maxConnections <= 100,
    text: {
      en: { description: 'Put a connection pooler (PgBouncer) in front of PostgreSQL or lower the pool size per instance.', impact: 'New connections are no longer refused at max_connections.' },
      ko: { description: 'PostgreSQL 앞에 커넥션 풀러(PgBouncer)를 두거나 인스턴스별 풀 크기를 줄이세요.', impact: 'max_connections에 도달해 새 연결이 거부되는 일이 없어집니다.' },
    } },
  { type: 'fix_lock_order', effort: 'high', issues: ['deadlocks'],
    text: {
      en: { description: 'Make transactions lock rows in the same order and keep them short.', impact: 'No more deadlocked, retried transactions.' },
      ko: { description: '트랜잭션이 같은 순서로 행을 잠그도록 하고 짧게 유지하세요.', impact: '교착 상태로 인한 트랜잭션 재시도가 사라집니다.' },
    } },
  { type: 'investigate_errors', effort: 'low', issues: ['high_error_rate'],
    text: {
      en: { description: 'Check the application logs and the latest deployment; roll back if the errors started with it.', impact: 'Fewer failed requests.' },
      ko: { description: '애플리케이션 로그와 최근 배포를 확인하고, 배포 이후 오류가 시작되었다면 롤백하세요.', impact: '실패하는 요청이 줄어듭니다.' },
    } },
  { type: 'check_traffic', effort: 'low', issues: ['throughput_drop'],
    text: {
      en: { description: 'Check upstream traffic and load balancers for rejected or lost requests.', impact: 'Finds outages that errors alone do not show.' },
      ko: { description: '유입 트래픽과 로드 밸런서에서 거부되거나 유실된 요청을 확인하세요.', impact: '오류만으로는 드러나지 않는 장애를 찾습니다.' },
    } },
  { type: 'scale_out', effort: 'medium', issues: ['high_cpu_usage', 'cpu_throttling'],
    text: {
      en: { description: 'Add instances or CPU, or optimize CPU-heavy code paths.', impact: 'Lower CPU usage and response time under load.' },
      ko: { description: '인스턴스나 CPU를 늘리거나 CPU 집약적인 코드를 최적화하세요.', impact: '부하 시 CPU 사용률과 응답 시간이 낮아집니다.' },
    } },
  { type: 'raise_cpu_limit', effort: 'low', issues: ['cpu_throttling'],
    text: {
      en: { description: 'Raise the container CPU limit.', impact: 'Requests are no longer paused by CFS throttling.' },
      ko: { description: '컨테이너 CPU 제한을 늘리세요.', impact: 'CFS 스로틀링으로 요청이 멈추지 않습니다.' },
    } },
  { type: 'add_memory', effort: 'medium', issues: ['low_available_memory', 'swap_in_use'],
    text: {
      en: { description: 'Reduce memory use (look for leaks) or add memory.', impact: 'No swapping and no out-of-memory kills.' },
      ko: { description: '메모리 사용을 줄이거나(누수 확인) 메모리를 늘리세요.', impact: '스왑과 메모리 부족 종료가 사라집니다.' },
    } },
  { type: 'faster_storage', effort: 'high', issues: ['high_disk_latency'],
    text: {
      en: { description: 'Move I/O-heavy data to faster storage or provision more IOPS.', impact: 'Lower disk latency and query time.' },
      ko: { description: 'I/O가 많은 데이터를 더 빠른 스토리지로 옮기거나 IOPS를 늘리세요.', impact: '디스크 지연과 쿼리 시간이 줄어듭니다.' },
    } },
  { type: 'check_source', effort: 'low', issues: ['source_down'],
    text: {
      en: { description: 'Bring the failing metrics source back: check it is running, reachable and its credentials.', impact: 'perfpilot sees the whole stack again.' },
      ko: { description: '응답하지 않는 메트릭 소스를 복구하세요: 실행 여부, 접근 가능 여부, 인증 정보를 확인하세요.', impact: 'perfpilot이 다시 전체 스택을 볼 수 있습니다.' },
    } },
];

const RANK: Record<Severity, number> = { low: 0, medium: 1, high: 2 };
const BY_RANK: readonly Severity[] = ['low', 'medium', 'high'];
const EFFORT_RANK: Record<Effort, number> = { low: 0, medium: 1, high: 2 };

/**
 * Fills the original's `recommendations` list from the issues and the evidence behind them.
 * One entry per type (at the highest priority of the issues calling for it), ranked by
 * priority, then least effort first. Pure.
 */
export function recommend(issues: readonly Issue[], evidence: Evidence, locale: Locale): Recommendation[] {
  const out: Recommendation[] = [];
  for (const advice of ADVICE) {
    const calling = issues.filter((i) => advice.issues.includes(i.type));
    if (calling.length === 0 || (advice.needs && !advice.needs(evidence))) continue;
    let rank = Math.max(...calling.map((i) => RANK[i.severity]));
    if (advice.urgentIf?.(evidence)) rank = Math.min(rank + 1, 2);
    const text = inEveryLocale((l) => fill(advice.text[l], evidence));
    out.push({ type: advice.type, priority: BY_RANK[rank]!, effort: advice.effort, ...text[locale], text });
  }
  return out.sort((a, b) => RANK[b.priority] - RANK[a.priority] || EFFORT_RANK[a.effort] - EFFORT_RANK[b.effort]);
}

function fill(text: Texts[Locale], e: Evidence): { description: string; impact: string } {
  const put = (s: string) => s.replace('{policy}', e.redis.maxmemoryPolicy ?? '?').replace('{keysWithoutTtl}', String(keysWithoutTtl(e) ?? '?'));
  return { description: put(text.description), impact: put(text.impact) };
}
