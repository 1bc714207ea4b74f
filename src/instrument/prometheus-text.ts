import type { Histogram, HttpSeries } from './histogram.js';

/** What `/metrics` shows. Names are a contract with the Prometheus source and users' queries. */
export interface PrometheusState {
  readonly http: HttpSeries;
  readonly inFlight: number;
  readonly abortedTotal: number;
  readonly db: Histogram;
}

/**
 * The metric names of `/metrics`.
 * @example `histogram_quantile(0.99, sum by (le) (rate(${METRIC_NAMES.requestDuration}_bucket[5m])))`
 */
export const METRIC_NAMES = {
  requestDuration: 'http_server_request_duration_seconds',
  requests: 'http_server_requests_total',
  errors: 'http_server_errors_total',
  aborted: 'http_server_requests_aborted_total',
  inFlight: 'http_server_requests_in_flight',
  queryDuration: 'db_client_query_duration_seconds',
} as const;

const CLASS_NAMES = ['', '1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * The Prometheus text exposition format (version 0.0.4) of the state.
 * @example renderPrometheus({ http: series, inFlight: 0, abortedTotal: 0, db: histogram });
 */
export function renderPrometheus(state: PrometheusState): string {
  const n = METRIC_NAMES;
  const durations: string[] = [];
  const requests: string[] = [];
  const errors: string[] = [];
  for (const [route, byMethod] of state.http.byRoute) {
    for (const [method, id] of byMethod) {
      const byStatus = state.http.histograms(id);
      const base = `route="${escapeLabel(route)}",method="${escapeLabel(method)}"`;
      let fivexx = 0;
      byStatus.forEach((histogram, cls) => {
        if (histogram === undefined) return;
        const labels = `${base},status_class="${CLASS_NAMES[cls]}"`;
        histogramLines(durations, n.requestDuration, labels, histogram);
        requests.push(`${n.requests}{${labels}} ${histogram.count}`);
        if (cls === 5) fivexx = histogram.count;
      });
      errors.push(`${n.errors}{${base}} ${fivexx}`);
    }
  }
  const db: string[] = [];
  histogramLines(db, n.queryDuration, '', state.db);
  return [
    ...family(n.requestDuration, 'histogram', 'Duration of HTTP requests, from the request to the end of its response.', durations),
    ...family(n.requests, 'counter', 'HTTP responses finished, by route, method and status class.', requests),
    ...family(n.errors, 'counter', 'HTTP responses with a 5xx status.', errors),
    ...family(n.aborted, 'counter', 'HTTP requests whose connection closed before the response finished (mostly clients that went away).', [`${n.aborted} ${state.abortedTotal}`]),
    ...family(n.inFlight, 'gauge', 'HTTP requests being served now.', [`${n.inFlight} ${state.inFlight}`]),
    ...family(n.queryDuration, 'histogram', 'Duration of PostgreSQL queries, from client.query to its result.', db),
  ].join('\n') + '\n';
}

function family(name: string, type: string, help: string, lines: readonly string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines];
}

function histogramLines(out: string[], name: string, labels: string, h: Histogram): void {
  const sep = labels === '' ? '' : ',';
  let cumulative = 0;
  h.boundsMs.forEach((boundMs, i) => {
    cumulative += h.counts[i]!;
    out.push(`${name}_bucket{${labels}${sep}le="${boundMs / 1000}"} ${cumulative}`);
  });
  out.push(`${name}_bucket{${labels}${sep}le="+Inf"} ${h.count}`);
  out.push(`${name}_sum${labels === '' ? '' : `{${labels}}`} ${h.sumMs / 1000}`);
  out.push(`${name}_count${labels === '' ? '' : `{${labels}}`} ${h.count}`);
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}
