import { performance } from 'node:perf_hooks';
import type { Histogram } from './histogram.js';
import type { WindowLog } from './window-log.js';

/** The part of a node-postgres Client read here. */
export interface PgClientLike {
  query: (...args: never[]) => unknown;
}

/** The part of a node-postgres Pool read here: it hands out Clients and says so on 'connect'. */
export interface PgPoolLike extends PgClientLike {
  readonly totalCount: number;
  on(event: 'connect', listener: (client: PgClientLike) => void): unknown;
}

const kWrapped = Symbol('perfpilot.pgWrapped');
type Wrappable = PgClientLike & { [kWrapped]?: true; _clients?: PgClientLike[] };
type AnyQuery = (this: unknown, ...args: unknown[]) => unknown;

/** Counts query durations (client.query call to its result) into the window and the histogram. */
export class PgRecorder {
  constructor(private readonly log: WindowLog, private readonly histogram: Histogram) {}

  /**
   * Instruments a Pool (every client it has and will connect) or a single Client. Queries are
   * timed on the client, so a Pool's wait for a free connection is not counted as query time.
   */
  instrument<T extends PgClientLike>(target: T): T {
    const t = target as unknown as Wrappable & Partial<PgPoolLike>;
    if (typeof t.on === 'function' && typeof t.totalCount === 'number') {
      t.on('connect', (client) => this.wrap(client as Wrappable));
      for (const client of t._clients ?? []) this.wrap(client as Wrappable);
    } else {
      this.wrap(t);
    }
    return target;
  }

  record(durationMs: number, failed: boolean): void {
    const window = this.log.current;
    window.queries++;
    if (failed) window.queryErrors++;
    window.queryDurations.accept(durationMs);
    this.histogram.observe(durationMs);
  }

  private wrap(client: Wrappable): void {
    if (client[kWrapped]) return;
    client[kWrapped] = true;
    const query = client.query as unknown as AnyQuery;
    const recorder = this;
    const timed: AnyQuery = function (this: unknown, ...args) {
      const startMs = performance.now();
      const done = (failed: boolean) => recorder.record(performance.now() - startMs, failed);
      const callback = args.at(-1);
      if (typeof callback === 'function') {
        args[args.length - 1] = function (this: unknown, err: unknown, ...rest: unknown[]) {
          done(err != null);
          return callback.call(this, err, ...rest);
        };
        return query.apply(this, args);
      }
      const result = query.apply(this, args) as { then?: unknown } | undefined;
      const submittable = args[0] as { submit?: unknown; once?: (event: string, fn: () => void) => void } | undefined;
      if (typeof result?.then === 'function') {
        (result as PromiseLike<unknown>).then(() => done(false), () => done(true));
      } else if (typeof submittable?.submit === 'function' && typeof submittable.once === 'function') {
        submittable.once('end', () => done(false));
        submittable.once('error', () => done(true));
      }
      return result;
    };
    client.query = timed as PgClientLike['query'];
  }
}
