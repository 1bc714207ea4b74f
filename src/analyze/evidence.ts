import { z } from 'zod';

/**
 * Facts behind the readings that some rules and recommendations need: PostgreSQL's
 * `max_connections`, Redis's `maxmemory-policy` and how many keys carry a TTL.
 * Any of it may be missing (null): the rules that need it then have no data.
 */
export interface Evidence {
  readonly postgres: { readonly maxConnections: number | null };
  readonly redis: {
    readonly maxmemoryPolicy: string | null;
    /** Keys over all databases (INFO keyspace `keys`). */
    readonly keys: number | null;
    /** Keys with a TTL over all databases (INFO keyspace `expires`). */
    readonly expires: number | null;
  };
}

/** The sources whose raw samples carry evidence. */
export const EVIDENCE_SOURCES: readonly string[] = ['postgres', 'redis'];

/**
 * Each source's latest successful sample data from attempts in time order (what a store's
 * `samplesForWindow` or a fresh sampling gives), as `evidenceFromSamples` takes them. Pure.
 */
export function latestSampleData(attempts: Iterable<{ readonly source: string; readonly ok: boolean; readonly data?: unknown }>): Record<string, unknown> {
  const latest: Record<string, unknown> = {};
  for (const a of attempts) if (a.ok) latest[a.source] = a.data;
  return latest;
}

export const NO_EVIDENCE: Evidence = {
  postgres: { maxConnections: null },
  redis: { maxmemoryPolicy: null, keys: null, expires: null },
};

const num = z.number().finite().nullable().optional().catch(null);
const PostgresSample = z.looseObject({ maxConnections: num }).catch({});
const RedisSample = z.looseObject({
  maxmemoryPolicy: z.string().nullable().optional().catch(null),
  keys: num,
  expires: num,
}).catch({});

/**
 * Reads the evidence out of the latest raw samples of the `postgres` and `redis` sources
 * (their `maxConnections`, `maxmemoryPolicy`, `keys` and `expires`). Pure; tolerant of
 * samples that lack them.
 */
export function evidenceFromSamples(latest: Readonly<Record<string, unknown>>): Evidence {
  const pg = PostgresSample.parse(latest.postgres ?? {});
  const redis = RedisSample.parse(latest.redis ?? {});
  return {
    postgres: { maxConnections: pg.maxConnections ?? null },
    redis: { maxmemoryPolicy: redis.maxmemoryPolicy ?? null, keys: redis.keys ?? null, expires: redis.expires ?? null },
  };
}
