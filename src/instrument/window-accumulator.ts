import type { DDSketch } from '@datadog/sketches-js';
import { toBase64 } from './base64.js';
import { decodeSketch, encodeSketch, mergeSketch, newSketch } from './duration-sketch.js';
import { HyperLogLog } from './hyperloglog.js';
import { STATUS_CLASSES, type WindowData } from './sketch-envelope.js';

/**
 * The mutable totals of the window in progress. The hot path only bumps fields on it; a pull
 * swaps in another accumulator (see WindowLog.pull), so a window is cut in one synchronous step
 * and no request lands in two windows or in none.
 */
export class WindowAccumulator {
  requests = 0;
  errors = 0;
  aborted = 0;
  /** Indexed by the first digit of the status: [unused, 1xx, 2xx, 3xx, 4xx, 5xx]. */
  readonly statusClasses = new Float64Array(6);
  durations: DDSketch = newSketch();
  readonly users = new HyperLogLog();
  queries = 0;
  queryErrors = 0;
  queryDurations: DDSketch = newSketch();

  /** `generation` is bumped for each new window, so per-socket user caches add their user again. */
  constructor(public startMs: number, public generation: number) {}

  /** Empties this accumulator for a new window, keeping its 16 KB of HLL registers. */
  reset(startMs: number, generation: number): this {
    this.startMs = startMs;
    this.generation = generation;
    this.requests = this.errors = this.aborted = this.queries = this.queryErrors = 0;
    this.statusClasses.fill(0);
    this.durations = newSketch();
    this.queryDurations = newSketch();
    this.users.registers.fill(0);
    return this;
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
        users: toBase64(this.users.toBytes()),
      },
      db: { queries: this.queries, errors: this.queryErrors, durationMs: encodeSketch(this.queryDurations) },
    };
  }
}
