import type { PlannedQuery } from './preset.js';
import type { QueryTimes } from './period.js';

/** GetMetricData allows at most 500 queries in one call. */
export const MAX_QUERIES_PER_CALL = 500;

/** The part of a GetMetricData request this source sends. */
export interface MetricDataRequest {
  readonly MetricDataQueries: {
    Id: string;
    MetricStat: { Metric: { Namespace: string; MetricName: string; Dimensions: { Name: string; Value: string }[] }; Period: number; Stat: string };
    ReturnData: true;
  }[];
  readonly StartTime: Date;
  readonly EndTime: Date;
  readonly ScanBy: 'TimestampDescending';
  readonly NextToken?: string;
}

/** The part of a GetMetricData answer this source reads. */
export interface MetricDataPage {
  readonly MetricDataResults?: readonly { Id?: string; Timestamps?: Date[]; Values?: number[]; StatusCode?: string }[];
  readonly NextToken?: string;
  readonly Messages?: readonly { Code?: string; Value?: string }[];
}

export type GetMetricData = (request: MetricDataRequest, signal: AbortSignal) => Promise<MetricDataPage>;

export interface FetchedMetricData {
  /** Values per query Id, newest first. */
  readonly values: Map<string, number[]>;
  /**
   * Ids whose last result was not Complete, by StatusCode: PartialData (still partial after the
   * last page), Forbidden (the principal may not read that metric), InternalError.
   */
  readonly incomplete: ReadonlyMap<string, string[]>;
  readonly messages: string[];
  readonly calls: number;
}

/**
 * Runs a plan in calls of at most 500 queries, following NextToken until the last page.
 * Results are matched to queries by Id, never by position; the values of an Id spread over
 * several pages (PartialData) are joined and sorted newest first by their timestamps.
 */
export async function fetchMetricData(call: GetMetricData, plan: readonly PlannedQuery[], times: QueryTimes, signal: AbortSignal): Promise<FetchedMetricData> {
  const points = new Map<string, { t: number; v: number }[]>(plan.map((q) => [q.id, []]));
  const status = new Map<string, string>();
  const messages: string[] = [];
  let calls = 0;
  for (let i = 0; i < plan.length; i += MAX_QUERIES_PER_CALL) {
    const queries = plan.slice(i, i + MAX_QUERIES_PER_CALL).map((q) => ({
      Id: q.id,
      MetricStat: {
        Metric: { Namespace: q.namespace, MetricName: q.metricName, Dimensions: q.dimensions.map((d) => ({ ...d })) },
        Period: q.period === 'window' ? times.windowPeriodS : times.latestPeriodS,
        Stat: q.stat,
      },
      ReturnData: true as const,
    }));
    let nextToken: string | undefined;
    do {
      const page = await call({
        MetricDataQueries: queries,
        StartTime: new Date(times.startS * 1000),
        EndTime: new Date(times.endS * 1000),
        ScanBy: 'TimestampDescending',
        ...(nextToken ? { NextToken: nextToken } : {}),
      }, signal);
      calls++;
      for (const r of page.MetricDataResults ?? []) {
        const into = r.Id === undefined ? undefined : points.get(r.Id);
        if (!into) continue;
        const ts = r.Timestamps ?? [];
        (r.Values ?? []).forEach((v, k) => into.push({ t: ts[k]?.getTime() ?? 0, v }));
        if (r.StatusCode) status.set(r.Id!, r.StatusCode);
      }
      for (const m of page.Messages ?? []) messages.push([m.Code, m.Value].filter(Boolean).join(': '));
      nextToken = page.NextToken;
    } while (nextToken);
  }
  const values = new Map([...points].map(([id, p]) => [id, p.sort((a, b) => b.t - a.t).map((x) => x.v)]));
  const incomplete = new Map<string, string[]>();
  for (const [id, code] of status) if (code !== 'Complete') incomplete.set(code, [...(incomplete.get(code) ?? []), id]);
  return { values, incomplete, messages, calls };
}
