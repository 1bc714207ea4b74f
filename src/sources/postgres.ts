import { counterDelta } from './counter-delta.js';
import { SLOW_ACTIVITY_SQL, STATS_SQL, statementsSql } from './postgres/queries.js';
import { slowQueryReadings, statementDeltas, type SlowQuerySample, type StatementTotals } from './postgres/slow-queries.js';
import { SourceError, type SampledSource, type SourceReadings, type TimedSample } from './source.js';

const CONNECT_TIMEOUT_S = 3;

export interface PostgresSample {
  /** Client connections to the whole server (what max_connections limits), perfpilot's own excluded. */
  readonly connections: number;
  /** Of those, the ones to the configured database. */
  readonly databaseConnections: number;
  readonly deadlocks: number | null;
  readonly maxConnections: number | null;
  readonly slow: SlowQuerySample;
}

/** The part of a postgres.js client this source calls: one connection, simple queries. */
interface PgClient {
  unsafe<R extends object>(text: string, values?: unknown[]): PromiseLike<R[]>;
  end(options: { timeout: number }): Promise<void>;
}

export interface PostgresSourceOptions {
  readonly url: string;
  readonly slowQueryMs: number;
}

/**
 * PostgreSQL over one connection kept open between samples (opened again after a failure).
 * Connections to the server at the window's end, deadlocks in the configured database from
 * pg_stat_database's counter, and slow queries there from pg_stat_statements or, without it,
 * from pg_stat_activity.
 *
 * @example createPostgresSource({ url: 'postgres://postgres@127.0.0.1:5432/app', slowQueryMs: 500 })
 */
export function createPostgresSource(options: PostgresSourceOptions): SampledSource<PostgresSample> {
  // postgres.js rather than pg: pg loads Node's fetch (undici and its WebAssembly parser) when
  // imported, and costs 6.9 MiB of RSS where postgres.js costs 2.6 (bench/RESULTS.md, collect).
  // It is imported only when a PostgreSQL source exists, starting now so the first sample's
  // timeout does not pay for it.
  const clientLoaded = import('postgres');
  clientLoaded.catch(() => undefined); // a failed import is reported by the first sample
  let client: PgClient | null = null;
  /** pg_stat_statements at the last sample returned in time; null before the first, or without the extension. */
  let totals: StatementTotals | null = null;
  const drop = (stale: PgClient) => {
    if (client !== stale) return;
    client = null;
    stale.end({ timeout: 0 }).catch(() => undefined);
  };
  const connected = async (): Promise<PgClient> => {
    const { default: postgres } = await clientLoaded;
    client ??= postgres(options.url, {
      max: 1,
      connect_timeout: CONNECT_TIMEOUT_S,
      // Unnamed statements, as psql sends them: safe behind PgBouncer in transaction mode.
      prepare: false,
      // No array-type lookup on connecting: these queries return no arrays.
      fetch_types: false,
      onnotice: () => undefined,
      connection: { application_name: 'perfpilot', statement_timeout: 5_000 },
    });
    return client;
  };
  return {
    kind: 'sampled',
    name: 'postgres',
    async sample(signal) {
      const c = await connected();
      const onAbort = () => drop(c);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        const { sample, statements } = await postgresSample(c, options.slowQueryMs, totals);
        // A sample the collector gave up on is not stored: the next deltas must span it.
        if (!signal.aborted) totals = statements;
        return sample;
      } catch (err) {
        if (!isSqlError(err)) drop(c);
        throw connectionFailure(err);
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    },
    readings: (baseline, samples) => postgresReadings(baseline, samples, options.slowQueryMs),
    async close() {
      if (client) drop(client);
    },
  };
}

/** One reading, and pg_stat_statements' totals to compare the next one with (null without it). */
async function postgresSample(c: PgClient, slowQueryMs: number, previous: StatementTotals | null): Promise<{ sample: PostgresSample; statements: StatementTotals | null }> {
  const [stats] = await c.unsafe<{ connections: number; database_connections: number; deadlocks: number | null; max_connections: number; pgss_schema: string | null }>(STATS_SQL);
  if (!stats) throw new Error('no row from pg_stat_activity');
  const base = { connections: stats.connections, databaseConnections: stats.database_connections, deadlocks: stats.deadlocks, maxConnections: stats.max_connections };
  let why = 'pg_stat_statements is not installed in this database';
  if (stats.pgss_schema !== null) {
    try {
      const rows = await c.unsafe<{ id: string; calls: number; total_ms: number }>(statementsSql(stats.pgss_schema));
      const statements = new Map(rows.map((r) => [r.id, [r.calls, r.total_ms] as const]));
      const slow = { method: 'pg_stat_statements', fresh: previous === null, deltas: previous ? statementDeltas(previous, statements) : {} } as const;
      return { sample: { ...base, slow }, statements };
    } catch (err) {
      if (!isSqlError(err)) throw err;
      why = `pg_stat_statements cannot be read: ${(err as Error).message}`;
    }
  }
  const rows = await c.unsafe<{ id: string; running: boolean }>(SLOW_ACTIVITY_SQL, [slowQueryMs]);
  return { sample: { ...base, slow: { method: 'pg_stat_activity', why, seen: rows.map((r) => [r.id, r.running]) } }, statements: null };
}

/**
 * postgres.js names its own connection failures by a code (CONNECT_TIMEOUT, CONNECTION_CLOSED…)
 * in a message like "write CONNECT_TIMEOUT host:5432"; say them in words. Socket errors
 * (ECONNREFUSED…) and SQL errors pass through to be classified.
 */
function connectionFailure(err: unknown): unknown {
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'CONNECT_TIMEOUT') return new SourceError(`PostgreSQL did not accept the connection within ${CONNECT_TIMEOUT_S} s`, 'timeout', { cause: err });
  if (typeof code === 'string' && code.startsWith('CONNECTION_')) return new SourceError(`PostgreSQL connection lost (${code})`, 'network', { cause: err });
  return err;
}

/** A server's SQL error (the connection is still good), as opposed to a network failure. */
function isSqlError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code) && !/^(08|57P)/.test((err as { code: string }).code);
}

/** Pure: connections at the window's end, deadlocks and slow queries within it. */
function postgresReadings(baseline: TimedSample<PostgresSample> | null, samples: readonly TimedSample<PostgresSample>[], slowQueryMs: number): SourceReadings {
  const last = samples.at(-1)?.data;
  if (!last) return { metrics: {} };
  const slow = slowQueryReadings(baseline?.data.slow ?? null, samples.map((s) => s.data.slow), slowQueryMs);
  return {
    metrics: {
      database: {
        connections: last.connections,
        deadlocks: baseline ? counterDelta(baseline.data.deadlocks, last.deadlocks) : null,
        slowQueries: slow.count,
      },
    },
    detail: slow.detail,
  };
}
