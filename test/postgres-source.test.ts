import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPostgresSource, type PostgresSample } from '../src/sources/postgres.js';
import { statementDeltas } from '../src/sources/postgres/slow-queries.js';
import type { SampledSource, TimedSample } from '../src/sources/source.js';
import { createScratchDatabase, PG_ADMIN_URL, type ScratchDatabase } from './support/postgres.js';

const signal = new AbortController().signal;

async function pgAnswers(): Promise<string | null> {
  const c = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 2_000 });
  try {
    await c.connect();
    await c.end();
    return null;
  } catch (err) {
    if (process.env.PERFPILOT_REQUIRE_ALL === '1') throw err;
    console.warn(`skipping: PostgreSQL does not answer at ${PG_ADMIN_URL}`);
    return 'no PostgreSQL';
  }
}
const skip = (await pgAnswers()) !== null;

const clients: pg.Client[] = [];
async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  clients.push(c);
  return c;
}
async function closeClients(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
}

const at = (atMs: number, data: PostgresSample): TimedSample<PostgresSample> => ({ atMs, data });
const read = (source: SampledSource<PostgresSample>, first: PostgresSample, last: PostgresSample) =>
  source.readings(at(0, first), [at(1000, last)]);

/** Samples until the database's connections (other than perfpilot's) drop to `n`, so exited backends have flushed their stats. */
async function sampleWhenConnections(source: SampledSource<PostgresSample>, n: number): Promise<PostgresSample> {
  for (let i = 0; i < 100; i++) {
    const s = await source.sample(signal);
    if (s.databaseConnections === n) return s;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`connections never dropped to ${n}`);
}

describe.skipIf(skip)('postgres source', () => {
  let db: ScratchDatabase;
  let plain: ScratchDatabase;
  beforeAll(async () => {
    [db, plain] = await Promise.all([createScratchDatabase('pp_pgsrc'), createScratchDatabase('pp_pgsrc_plain')]);
  });
  afterAll(async () => {
    await closeClients();
    await Promise.all([db?.drop(), plain?.drop()]);
  });

  it('counts connections, and one deadlock between two connections inside the window', async () => {
    const source = createPostgresSource({ url: db.url, slowQueryMs: 500 });
    try {
      const setup = await connect(db.url);
      await setup.query('CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, 0), (2, 0)');
      await closeClients();
      const first = await sampleWhenConnections(source, 0);
      const [a, b] = [await connect(db.url), await connect(db.url)];
      const during = await source.sample(signal);
      expect(during.databaseConnections).toBe(2);
      expect(during.connections).toBeGreaterThanOrEqual(2); // the whole server's
      expect(during.maxConnections).toBeGreaterThan(0);
      await a.query('BEGIN; UPDATE t SET v = 1 WHERE id = 1');
      await b.query('BEGIN; UPDATE t SET v = 1 WHERE id = 2');
      const results = await Promise.allSettled([a.query('UPDATE t SET v = 2 WHERE id = 2'), b.query('UPDATE t SET v = 2 WHERE id = 1')]);
      expect(results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['40P01']);
      await closeClients();
      const last = await sampleWhenConnections(source, 0);
      const r = read(source, first, last);
      expect(r.metrics.database).toMatchObject({ connections: last.connections, deadlocks: 1 });
    } finally {
      await source.close?.();
    }
  });

  it('counts slow statements from pg_stat_statements by their mean within the window', async () => {
    const admin = await connect(db.url);
    await admin.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const source = createPostgresSource({ url: db.url, slowQueryMs: 500 });
    try {
      const app = await connect(db.url);
      await app.query('SELECT pg_sleep(0.6)'); // slow, but before the window
      for (let i = 0; i < 20; i++) await app.query('SELECT 1 FROM pg_sleep(0.001)'); // fast before the window
      const first = await source.sample(signal);
      expect(first.slow).toEqual({ method: 'pg_stat_statements', fresh: true, deltas: {} });
      await app.query('SELECT pg_sleep(0.6)');
      await app.query('SELECT pg_sleep(0.6)');
      await app.query('SELECT 1 FROM pg_sleep(0.7)'); // lifetime mean ~35 ms, window mean 700 ms
      for (let i = 0; i < 3; i++) await app.query('SELECT pg_sleep(0.01)::text');
      const last = await source.sample(signal);
      const r = read(source, first, last);
      expect(r.metrics.database?.slowQueries).toBe(3);
      expect(r.detail).toMatch(/pg_stat_statements/);
    } finally {
      await closeClients();
      await source.close?.();
    }
  });

  it('without pg_stat_statements, counts statements seen running or just finished over the threshold', async () => {
    const source = createPostgresSource({ url: plain.url, slowQueryMs: 500 });
    try {
      const [early, finished, running, quick] = await Promise.all([0, 1, 2, 3].map(() => connect(plain.url)));
      await early!.query('SELECT pg_sleep(0.6)'); // finished before the window
      const first = await source.sample(signal);
      expect(first.slow).toMatchObject({ method: 'pg_stat_activity', why: 'pg_stat_statements is not installed in this database' });
      const still = running!.query('SELECT pg_sleep(3)');
      await Promise.all([finished!.query('SELECT pg_sleep(0.8)'), quick!.query('SELECT pg_sleep(0.1)')]);
      const last = await source.sample(signal);
      const r = read(source, first, last);
      expect(r.metrics.database?.slowQueries).toBe(2);
      expect(r.detail).toMatch(/pg_stat_activity.*not installed/);
      await still;
    } finally {
      await closeClients();
      await source.close?.();
    }
  });

  it('opens its connection again after PostgreSQL terminates it', async () => {
    const source = createPostgresSource({ url: db.url, slowQueryMs: 500 });
    try {
      await source.sample(signal);
      const admin = await connect(db.url);
      const { rows } = await admin.query("SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity WHERE application_name = 'perfpilot' AND datname = current_database()");
      expect(rows.map((r) => r.done)).toEqual([true]);
      // The sample that finds the connection gone may fail; the one after it must read again.
      await source.sample(signal).catch(() => null);
      const after = await source.sample(signal);
      expect(after.databaseConnections).toBe(1); // the admin connection; perfpilot's own is excluded
    } finally {
      await source.close?.();
    }
  });

  it('reports an unreachable server as a network error without its password', async () => {
    const source = createPostgresSource({ url: 'postgres://postgres:s3cret@127.0.0.1:1/x', slowQueryMs: 500 });
    const err = await source.sample(signal).then(() => null, (e: Error & { code?: string }) => e);
    expect(err?.code).toBe('ECONNREFUSED');
    expect(String(err?.message)).not.toContain('s3cret');
    await source.close?.();
  });
});

