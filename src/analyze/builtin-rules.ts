import { ORIGINAL_RULES, RULE_DEFAULTS, ruleText, type Rule } from './rules.js';

/**
 * One alert per source that stopped answering (the `up == 0` of Prometheus). While a source
 * is down, the rules whose metrics went null with it stay quiet instead of each alerting.
 */
export const SOURCE_DOWN_RULE: Rule = {
  ...RULE_DEFAULTS,
  name: 'source_down',
  metric: 'source.down',
  comparison: '>',
  thresholds: { medium: 0 },
  clear: null,
  forMs: 30_000,
  text: ruleText(
    ['A metrics source stopped answering.', 'Check that the source is running and reachable, and its credentials.'],
    ['메트릭 소스가 응답하지 않습니다.', '소스가 실행 중이고 접근 가능한지, 인증 정보가 맞는지 확인하세요.'],
  ),
};

/** Rules for the fields the original design did not check. */
const MORE_RULES: readonly Rule[] = [
  {
    ...RULE_DEFAULTS,
    name: 'high_error_rate',
    metric: 'application.errorRate',
    comparison: '>',
    thresholds: { medium: 0.01, high: 0.05 },
    clear: 0.008,
    forMs: 0,
    text: ruleText(
      ['Too many requests fail with a server error.', 'Check the application logs and recent deployments; roll back if the errors started with one.'],
      ['서버 오류로 실패하는 요청이 너무 많습니다.', '애플리케이션 로그와 최근 배포를 확인하고, 배포 이후 시작되었다면 롤백하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'throughput_drop',
    metric: 'application.throughput.ratioOfBaseline',
    comparison: '<',
    thresholds: { medium: 0.5, high: 0.2 },
    clear: 0.7,
    forMs: 60_000,
    text: ruleText(
      ['Throughput dropped well below its recent level.', 'Check upstream traffic, load balancers and whether requests are being rejected.'],
      ['처리량이 최근 수준보다 크게 떨어졌습니다.', '유입 트래픽, 로드 밸런서, 요청 거부 여부를 확인하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'db_connections_near_max',
    metric: 'database.connections.ratioOfMax',
    comparison: '>',
    thresholds: { medium: 0.8, high: 0.95 },
    clear: 0.75,
    forMs: 60_000,
    text: ruleText(
      ['Database connections are close to max_connections.', 'Use a connection pool (e.g. PgBouncer), lower pool sizes per instance, or raise max_connections.'],
      ['데이터베이스 연결 수가 max_connections에 가깝습니다.', '커넥션 풀(PgBouncer 등)을 사용하거나 인스턴스별 풀 크기를 줄이거나 max_connections를 늘리세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'deadlocks',
    metric: 'database.deadlocks',
    comparison: '>',
    thresholds: { medium: 0 },
    clear: null,
    forMs: 0,
    keepFiringForMs: 300_000,
    text: ruleText(
      ['The database detected deadlocks.', 'Make transactions take locks in the same order and keep them short.'],
      ['데이터베이스에서 교착 상태가 발생했습니다.', '트랜잭션이 같은 순서로 잠금을 획득하도록 하고 트랜잭션을 짧게 유지하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'many_slow_queries',
    metric: 'database.slowQueries',
    comparison: '>',
    thresholds: { low: 10, medium: 100 },
    clear: 5,
    forMs: 60_000,
    text: ruleText(
      ['Many statements ran slower than the slow-query threshold.', 'Look at the slowest statements in pg_stat_statements and add indexes or rewrite them.'],
      ['느린 쿼리 기준보다 오래 걸린 쿼리가 많습니다.', 'pg_stat_statements에서 가장 느린 쿼리를 찾아 인덱스를 추가하거나 쿼리를 개선하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'cache_evictions',
    metric: 'cache.evictions',
    comparison: '>',
    thresholds: { medium: 0 },
    clear: null,
    forMs: 60_000,
    when: [{ metric: 'cache.hitRate.changeFromBaseline', comparison: '<', value: -0.05 }],
    text: ruleText(
      ['The cache is evicting keys while its hit rate falls.', 'Give the cache more memory, or set TTLs and an allkeys-* eviction policy so cold keys go first.'],
      ['캐시 적중률이 떨어지는 동안 키가 축출되고 있습니다.', '캐시 메모리를 늘리거나, TTL과 allkeys-* 축출 정책을 설정해 덜 쓰이는 키가 먼저 제거되도록 하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'cache_memory_near_full',
    metric: 'cache.memory.usedRatio',
    comparison: '>',
    thresholds: { medium: 0.9, high: 0.98 },
    clear: 0.85,
    forMs: 60_000,
    text: ruleText(
      ['Cache memory is nearly full.', 'Raise maxmemory or shorten TTLs of large, rarely read keys.'],
      ['캐시 메모리가 거의 가득 찼습니다.', 'maxmemory를 늘리거나 크고 드물게 읽히는 키의 TTL을 줄이세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'cpu_throttling',
    metric: 'resources.cpu.throttling',
    comparison: '>',
    thresholds: { medium: 10, high: 25 },
    clear: 5,
    forMs: 60_000,
    text: ruleText(
      ['The container is CPU-throttled.', 'Raise the CPU limit or reduce CPU work per request.'],
      ['컨테이너의 CPU가 제한(스로틀링)되고 있습니다.', 'CPU 제한을 늘리거나 요청당 CPU 작업을 줄이세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'low_available_memory',
    metric: 'resources.memory.availableRatio',
    comparison: '<',
    thresholds: { medium: 0.1, high: 0.05 },
    clear: 0.15,
    forMs: 60_000,
    text: ruleText(
      ['Little memory is available.', 'Find the process that grows, fix leaks, or add memory.'],
      ['사용 가능한 메모리가 부족합니다.', '메모리를 늘리는 프로세스를 찾아 누수를 고치거나 메모리를 증설하세요.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'swap_in_use',
    metric: 'resources.memory.swap',
    comparison: '>',
    thresholds: { low: 0 },
    clear: null,
    forMs: 300_000,
    text: ruleText(
      ['The host is using swap.', 'Reduce memory use or add memory; swapping slows every request.'],
      ['호스트가 스왑을 사용하고 있습니다.', '메모리 사용을 줄이거나 메모리를 증설하세요. 스왑은 모든 요청을 느리게 합니다.'],
    ),
  },
  {
    ...RULE_DEFAULTS,
    name: 'high_disk_latency',
    metric: 'resources.disk.latency',
    comparison: '>',
    thresholds: { medium: 20, high: 100 },
    clear: 15,
    forMs: 60_000,
    text: ruleText(
      ['Disk I/O is slow.', 'Check for I/O-heavy jobs, move the database to faster storage, or add IOPS.'],
      ['디스크 I/O가 느립니다.', 'I/O가 많은 작업을 확인하고, 데이터베이스를 더 빠른 스토리지로 옮기거나 IOPS를 늘리세요.'],
    ),
  },
];

/** Every built-in rule: the original four, the rest of the model, and source_down. */
export const BUILTIN_RULES: readonly Rule[] = [...ORIGINAL_RULES, ...MORE_RULES, SOURCE_DOWN_RULE];
