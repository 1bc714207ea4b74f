/**
 * `perfpilot/instrument`: what a Node.js service imports to report its own performance.
 *
 * ```ts
 * import { instrument } from 'perfpilot/instrument';
 * const perf = instrument({ service: 'shop', environment: 'prod' });
 * perf.attach(server);                                 // node:http/https: plain, Express, Fastify, Koa
 * perf.pg(pool);                                       // node-postgres Pool or Client: query durations
 * await perf.serve({ host: '127.0.0.1', port: 9465 }); // GET /metrics and GET /perfpilot/v1/sketch
 * ```
 *
 * `/metrics` (Prometheus text; these names are stable):
 * - `http_server_request_duration_seconds` histogram {route, method, status_class}; buckets
 *   5 ms … 10 s. `route` is the framework's pattern (Express, Fastify) or "" when unknown.
 * - `http_server_requests_total` counter {route, method, status_class}
 * - `http_server_errors_total` counter {route, method}: 5xx responses
 * - `http_server_requests_aborted_total` counter: connections closed before the response finished
 * - `http_server_requests_in_flight` gauge
 * - `db_client_query_duration_seconds` histogram: queries through `perf.pg(...)`
 *
 * `/perfpilot/v1/sketch[?since=SEQ]`: a SketchEnvelope (JSON, `version: 1`) of everything since
 * the puller's cursor, with DDSketches (0.5 % relative accuracy) and a HyperLogLog of users that
 * perfpilot's `app` source merges across instances. See WindowLog for how windows are cut.
 */
import type { Server } from 'node:http';
import { Histogram, HttpSeries, DEFAULT_BUCKETS_SECONDS } from './histogram.js';
import { HttpRecorder, type UserOf } from './http-recorder.js';
import { PgRecorder, type PgClientLike } from './pg.js';
import { renderPrometheus } from './prometheus-text.js';
import { watchFastifyRoutes } from './route-of.js';
import { serveExport, type ExportServer } from './serve.js';
import { SKETCH_ENVELOPE_VERSION, type SketchEnvelope } from './sketch-envelope.js';
import { WindowLog } from './window-log.js';

export type { ExportServer } from './serve.js';
export type { SketchEnvelope, WindowData, StatusClass } from './sketch-envelope.js';
export type { UserOf } from './http-recorder.js';
export type { PgClientLike, PgPoolLike } from './pg.js';
export { METRIC_NAMES } from './prometheus-text.js';
export { SKETCH_PATH } from './serve.js';

export interface InstrumentOptions {
  /** The service's name, e.g. "shop"; reported in every sketch. */
  readonly service: string;
  /** The environment it runs in (`local`, `staging`, `prod`, …), as in perfpilot.yaml. */
  readonly environment: string;
  /**
   * The user of a request, for `concurrentUsers`: a header, a cookie, an authenticated id.
   * Called when the response finishes; when it returns nothing, the client address is used.
   * @example userId: (req) => req.headers['x-user-id'] as string | undefined
   */
  readonly userId?: UserOf;
  /** Histogram buckets of `/metrics`, in seconds (default 5 ms … 10 s). */
  readonly bucketsSeconds?: readonly number[];
  /** How long a cut window waits for pullers that have not fetched it (default 5 min). */
  readonly retainMs?: number;
}

/** What `instrument()` returns. */
export interface Instrumentation {
  /**
   * Times every request of a node:http or node:https server, from its start to its response's
   * finish. Attaching the same server again changes nothing; a server another instrumentation has
   * attached, or one that is not a node:http/https server, is refused with an error.
   * @example perf.attach(app.listen(3000)); // Express; Fastify: perf.attach(fastify.server)
   */
  attach(server: Server): void;
  /**
   * Times every query of a node-postgres Pool (all its clients) or Client; returns it.
   * @example const pool = perf.pg(new pg.Pool({ connectionString }));
   */
  pg<T extends PgClientLike>(poolOrClient: T): T;
  /**
   * Serves GET /metrics and GET /perfpilot/v1/sketch on their own port (default 127.0.0.1:9465).
   * @example const exporter = await perf.serve({ host: '0.0.0.0', port: 9465 });
   */
  serve(options?: { readonly host?: string; readonly port?: number }): Promise<ExportServer>;
  /**
   * The `/metrics` body, to serve it from a route of your own.
   * @example app.get('/metrics', (_req, res) => res.type('text/plain').send(perf.metrics()));
   */
  metrics(): string;
  /**
   * Cuts the window in progress and returns the `/perfpilot/v1/sketch` body since the cursor `since`.
   * @example const { seq } = perf.sketch(); const next = perf.sketch(seq);
   */
  sketch(since?: number | null): SketchEnvelope;
  /** Stops timing new requests of the attached servers (those in flight are still counted) and closes the export servers. */
  close(): Promise<void>;
}

/**
 * Starts instrumenting a service.
 *
 * @example
 * const perf = instrument({ service: 'shop', environment: 'prod', userId: (req) => req.headers['x-user-id'] as string });
 * perf.attach(server);
 * await perf.serve({ port: 9465 });
 */
export function instrument(options: InstrumentOptions): Instrumentation {
  const buckets = options.bucketsSeconds ?? DEFAULT_BUCKETS_SECONDS;
  const log = new WindowLog(Date.now, { retainMs: options.retainMs ?? 5 * 60_000, maxWindows: 64 });
  const series = new HttpSeries(buckets);
  const dbHistogram = new Histogram(buckets);
  const http = new HttpRecorder(log, series, options.userId ?? null);
  const pg = new PgRecorder(log, dbHistogram);
  // Unique enough to tell a restart apart; node:crypto would cost a megabyte of RSS to load.
  const instance = `${process.pid.toString(36)}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
  const servers = new Set<Server>();
  const exporters = new Set<ExportServer>();

  const perf: Instrumentation = {
    attach(server) {
      watchFastifyRoutes();
      http.attach(server);
      servers.add(server);
    },
    pg: (target) => pg.instrument(target),
    async serve(serveOptions = {}) {
      const exporter = await serveExport({ metrics: perf.metrics, sketch: perf.sketch }, serveOptions);
      exporters.add(exporter);
      return exporter;
    },
    metrics() {
      http.flush();
      return renderPrometheus({ http: series, inFlight: http.inFlight, abortedTotal: http.abortedTotal, db: dbHistogram });
    },
    sketch(since = null) {
      http.flush();
      const pulled = log.pull(since);
      return {
        version: SKETCH_ENVELOPE_VERSION,
        service: options.service,
        environment: options.environment,
        instance,
        seq: pulled.seq,
        since: pulled.since,
        gap: pulled.gap,
        inFlight: http.inFlight,
        ...pulled.window,
      };
    },
    async close() {
      for (const server of servers) http.detach(server);
      servers.clear();
      http.flush();
      await Promise.all([...exporters].map((e) => e.close()));
      exporters.clear();
    },
  };
  return perf;
}
