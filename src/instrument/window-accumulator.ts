import type { DDSketch } from '@datadog/sketches-js';
import { decodeSketch, encodeSketch, mergeSketch, newSketch } from './duration-sketch.js';
import { HyperLogLog } from './hyperloglog.js';
import { STATUS_CLASSES, type WindowData } from './sketch-envelope.js';

/**
 * The mutable totals of the window in progress. The hot path only bumps fields on it; a pull
 * replaces the whole object (see WindowLog.cut), so a window is cut in one synchronous step
 * and no request lands in two windows or in none.
 */
export class WindowAccumulator {
  requests = 0;
  errors = 0;
  aborted = 0;
  /** Indexed by the first digit of the status: [unused, 1xx, 2xx, 3xx, 4xx, 5xx]. */
  readonly statusClasses = new Float64Array(6);
  readonly durations: DDSketch = newSketch();
  readonly users = new HyperLogLog();
  /** Bumped when a new window starts, so per-socket user caches know to add their user again. */
  readonly generation: number;
  queries = 0;
  queryErrors = 0;
  readonly queryDurations: DDSketch = newSketch();

  constructor(readonly startMs: number, generation: number) {
    this.generation = generation;
  }

  /** Adds a window in wire form (another pull, another instance): counts add up, sketches and HLLs merge. */
  absorb(window: WindowData): this {
    const { http, db } = window;
    this.requests += http.requests;
    this.errors += http.errors;
    this.aborted += http.aborted;
    STATUS_CLASSES.forEach((name, i) => (this.statusClasses[i + 1]! += http.statusClasses[name]));
    mergeSketch(this.durations, decodeSketch(http.durationMs));
    this.users.merge(HyperLogLog.fromBytes(Buffer.from(http.users, 'base64')));
    this.queries += db.queries;
    this.queryErrors += db.errors;
    mergeSketch(this.queryDurations, decodeSketch(db.durationMs));
    return this;
  }

  /** Freezes this window into its wire form. */
  encode(endMs: number): WindowData {
    const s = this.statusClasses;
    return {
      startMs: this.startMs,
      endMs,
      http: {
        requests: this.requests,
        errors: this.errors,
        aborted: this.aborted,
        statusClasses: { '1xx': s[1]!, '2xx': s[2]!, '3xx': s[3]!, '4xx': s[4]!, '5xx': s[5]! },
        durationMs: encodeSketch(this.durations),
        users: Buffer.from(this.users.toBytes()).toString('base64'),
      },
      db: { queries: this.queries, errors: this.queryErrors, durationMs: encodeSketch(this.queryDurations) },
    };
  }
}
