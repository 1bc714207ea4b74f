import type { EncodedSketch } from './duration-sketch.js';

/** The version of the `/perfpilot/v1/sketch` body; bumped on any incompatible change. */
export const SKETCH_ENVELOPE_VERSION = 1;

export type StatusClass = '1xx' | '2xx' | '3xx' | '4xx' | '5xx';
export const STATUS_CLASSES: readonly StatusClass[] = ['1xx', '2xx', '3xx', '4xx', '5xx'];

/** What an instance saw over one stretch of time, in the units of the metrics model. */
export interface WindowData {
  /** The instance's clock: the stretch covered, from the cut before it to the cut ending it. */
  readonly startMs: number;
  readonly endMs: number;
  readonly http: {
    /** Responses finished in the window (aborted requests are not among them). */
    readonly requests: number;
    /** 5xx responses. */
    readonly errors: number;
    /** Requests whose client went away before the response finished. */
    readonly aborted: number;
    readonly statusClasses: Readonly<Record<StatusClass, number>>;
    /** Request durations, start to response finish, in ms. */
    readonly durationMs: EncodedSketch;
    /** Distinct users: a base64 HyperLogLog (see HyperLogLog.toBytes). */
    readonly users: string;
  };
  readonly db: {
    readonly queries: number;
    readonly errors: number;
    readonly durationMs: EncodedSketch;
  };
}

/**
 * The body of `GET /perfpilot/v1/sketch[?since=SEQ]`: everything since the puller's cursor.
 *
 * @example
 * { "version": 1, "service": "shop", "environment": "prod", "instance": "6f1c…", "seq": 42,
 *   "since": 41, "gap": false, "inFlight": 3, "startMs": 1764205200000, "endMs": 1764205210000,
 *   "http": { "requests": 812, "errors": 3, "aborted": 0, "statusClasses": { "2xx": 809, … },
 *             "durationMs": { "proto": "CgkJ…", "count": 812, "sumMs": 20311.5, "minMs": 0.4, "maxMs": 912 },
 *             "users": "AQ4…" },
 *   "db": { "queries": 1020, "errors": 0, "durationMs": { … } } }
 */
export interface SketchEnvelope extends WindowData {
  readonly version: typeof SKETCH_ENVELOPE_VERSION;
  readonly service: string;
  readonly environment: string;
  /** Random per process: a new value means the instance restarted and `seq` began again. */
  readonly instance: string;
  /** The cursor after this pull: send it back as `?since=` next time. */
  readonly seq: number;
  /** The cursor this answer starts after (the `since` asked for, or the previous cut). */
  readonly since: number;
  /** True when windows after `since` had already been dropped: the data is incomplete. */
  readonly gap: boolean;
  /** Requests in flight at the cut (a gauge, not part of the window). */
  readonly inFlight: number;
}
