const DAY_S = 86_400;

/** The time range and periods one GetMetricData call asks for, in epoch seconds. */
export interface QueryTimes {
  readonly startS: number;
  readonly endS: number;
  /** The whole range as one period: one datapoint per query, the statistic over the window. */
  readonly windowPeriodS: number;
  /** The finest period the data's age allows: for gauges, whose newest datapoint is read. */
  readonly latestPeriodS: number;
}

/**
 * The period a query must be a multiple of for a window starting this long ago (seconds), as
 * GetMetricData's MetricStat.Period documents it: 60 when the start is up to 15 days ago, 300
 * from 15 to 63 days, 3600 beyond; any other period returns no datapoints at all. CloudWatch
 * also rounds StartTime down to the same unit. (Sub-minute periods exist only for
 * high-resolution custom metrics under 3 hours old; the AWS metrics of the preset are
 * regular resolution, whose finest period is 60.)
 */
export function granularityS(startS: number, nowS: number): number {
  const ageDays = (nowS - startS) / DAY_S;
  if (ageDays > 63) return 3_600;
  if (ageDays > 15) return 300;
  return 60;
}

/**
 * Aligns a window to CloudWatch's periods. The end is rounded down to a period boundary
 * (CloudWatch rounds the start down the same way, and the newest minute is still filling),
 * and the start lies a whole number of periods before it, so the window period is a
 * multiple of the granularity that divides the range exactly. A window shorter than one
 * period is widened to one period.
 *
 * @example queryTimes({ startMs: Date.parse('2026-11-27T01:00:00Z'), endMs: Date.parse('2026-11-27T01:05:00Z') }, now)
 * // → { startS: …01:00:00, endS: …01:05:00, windowPeriodS: 300, latestPeriodS: 60 }
 */
export function queryTimes(window: { readonly startMs: number; readonly endMs: number }, nowMs: number): QueryTimes {
  const nowS = Math.floor(nowMs / 1000);
  const start = Math.floor(window.startMs / 1000);
  const g = granularityS(start, nowS);
  const endS = Math.floor(window.endMs / 1000 / g) * g;
  const periods = Math.max(1, Math.round((endS - start) / g));
  const windowPeriodS = periods * g;
  return { startS: endS - windowPeriodS, endS, windowPeriodS, latestPeriodS: g };
}
