/** One row: the gauges and counters read every sample, and where pg_stat_statements lives. */
export const STATS_SQL = `
SELECT
  (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())::int AS connections,
  (SELECT count(*) FROM pg_stat_activity
    WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND datname = current_database())::int AS database_connections,
  (SELECT deadlocks FROM pg_stat_database WHERE datname = current_database())::float8 AS deadlocks,
  current_setting('max_connections')::int AS max_connections,
  (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_stat_statements') AS pgss_schema`;

/** Cumulative calls and execution time per statement of the current database. */
export function statementsSql(schema: string): string {
  return `
SELECT userid::text || ':' || queryid::text AS id, sum(calls)::float8 AS calls, sum(total_exec_time)::float8 AS total_ms
FROM ${quoteIdent(schema)}.pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) AND queryid IS NOT NULL AND calls > 0
GROUP BY 1`;
}

/**
 * Statements over the threshold ($1 ms) visible now: each connection's running statement,
 * or the last one it finished (state_change − query_start is how long that one took).
 */
export const SLOW_ACTIVITY_SQL = `
SELECT pid::text || '@' || (extract(epoch FROM query_start) * 1000000)::bigint::text AS id, state = 'active' AS running
FROM pg_stat_activity
WHERE datname = current_database() AND backend_type = 'client backend' AND pid <> pg_backend_pid()
  AND query_start IS NOT NULL
  AND CASE WHEN state = 'active' THEN clock_timestamp() - query_start ELSE state_change - query_start END
      > make_interval(secs => $1::float8 / 1000)`;

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
