import pg from 'pg';
import type { Logger } from '../log.js';
import { counterDelta } from './counter-delta.js';
import { SLOW_ACTIVITY_SQL, STATS_SQL, statementsSql } from './postgres/queries.js';
import { slowQueryReadings, type SlowQuerySample } from './postgres/slow-queries.js';
import type { SampledSource, SourceReadings, TimedSample } from './source.js';

export interface PostgresSample {
  /** Client connections to the whole server (what max_connections limits), perfpilot's own excluded. */
  readonly connections: number;
  /** Of those, the ones to the configured database. */
  readonly databaseConnections: number;
  readonly deadlocks: number | null;
  readonly maxConnections: number | null;
  readonly slow: SlowQuerySample;
}

/** The part of a pg client this source calls. */
interface PgClient {
  connect(): Promise<unknown>;
  query<R extends object>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
  end(): Promise<void>;
  on(event: 'error', listener: (err: Error) => void): unknown;
}

export interface PostgresSourceOptions {
  readonly url: string;
  readonly slowQueryMs: number;
  readonly logger?: Logger;
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
  let client: PgClient | null = null;
  const drop = (stale: PgClient) => {
    if (client !== stale) return;
    client = null;
    stale.end().catch(() => undefined);
  };
  const connected = async (): Promise<PgClient> => {
    if (client) return client;
    const fresh: PgClient = new pg.Client({ connectionString: options.url, application_name: 'perfpilot', connectionTimeoutMillis: 3_000, statement_timeout: 5_000 });
    fresh.on('error', (err) => {
      options.logger?.debug({ err }, 'PostgreSQL connection error');
      drop(fresh);
    });
    client = fresh;
    try {
      await fresh.connect();
    } catch (err) {
      drop(fresh);
      throw err;
    }
    return fresh;
  };
  return {
    kind: 'sampled',
    name: 'postgres',
    async sample(signal) {
      const c = await connected();
      const onAbort = () => drop(c);
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await postgresSample(c, options.slowQueryMs);
      } catch (err) {
        if (!isSqlError(err)) drop(c);
        throw err;
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

async function postgresSample(c: PgClient, slowQueryMs: number): Promise<PostgresSample> {
  const [stats] = (await c.query<{ connections: number; database_connections: number; deadlocks: number | null; max_connections: number; pgss_schema: string | null }>(STATS_SQL)).rows;
  if (!stats) throw new Error('no row from pg_stat_activity');
  const base = { connections: stats.connections, databaseConnections: stats.database_connections, deadlocks: stats.deadlocks, maxConnections: stats.max_connections };
  let why = 'pg_stat_statements is not installed in this database';
  if (stats.pgss_schema !== null) {
    try {
      const { rows } = await c.query<{ id: string; calls: number; total_ms: number }>(statementsSql(stats.pgss_schema));
      const statements: Record<string, [number, number]> = {};
      for (const r of rows) statements[r.id] = [r.calls, r.total_ms];
      return { ...base, slow: { method: 'pg_stat_statements', statements } };
    } catch (err) {
      if (!isSqlError(err)) throw err;
      why = `pg_stat_statements cannot be read: ${(err as Error).message}`;
    }
  }
  const { rows } = await c.query<{ id: string; running: boolean }>(SLOW_ACTIVITY_SQL, [slowQueryMs]);
  return { ...base, slow: { method: 'pg_stat_activity', why, seen: rows.map((r) => [r.id, r.running]) } };
}

/** A server's SQL error (the connection is still good), as opposed to a network failure. */
function isSqlError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && /^[0-9A-Z]{5}$/.test((err as { code: string }).code) && !/^(08|57P)/.test((err as { code: string }).code);
}

/** Pure: connections at the window's end, deadlocks and slow queries within it. */
export function postgresReadings(baseline: TimedSample<PostgresSample> | null, samples: readonly TimedSample<PostgresSample>[], slowQueryMs: number): SourceReadings {
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
