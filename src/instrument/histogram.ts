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
 * route → method → series id, and the histograms of each series by id. Keys are strings the
 * request already has (the route pattern, the method), so a lookup allocates nothing; "" is the
 * route when none is known. The recorder holds finished requests back by series id (see
 * HttpRecorder.flush), so a request's finish does not touch the histograms.
 */
export class HttpSeries {
  readonly byRoute = new Map<string, Map<string, number>>();
  private readonly byId: StatusHistograms[] = [];
  // The last series looked up: consecutive requests mostly hit the same one.
  private lastRoute = '';
  private lastMethod = '';
  private lastId = -1;

  constructor(private readonly boundsSeconds: readonly number[]) {}

  /** The id of the series of `route` and `method`, created on first use. */
  idOf(route: string, method: string): number {
    if (this.lastId >= 0 && route === this.lastRoute && method === this.lastMethod) return this.lastId;
    let byMethod = this.byRoute.get(route);
    if (byMethod === undefined) this.byRoute.set(route, (byMethod = new Map()));
    let id = byMethod.get(method);
    if (id === undefined) {
      id = this.byId.push([undefined, undefined, undefined, undefined, undefined, undefined]) - 1;
      byMethod.set(method, id);
    }
    this.lastRoute = route;
    this.lastMethod = method;
    this.lastId = id;
    return id;
  }

  /** The histograms of series `id`, by status class. */
  histograms(id: number): StatusHistograms {
    return this.byId[id]!;
  }

  observe(id: number, statusClass: number, durationMs: number): void {
    const byStatus = this.byId[id]!;
    let histogram = byStatus[statusClass];
    if (histogram === undefined) byStatus[statusClass] = histogram = new Histogram(this.boundsSeconds);
    histogram.observe(durationMs);
  }
}