describe('postgres readings', () => {
  const source = createPostgresSource({ url: 'postgres://127.0.0.1:1/x', slowQueryMs: 100 });
  const sample = (deadlocks: number, deltas: Record<string, [number, number]>, fresh = false): PostgresSample => ({
    connections: 4, databaseConnections: 2, deadlocks, maxConnections: 100, slow: { method: 'pg_stat_statements', fresh, deltas },
  });

  it('takes what each statement added, counting a reset statement from 0 and skipping idle ones', () => {
    const before = new Map([['a', [50, 10_000]], ['b', [10, 100]], ['idle', [3, 3]]] as const);
    const after = new Map([['a', [2, 500]], ['b', [12, 1_100]], ['idle', [3, 3]], ['new', [1, 90]]] as const);
    expect(statementDeltas(before, after)).toEqual({ a: [2, 500], b: [2, 1_000], new: [1, 90] });
  });

  it('judges a statement by its mean over the whole window, summed across samples', () => {
    // a: 2 calls at 250 ms, then 2 at 10 ms → mean 130 ms > 100: 4 calls; b: 1 at 150, 3 at 10 → 45 ms: none
    const r = source.readings(at(0, sample(9, {}, true)), [at(1000, sample(9, { a: [2, 500], b: [1, 150] })), at(2000, sample(1, { a: [2, 20], b: [3, 30] }))]);
    // deadlocks went down (stats reset): counted from 0, never negative
    expect(r.metrics.database).toEqual({ connections: 4, deadlocks: 1, slowQueries: 4 });
    expect(r.detail).toBe('slow queries from pg_stat_statements: statements whose mean time in the window exceeded 100 ms');
  });

  it('says so when perfpilot started reading pg_stat_statements inside the window', () => {
    const r = source.readings(at(0, sample(0, {}, true)), [at(1000, sample(0, {}, true)), at(2000, sample(0, { a: [1, 900] }))]);
    expect(r.metrics.database?.slowQueries).toBe(1);
    expect(r.detail).toMatch(/from perfpilot's first reading of it in this window on$/);
  });

  it('has no counter readings without a baseline', () => {
    const r = source.readings(null, [at(0, sample(3, {}))]);
    expect(r.metrics.database).toEqual({ connections: 4, deadlocks: null, slowQueries: null });
  });
});
