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
 * The range GetMetricData is asked for: the window moved `delayMs` into the past, because
 * CloudWatch publishes a minute's datapoints minutes after it ends, so the newest minutes of a
 * window ending now would read low or empty. The moved end is rounded down to a period
 * boundary, so the newest period read has ended at least `delayMs` ago and is never partial,
 * and the start lies as many whole periods before it as fit the window's length (at least
 * one). The period rules go by the age of the start actually sent: when rounding makes it
 * older than its unit allows, the next unit is used.
 *
 * @example queryTimes({ startMs: Date.parse('2026-11-27T01:00:20Z'), endMs: Date.parse('2026-11-27T01:05:20Z') }, now, 150_000)
 * // → { startS: …00:57:00, endS: …01:02:00, windowPeriodS: 300, latestPeriodS: 60 }
 */
export function queryTimes(window: { readonly startMs: number; readonly endMs: number }, nowMs: number, delayMs = 0): QueryTimes {
  const nowS = Math.floor(nowMs / 1000);
  const movedEndS = Math.floor((window.endMs - delayMs) / 1000);
  const lengthS = (window.endMs - window.startMs) / 1000;
  let g = granularityS(movedEndS - lengthS, nowS);
  for (;;) {
    const endS = Math.floor(movedEndS / g) * g;
    const windowPeriodS = Math.max(1, Math.round(lengthS / g)) * g;
    const startS = endS - windowPeriodS;
    const needed = granularityS(startS, nowS);
    if (needed <= g) return { startS, endS, windowPeriodS, latestPeriodS: g };
    g = needed;
  }
}
