import { logger as datadogLogger, v1 } from '@datadog/datadog-api-client';
import type { Logger } from '../log.js';
import type { LoadedConfigValues } from '../config/load.js';
import { SourceError, type QueriedSource } from './source.js';
import { withRetry } from './remote/retry.js';
import { HttpStatusError } from './remote/failure-signals.js';
import { DATADOG_METRICS, datadogQuery, datadogReadings, type Points } from './datadog/preset.js';
import { explainDatadogError } from './datadog/explain-error.js';
import { datadogConfiguration } from './datadog/configuration.js';

export interface DatadogSourceOptions {
  /** Where DD_API_KEY and DD_APP_KEY are read from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
}

type Config = NonNullable<LoadedConfigValues['sources']['datadog']>;

// Failures reach the source status; the client's own console logging would only repeat them.
datadogLogger.setLevel('silent');

/**
 * Datadog's `system.*` metrics through v1 `queryMetrics` (one request for every metric,
 * results matched by `query_index`). The site picks the API host through the client's server
 * variables; a 429 is retried after `X-RateLimit-Reset` seconds when that is at most 5 s away,
 * and otherwise reported at once as throttled (the next collection tries again).
 *
 * @example
 * const dd = createDatadogSource({ site: 'datadoghq.eu', url: null, tags: ['env:prod'], timeout: 4000, retries: 2 });
 * const { metrics } = await dd.query({ startMs, endMs }, signal); // metrics.resources.cpu.usage
 */
export function createDatadogSource(config: Config, options: DatadogSourceOptions = {}): QueriedSource {
  const env = options.env ?? process.env;
  const baseUrl = config.url ?? `https://api.${config.site}`;
  const where = { site: config.site, baseUrl };
  return {
    kind: 'queried',
    name: 'datadog',
    async query(window, signal) {
      const apiKey = env.DD_API_KEY;
      const appKey = env.DD_APP_KEY;
      if (!apiKey) throw new SourceError('DD_API_KEY is not set: export the API key of your Datadog organization (Organization Settings → API Keys)', 'auth');
      if (!appKey) throw new SourceError('DD_APP_KEY is not set: export an application key with the timeseries_query scope (Organization Settings → Application Keys)', 'auth');
      const request = { from: Math.floor(window.startMs / 1000), to: Math.floor(window.endMs / 1000), query: datadogQuery(config.tags) };
      const answer = await withRetry(async (attemptSignal) => {
        const configuration = datadogConfiguration({ site: config.site, url: config.url, apiKey, appKey },
          (url, init) => checkedFetch(url, { ...init, signal: attemptSignal }));
        return new v1.MetricsApi(configuration).queryMetrics(request);
      }, {
        what: 'Datadog query', retries: config.retries, attemptTimeoutMs: config.timeout, signal,
        retryAfterMs: (err) => (err instanceof HttpStatusError && err.status === 429 ? rateLimitResetMs(err.headers) : null),
        onRetry: (r) => options.logger?.warn({ source: 'datadog', ...r }, 'Remote source retry'),
      }).catch((err: unknown) => { throw explainDatadogError(err, where); });
      const byIndex = new Map<number, Points>();
      for (const s of answer.series ?? []) {
        const i = s.queryIndex ?? 0;
        byIndex.set(i, [...(byIndex.get(i) ?? []), ...((s.pointlist ?? []) as Points)]);
      }
      const filled = DATADOG_METRICS.filter((_, i) => (byIndex.get(i) ?? []).some((p) => typeof p[1] === 'number'));
      if (filled.length === 0) {
        const scope = config.tags.length ? config.tags.join(',') : 'every host';
        throw new SourceError(`Datadog has no system.* points for ${scope} in this window: check the tags and that the Agent runs on those hosts`, 'empty');
      }
      return { metrics: datadogReadings(byIndex), detail: `${filled.length} of ${DATADOG_METRICS.length} system metrics had points on ${config.site}` };
    },
  };
}

/** fetch that turns a non-2xx answer into an HttpStatusError carrying the response headers. */
async function checkedFetch(url: string, init: RequestInit): Promise<Response> {
  const response = await fetch(url, init);
  if (response.ok) return response;
  throw new HttpStatusError(response.status, response.statusText, response.headers, await response.text().catch(() => ''));
}

/** X-RateLimit-Reset is the number of seconds until the limit resets. */
function rateLimitResetMs(headers: Headers): number | null {
  const seconds = Number(headers.get('x-ratelimit-reset'));
  return headers.has('x-ratelimit-reset') && Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null;
}
