import { CloudWatchClient, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Logger } from '../log.js';
import type { LoadedConfigValues } from '../config/load.js';
import { SourceError, type QueriedSource } from './source.js';
import { withRetry } from './remote/retry.js';
import { planQueries } from './cloudwatch/preset.js';
import { queryTimes, type QueryTimes } from './cloudwatch/period.js';
import { formatDurationMs } from '../util/duration.js';
import { fetchMetricData, type GetMetricData } from './cloudwatch/fetch-metric-data.js';
import { cloudWatchReadings } from './cloudwatch/readings.js';
import { explainCloudWatchError } from './cloudwatch/explain-error.js';

export interface CloudWatchSourceOptions {
  /** The monitored environment: picks `dimensions[environment]`. */
  readonly environment: string;
  readonly now?: () => number;
  readonly logger?: Logger;
}

type Config = NonNullable<LoadedConfigValues['sources']['cloudwatch']>;

/** How the status shows a result's StatusCode other than Complete. */
const STATUS_WORDS: Readonly<Record<string, string>> = { PartialData: 'partial data', Forbidden: 'forbidden', InternalError: 'CloudWatch internal error' };

const isoS = (s: number): string => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The range the readings describe, for the status: with a delay it is not the window asked
 * for, and a person comparing them with other sources must see that.
 */
function readWindow(times: QueryTimes, delayMs: number): string {
  const range = `${isoS(times.startS)} to ${isoS(times.endS)}`;
  return delayMs > 0 ? `${range} (the window moved back ${formatDurationMs(delayMs)} and down to whole periods: CloudWatch publishes datapoints minutes late)` : range;
}

/**
 * CloudWatch through GetMetricData, with the AWS preset (see `cloudwatch/preset.ts`) for the
 * environment's resources, over the window moved back by `delay` (see `cloudwatch/period.ts`),
 * which the status names. Credentials come from the standard AWS chain; the SDK's own retries
 * are off, so every call follows this source's timeout and back-off.
 *
 * @example
 * const cw = createCloudWatchSource({ region: 'eu-west-1', endpoint: null, preset: 'aws', delay: 180_000, timeout: 4000, retries: 2,
 *   dimensions: { prod: { elastiCache: { CacheClusterId: 'shop-001' } } } }, { environment: 'prod' });
 * const { metrics } = await cw.query({ startMs, endMs }, signal); // metrics.cache.hitRate
 */
export function createCloudWatchSource(config: Config, options: CloudWatchSourceOptions): QueriedSource {
  const client = new CloudWatchClient({ region: config.region, maxAttempts: 1, ...(config.endpoint ? { endpoint: config.endpoint } : {}) });
  const call: GetMetricData = (request, signal) => client.send(new GetMetricDataCommand(request), { abortSignal: signal });
  const now = options.now ?? Date.now;
  const where = { region: config.region, endpoint: config.endpoint };
  return {
    kind: 'queried',
    name: 'cloudwatch',
    async query(window, signal) {
      const dimensions = config.dimensions[options.environment];
      const plan = dimensions ? planQueries(dimensions) : [];
      if (plan.length === 0) {
        throw new SourceError(`no AWS resources are set for environment "${options.environment}": add sources.cloudwatch.dimensions.${options.environment} (apiGateway, rds, elastiCache, ec2 or ecs)`, 'not_found');
      }
      const times = queryTimes(window, now(), config.delay);
      const read = readWindow(times, config.delay);
      const fetched = await withRetry((s) => fetchMetricData(call, plan, times, s), {
        what: 'CloudWatch GetMetricData', retries: config.retries, attemptTimeoutMs: config.timeout, signal,
        onRetry: (r) => options.logger?.warn({ source: 'cloudwatch', ...r }, 'Remote source retry'),
      }).catch((err: unknown) => { throw explainCloudWatchError(err, where); });
      const withData = plan.filter((q) => fetched.values.get(q.id)!.length > 0);
      const forbidden = fetched.incomplete.get('Forbidden') ?? [];
      if (withData.length === 0 && forbidden.length > 0) {
        throw new SourceError(`CloudWatch answered Forbidden for ${forbidden.length} of the ${plan.length} metrics of "${options.environment}": allow cloudwatch:GetMetricData on them for this principal (for another account's metrics, share them through CloudWatch cross-account observability)`, 'auth');
      }
      if (withData.length === 0) {
        throw new SourceError(`CloudWatch has no datapoints for any of the ${plan.length} metrics of "${options.environment}" in ${read}: check the dimensions name existing resources in ${config.region} that were active then`, 'empty');
      }
      const missing = new Map<string, number>();
      for (const q of plan.filter((p) => !withData.includes(p))) {
        const label = `${q.metricName}${q.id.startsWith('api_p') ? ` ${q.stat}` : ''}`;
        missing.set(label, (missing.get(label) ?? 0) + 1);
      }
      const detail = [
        `read ${read}`,
        `${withData.length} of ${plan.length} metrics had data over ${times.windowPeriodS} s in ${fetched.calls} call${fetched.calls === 1 ? '' : 's'}`,
        missing.size ? `no data: ${[...missing].map(([label, n]) => (n > 1 ? `${label} ×${n}` : label)).join(', ')}` : '',
        ...[...fetched.incomplete].map(([code, ids]) => `${STATUS_WORDS[code] ?? code}: ${ids.join(', ')}`),
        ...fetched.messages,
      ].filter(Boolean).join('; ');
      return { metrics: cloudWatchReadings(plan, fetched.values, times.windowPeriodS), detail };
    },
    async close() {
      client.destroy();
    },
  };
}
