import { GetMetricDataCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { fetchMetricData } from '../../sources/cloudwatch/fetch-metric-data.js';
import { queryTimes } from '../../sources/cloudwatch/period.js';
import type { PlannedQuery } from '../../sources/cloudwatch/preset.js';
import { redactSecrets } from '../../util/redact.js';

/** The one method of the CloudWatch client this file calls. */
export interface CloudWatchSend {
  send: CloudWatchClient['send'];
}

/** The CDN's hit rate over a window, or why there is none. */
export type CdnHitRate = { readonly hitRate: number; readonly note: null } | { readonly hitRate: null; readonly note: string };

/**
 * CloudFront's cache hit rate over [startMs, endMs] across `distributionIds`, from CloudWatch
 * (`AWS/CloudFront`, dimensions DistributionId and Region=Global): each distribution's
 * `CacheHitRate` Average (a percentage) weighted by its `Requests` Sum. `CacheHitRate` exists
 * only where CloudFront's additional metrics are on; without it the answer says so.
 */
export async function cdnHitRate(client: CloudWatchSend, distributionIds: readonly string[], startMs: number, endMs: number, nowMs: number): Promise<CdnHitRate> {
  if (distributionIds.length === 0) return { hitRate: null, note: 'no distributions carry the tag' };
  const times = queryTimes({ startMs, endMs }, nowMs);
  const query = (id: string, metricName: string, stat: string, distributionId: string): PlannedQuery => ({
    id, namespace: 'AWS/CloudFront', metricName, stat, period: 'window',
    dimensions: [{ Name: 'DistributionId', Value: distributionId }, { Name: 'Region', Value: 'Global' }],
  });
  const plan = distributionIds.flatMap((d, i) => [query(`requests${i}`, 'Requests', 'Sum', d), query(`hit${i}`, 'CacheHitRate', 'Average', d)]);
  let values: Map<string, number[]>;
  try {
    const call = (request: ConstructorParameters<typeof GetMetricDataCommand>[0], signal: AbortSignal) => client.send(new GetMetricDataCommand(request), { abortSignal: signal });
    values = (await fetchMetricData(call, plan, times, new AbortController().signal)).values;
  } catch (err) {
    return { hitRate: null, note: `the CDN hit rate is unknown: CloudWatch GetMetricData failed: ${redactSecrets((err as Error).message)}` };
  }
  let hits = 0;
  let requests = 0;
  distributionIds.forEach((_, i) => {
    const hitPct = values.get(`hit${i}`) ?? [];
    const count = (values.get(`requests${i}`) ?? []).reduce((a, b) => a + b, 0);
    if (hitPct.length === 0 || count === 0) return;
    hits += (hitPct.reduce((a, b) => a + b, 0) / hitPct.length / 100) * count;
    requests += count;
  });
  if (requests === 0) {
    return { hitRate: null, note: 'the CDN hit rate is unknown: CloudWatch has no CacheHitRate with requests for these distributions in the window (turn on CloudFront\'s additional metrics to get it)' };
  }
  return { hitRate: hits / requests, note: null };
}
