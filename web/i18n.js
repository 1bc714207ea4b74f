// English and Korean texts of the dashboard. `t(key, vars)` picks the current language.
const TEXTS = {
  en: {
    title: 'perfpilot', environment: 'Environment', window: 'Window', token: 'Token', language: '한국어',
    status_healthy: 'Healthy', status_warning: 'Warning', status_critical: 'Critical', status_none: 'No analysis yet',
    analyzed_at: 'analyzed {at}', no_data: 'no data', not_available: 'not available', loading: 'loading…',
    section_charts: 'Metrics', section_issues: 'Issues', section_recommendations: 'Recommendations',
    section_alerts: 'Alerts', section_silences: 'Silences', section_optimize: 'Optimization', section_history: 'Change history',
    section_sources: 'Source health', no_issues: 'No issues.', no_recommendations: 'No recommendations.',
    no_alerts: 'No alerts.', no_silences: 'No silences.', no_plan: 'No optimization proposed.', no_history: 'No changes yet.',
    chart_latency: 'Response time', chart_errors: 'Error rate', chart_throughput: 'Throughput', chart_users: 'Concurrent users',
    chart_query: 'DB query time', chart_connections: 'DB connections', chart_deadlocks: 'Deadlocks', chart_slow: 'Slow queries',
    chart_hit: 'Cache hit rate', chart_evictions: 'Evictions', chart_cache_memory: 'Cache memory', chart_cpu: 'CPU',
    chart_memory: 'Memory', chart_swap: 'Swap', chart_disk_iops: 'Disk IOPS', chart_disk_latency: 'Disk latency', chart_disk_throughput: 'Disk throughput',
    s_used: 'used', s_available: 'available', s_usage: 'usage', s_throttling: 'throttling', s_swap: 'swap',
    severity: 'Severity', type: 'Type', description: 'Description', recommendation: 'Recommendation', priority: 'Priority',
    impact: 'Impact', effort: 'Effort', state: 'State', deliveries: 'Deliveries', starts: 'Since', ends: 'Until', matchers: 'Matchers',
    target: 'Target', parameter: 'Parameter', current: 'Current', proposed: 'Proposed', evidence: 'Evidence',
    expected: 'Expected effect', risk: 'Risk', apply: 'Apply', rollback: 'Roll back', when: 'When', by: 'By', kind: 'Kind', changes: 'Changes',
    source: 'Source', message: 'Message', ok: 'ok', error: 'error', not_configured: 'not configured',
    token_title: 'API token', token_help: 'Changes need the token perfpilot printed at its first start (or PERFPILOT_TOKEN).',
    token_read_help: 'This perfpilot needs a token to read (PERFPILOT_READ_TOKEN, or the token for changes).',
    token_save: 'Continue', token_cancel: 'Cancel', refused: 'Refused: {why}', applied: 'Applied.', rolled_back: 'Rolled back.',
    live: 'live', offline: 'offline', last: 'latest',
    series_unsampled: '{source} is queried per window, not sampled: the charts show no series for the fields only it provides.',
  },
  ko: {
    v_high: '높음', v_medium: '중간', v_low: '낮음', v_firing: '발생', v_pending: '대기', v_resolved: '해결', v_inactive: '비활성',
    v_delivered: '전송됨', v_failed: '실패', v_retrying: '재시도', v_apply: '적용', v_rollback: '되돌리기',
    v_applied: '적용됨', v_verified: '검증됨', v_rolled_back: '되돌려짐', v_restored: '복원됨', v_deploying: '배포 중',
    title: 'perfpilot', environment: '환경', window: '기간', token: '토큰', language: 'English',
    status_healthy: '정상', status_warning: '경고', status_critical: '위험', status_none: '아직 분석 결과가 없습니다',
    analyzed_at: '{at} 분석', no_data: '데이터 없음', not_available: '사용할 수 없음', loading: '불러오는 중…',
    section_charts: '지표', section_issues: '문제', section_recommendations: '권장 사항',
    section_alerts: '알림', section_silences: '알림 음소거', section_optimize: '최적화', section_history: '변경 이력',
    section_sources: '소스 상태', no_issues: '문제가 없습니다.', no_recommendations: '권장 사항이 없습니다.',
    no_alerts: '알림이 없습니다.', no_silences: '음소거가 없습니다.', no_plan: '제안된 최적화가 없습니다.', no_history: '아직 변경이 없습니다.',
    chart_latency: '응답 시간', chart_errors: '오류율', chart_throughput: '처리량', chart_users: '동시 사용자',
    chart_query: 'DB 쿼리 시간', chart_connections: 'DB 연결', chart_deadlocks: '교착 상태', chart_slow: '느린 쿼리',
    chart_hit: '캐시 적중률', chart_evictions: '캐시 제거', chart_cache_memory: '캐시 메모리', chart_cpu: 'CPU',
    chart_memory: '메모리', chart_swap: '스왑', chart_disk_iops: '디스크 IOPS', chart_disk_latency: '디스크 지연', chart_disk_throughput: '디스크 처리량',
    s_used: '사용', s_available: '여유', s_usage: '사용률', s_throttling: '스로틀링', s_swap: '스왑',
    severity: '심각도', type: '유형', description: '설명', recommendation: '권장 조치', priority: '우선순위',
    impact: '효과', effort: '노력', state: '상태', deliveries: '전송', starts: '시작', ends: '종료', matchers: '조건',
    target: '대상', parameter: '파라미터', current: '현재', proposed: '제안', evidence: '근거',
    expected: '기대 효과', risk: '위험', apply: '적용', rollback: '되돌리기', when: '시각', by: '주체', kind: '종류', changes: '변경',
    source: '소스', message: '메시지', ok: '정상', error: '오류', not_configured: '설정 안 됨',
    token_title: 'API 토큰', token_help: '변경하려면 perfpilot가 처음 시작할 때 출력한 토큰(또는 PERFPILOT_TOKEN)이 필요합니다.',
    token_read_help: '이 perfpilot는 조회에도 토큰이 필요합니다 (PERFPILOT_READ_TOKEN 또는 변경용 토큰).',
    token_save: '계속', token_cancel: '취소', refused: '거부됨: {why}', applied: '적용했습니다.', rolled_back: '되돌렸습니다.',
    live: '실시간', offline: '연결 끊김', last: '최근',
    series_unsampled: '{source}는 주기마다 샘플링하지 않고 기간 단위로 조회하므로, 이 소스만 제공하는 필드는 차트에 시계열이 없습니다.',
  },
};

let lang = localStorage.getItem('perfpilot.lang') === 'ko' ? 'ko' : 'en';

export function language() {
  return lang;
}

export function setLanguage(next) {
  lang = next;
  localStorage.setItem('perfpilot.lang', next);
  document.documentElement.lang = next;
}

export function t(key, vars = {}) {
  const text = TEXTS[lang][key] ?? TEXTS.en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, k) => String(vars[k] ?? ''));
}

/** A value from the API (a severity, a phase, a status) in the current language; as is when there is no translation. */
export function tv(value) {
  return TEXTS[lang][`v_${value}`] ?? String(value);
}

/** An issue's or a recommendation's own texts in the current language; as given when it carries none (stored before it did). */
export function inLanguage(item) {
  return item.text?.[lang] ?? item;
}

/** Fills every element with a `data-i18n` key. */
export function translatePage(root = document) {
  for (const el of root.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
}
