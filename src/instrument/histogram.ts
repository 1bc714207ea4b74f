/** Prometheus' default buckets, in seconds: 5 ms to 10 s. */
export const DEFAULT_BUCKETS_SECONDS: readonly number[] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/**
 * A cumulative-since-start histogram for `/metrics` (Prometheus buckets are counters, so these
 * are never reset by a sketch pull). Observing is a short scan and two additions.
 */
export class Histogram {
  /** Upper bounds in ms, ascending; a value equal to a bound falls in that bucket (`le`). */
  readonly boundsMs: Float64Array;
  /** Per bucket, not cumulative; the last one is +Inf. */
  readonly counts: Float64Array;
  sumMs = 0;
  count = 0;

  constructor(boundsSeconds: readonly number[]) {
    this.boundsMs = Float64Array.from(boundsSeconds, (s) => s * 1000);
    this.counts = new Float64Array(boundsSeconds.length + 1);
  }

  observe(durationMs: number): void {
    const bounds = this.boundsMs;
    let i = 0;
    while (i < bounds.length && durationMs > bounds[i]!) i++;
    this.counts[i]!++;
    this.sumMs += durationMs;
    this.count++;
  }
}

/** The histograms of one route and method, one per status class ([unused, 1xx … 5xx]). */
export type StatusHistograms = (Histogram | undefined)[];

/**
 * route → method → histograms by status class. Keys are strings the request already has (the
 * route pattern, the method), so a lookup allocates nothing; "" is the route when none is known.
 */
export class HttpSeries {
  readonly byRoute = new Map<string, Map<string, StatusHistograms>>();
  // The last series looked up: consecutive requests mostly hit the same one.
  private lastRoute = '';
  private lastMethod = '';
  private lastByStatus: StatusHistograms | undefined;

  constructor(private readonly boundsSeconds: readonly number[]) {}

  observe(route: string, method: string, statusClass: number, durationMs: number): void {
    let byStatus = this.lastByStatus;
    if (byStatus === undefined || route !== this.lastRoute || method !== this.lastMethod) {
      byStatus = this.lookup(route, method);
      this.lastRoute = route;
      this.lastMethod = method;
      this.lastByStatus = byStatus;
    }
    let histogram = byStatus[statusClass];
    if (histogram === undefined) byStatus[statusClass] = histogram = new Histogram(this.boundsSeconds);
    histogram.observe(durationMs);
  }

  private lookup(route: string, method: string): StatusHistograms {
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) this.byRoute.set(route, (byMethod = new Map()));
    let byStatus = byMethod.get(method);
    if (byStatus === undefined) byMethod.set(method, (byStatus = [undefined, undefined, undefined, undefined, undefined, undefined]));
    return byStatus;
  }
}
