import { setMaxListeners } from 'node:events';
import type { Logger } from '../log.js';
import type { LoadedConfigValues } from '../config/load.js';
import { emptyMetrics } from '../model/empty-metrics.js';
import { writeField, type FieldPath } from '../model/fields.js';
import { SourceError, type QueriedSource } from './source.js';
import { withRetry } from './remote/retry.js';
import { COUNT_FIELDS, planPromQueries } from './prometheus/preset.js';
import { instantQuery, prometheusEndpoint, type InstantValue } from './prometheus/instant-query.js';
import { explainPrometheusError } from './prometheus/explain-error.js';

export interface PrometheusSourceOptions {
  readonly logger?: Logger;
}

type Config = NonNullable<LoadedConfigValues['sources']['prometheus']>;

/**
 * Any PromQL store over its HTTP API: one instant query per field, evaluated at the window's
 * end with the window, to the millisecond, as the range (`x offset 300s`), each with its own
 * timeout and retries. A field whose query finds no series is null, never 0; a query that
 * fails leaves its field null and is named in the status; the source fails only when every
 * query does.
 *
 * @example
 * const prom = createPrometheusSource(PrometheusSourceConfig.parse({ url: 'http://127.0.0.1:9090', preset: ['exporters'] }));
 * const { metrics, detail } = await prom.query({ startMs, endMs }, signal);
 */
export function createPrometheusSource(config: Config, options: PrometheusSourceOptions = {}): QueriedSource {
  const endpoint = prometheusEndpoint(config.url);
  return {
    kind: 'queried',
    name: 'prometheus',
    async query(window, signal) {
      // To the millisecond, rounded up: the baseline must be the last scrape at or before the window's
      // start, as for perfpilot's own sources; rounding down would start late and drop the window's first traffic.
      const rangeMs = Math.max(1, Math.ceil(window.endMs - window.startMs));
      const plan = [...planPromQueries(config.preset, config.queries, config.selector, rangeMs)];
      // One listener per query in flight on the caller's signal is expected, not a leak.
      setMaxListeners(plan.length + 10, signal);
      const answers = await Promise.all(plan.map(([field, query]) => withRetry((s) => instantQuery(endpoint, query, window.endMs / 1000, s), {
        what: `Prometheus query for ${field}`, retries: config.retries, attemptTimeoutMs: config.timeout, signal,
        onRetry: (r) => options.logger?.warn({ source: 'prometheus', field, ...r }, 'Remote source retry'),
      }).then((v): InstantValue | SourceError => v, (err: unknown) => explainPrometheusError(err, endpoint.baseUrl))));
      const failed = answers.flatMap((a, i) => (a instanceof SourceError ? [[plan[i]![0], a] as const] : []));
      if (failed.length === plan.length) throw failed[0]![1];
      const metrics = emptyMetrics();
      const filled: FieldPath[] = [];
      const noData: string[] = [];
      answers.forEach((a, i) => {
        const field = plan[i]![0];
        if (a instanceof SourceError) return;
        if (a.value === null) return void noData.push(`${field} (${a.note})`);
        writeField(metrics, field, COUNT_FIELDS.has(field) ? Math.round(a.value) : a.value);
        filled.push(field);
      });
      if (filled.length === 0 && failed.length === 0) {
        throw new SourceError(`${endpoint.baseUrl} answered, but none of the ${plan.length} queries found data in this window: check that it scrapes the exporters of the preset (${config.preset.join(', ')})${config.selector ? ` with labels ${config.selector}` : ''}`, 'empty');
      }
      const detail = [
        `${filled.length} of ${plan.length} fields from ${[...config.preset, ...(Object.keys(config.queries).length ? ['configured queries'] : [])].join(' + ')}`,
        noData.length ? `no data: ${noData.join(', ')}` : '',
        ...failed.map(([field, err]) => `${field} failed: ${err.message}`),
      ].filter(Boolean).join('; ');
      return { metrics, detail };
    },
  };
}
